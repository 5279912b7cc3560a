import type { Router } from 'express';
import { Certificate, CertificateIssue, CertificateVerification, RevocationReason, Sha256Hex } from 'govshare-contract';
import { z } from 'zod';

import type { CertificateService } from '../../services/certificateService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';
import { committedBody, committedSchema, LEDGER_ERRORS, SUBMIT_ERRORS } from './common';

const DigestParams = z.object({ sha256: Sha256Hex.describe('SHA-256 of the certificate document') });
const CommittedCertificate = committedSchema('CommittedCertificate', Certificate);

export function certificatesRouter(
  certificates: CertificateService,
  routes: RouteRegistry,
  basePath: string,
  idempotency: IdempotencyStore,
): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath, { idempotency });
  const common = { tags: ['certificates'], security: 'bearer' } as const;

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/',
      operationId: 'issueCertificate',
      summary:
        "Issue an e-certificate for a document's SHA-256 (DIPLOMA and TRANSCRIPT by Education, TAX_CLEARANCE by Finance, " +
        'NO_CRIMINAL_RECORD by Justice); the subject is a salted pseudonym, never a name',
      idempotent: true,
      body: named('CertificateIssue', CertificateIssue),
      response: { status: 201, description: 'Issued and committed', schema: CommittedCertificate },
      errors: [...LEDGER_ERRORS, 409],
    },
    async ({ body }, req) => {
      const result = await certificates.issue(authenticatedUser(req), body);
      return {
        status: 201,
        headers: { Location: `${req.baseUrl}/${result.value.documentSha256}` },
        body: committedBody(result),
      };
    },
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:sha256',
      operationId: 'verifyCertificate',
      summary: 'Verify a document: VALID, REVOKED, EXPIRED or UNKNOWN (no certificate for this digest)',
      params: DigestParams,
      response: { status: 200, description: 'The verification', schema: named('CertificateVerification', CertificateVerification) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ params }, req) => ({ status: 200, body: await certificates.verify(authenticatedUser(req), params.sha256) }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:sha256/revoke',
      operationId: 'revokeCertificate',
      summary: "Revoke an e-certificate (the issuer's approver or admin), with a reason code",
      idempotent: true,
      params: DigestParams,
      body: named('CertificateRevocation', z.strictObject({ reason: RevocationReason })),
      response: { status: 200, description: 'The revoked certificate, committed', schema: CommittedCertificate },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params, body }, req) => ({
      status: 200,
      body: committedBody(await certificates.revoke(authenticatedUser(req), params.sha256, body.reason)),
    }),
  );

  return router;
}
