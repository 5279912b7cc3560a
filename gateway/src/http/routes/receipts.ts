import type { Router } from 'express';

import { SignedAccessReceipt } from '../../exchange/receipts';
import { ReceiptVerification, type ReceiptVerificationService } from '../../services/receiptVerificationService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { LEDGER_ERRORS } from './common';

/** POST /receipts/verify: anyone with a token checks an access receipt against the channel and the ledger. */
export function receiptsRouter(receipts: ReceiptVerificationService | undefined, routes: RouteRegistry, basePath: string): Router {
  const router = resourceRouter();
  bindRoutes(router, routes, basePath).json(
    {
      method: 'post',
      path: '/verify',
      operationId: 'verifyReceipt',
      summary:
        "Verify a signed access receipt: the owner gateway's signature against the owner's CA in the channel configuration, " +
        'and the RecordDelivery transaction it names (VALID, same signer, same delivery) on this gateway\'s own peer. ' +
        'Answers 200 with valid false and the failed checks for a receipt that does not verify',
      tags: ['data'],
      security: 'bearer',
      body: named('SignedAccessReceipt', SignedAccessReceipt),
      response: { status: 200, description: 'The checks and their verdict', schema: named('ReceiptVerification', ReceiptVerification) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ body }, req) => {
      if (receipts === undefined) {
        throw new HttpProblem({ status: 503, code: 'RECEIPTS_DISABLED', title: 'Not configured', detail: 'This gateway cannot verify receipts' });
      }
      return { status: 200, body: await receipts.verify(authenticatedUser(req), body) };
    },
  );
  return router;
}
