import type { Router } from 'express';
import { AuditQuery, AuditRecord, Identifier, MspId } from 'govshare-chaincode/model';
import { z } from 'zod';

import type { AuditService } from '../../services/auditService';
import { bindRoutes, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
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

export function auditRouter(audit: AuditService, routes: RouteRegistry, basePath: string, now: () => number = Date.now): Router {
  const router = resourceRouter();
  bindRoutes(router, routes, basePath).json(
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
  return router;
}
