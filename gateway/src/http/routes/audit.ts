import type { Router } from 'express';
import { AuditQuery, AuditRecord, Identifier, MspId } from 'govshare-contract';
import { z } from 'zod';

import type { AuditService } from '../../services/auditService';
import type { LedgerVerificationService } from '../../services/ledgerVerificationService';
import { LedgerVerification } from '../../verification/ledgerVerification';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { parseOrThrow } from '../validation';
import { LEDGER_ERRORS, PageQuery, pageBody, pageSchema } from './common';

/** Without from/to the window is the last 30 days (the chaincode allows at most 92). */
export const DEFAULT_AUDIT_WINDOW_MS = 30 * 86_400_000;

const Instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T00:00:00Z' });

const AuditListQuery = PageQuery.extend({
  dataset: Identifier.optional().describe('Only records about this dataset'),
  org: MspId.optional().describe('Only records of actions by this organisation (MSP id)'),
  from: Instant.optional().describe('Start of the window, inclusive (default: to minus 30 days)'),
  to: Instant.optional().describe('End of the window, exclusive (default: now); at most 92 days after from'),
});

export function auditRouter(
  audit: AuditService,
  verification: LedgerVerificationService | undefined,
  routes: RouteRegistry,
  basePath: string,
  now: () => number = Date.now,
): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath);
  bind.json(
    {
      method: 'get',
      path: '/',
      operationId: 'queryAudit',
      summary:
        "The audit trail of a time window that the caller may see: its own department's actions and records about its datasets " +
        "(the Audit organisation's auditors: everything). Records hidden from the caller are left out, so a page may be short",
      tags: ['audit'],
      security: 'bearer',
      query: AuditListQuery,
      response: { status: 200, description: 'One page of audit records, oldest first', schema: pageSchema('AuditPage', AuditRecord) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ query }, req) => {
      const to = query.to ?? new Date(now()).toISOString();
      const from = query.from ?? new Date(Date.parse(to) - DEFAULT_AUDIT_WINDOW_MS).toISOString();
      // The chaincode's own schema checks the window (from < to, at most 92 days) and dataset XOR org.
      const auditQuery = parseOrThrow(
        AuditQuery,
        {
          ...(query.dataset === undefined ? {} : { datasetId: query.dataset }),
          ...(query.org === undefined ? {} : { actorMsp: query.org }),
          from,
          to,
          pageSize: query.limit,
          bookmark: query.cursor ?? '',
        },
        'query parameters',
      );
      return { status: 200, body: pageBody(await audit.queryAudit(authenticatedUser(req), auditQuery)) };
    },
  );

  bind.json(
    {
      method: 'get',
      path: '/ledger/verify',
      operationId: 'verifyLedger',
      summary:
        "Verifies the channel's ledger as this gateway's peer serves it, without trusting that peer: the hash chain, every " +
        "block's data hash, the orderer signatures (chained to the orderer organisation's CA of the channel configuration), " +
        'block 0 against the genesis block the network was created with, and that every audit record the caller may see ' +
        'names a VALID transaction. Auditors only; reads the whole chain, so it takes a while on a long ledger',
      tags: ['audit'],
      security: 'bearer',
      response: {
        status: 200,
        description: 'The verdict (INTACT or BROKEN) with the first break, if any',
        schema: named('LedgerVerification', LedgerVerification),
      },
      errors: [...LEDGER_ERRORS],
    },
    async (_input, req) => {
      const caller = authenticatedUser(req);
      if (caller.role !== 'auditor') {
        throw new HttpProblem({ status: 403, code: 'FORBIDDEN', title: 'Forbidden', detail: 'Only auditors may verify the ledger' });
      }
      if (verification === undefined) {
        throw new HttpProblem({
          status: 503,
          code: 'LEDGER_VERIFICATION_DISABLED',
          title: 'Not available',
          detail: 'This gateway cannot read blocks from its peer',
        });
      }
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: await verification.verify(caller) };
    },
  );
  return router;
}
