import { X509Certificate } from 'node:crypto';

import type { Router } from 'express';
import { OFFLINE_TRANSACTION_NAMES } from 'govshare-contract';
import { z } from 'zod';

import type { OfflineIdentity, OfflineTransactions, Unsigned } from '../../fabric/offlineSigning';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { LEDGER_ERRORS } from './common';

/** The submit transactions an app may sign itself: derived from the transaction table (AttachRequestDetails needs transient data: online only). */
export const OFFLINE_TRANSACTIONS = OFFLINE_TRANSACTION_NAMES;

const Base64 = z
  .string()
  .min(1)
  .max(4 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

const Certificate = z
  .string()
  .max(16 * 1024)
  .refine((pem) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  }, 'must be the PEM of an X.509 certificate')
  .describe("The app's own enrolment certificate (PEM) from this department's Fabric CA");

const Signature = (what: string) => Base64.describe(`The app's ECDSA signature (DER, low-S) of the ${what}'s digest (base64)`);
const Returned = (what: string) => Base64.describe(`The ${what} bytes returned by the previous step (base64)`);

const PrepareBody = z.strictObject({
  certificate: Certificate,
  txName: z.enum(OFFLINE_TRANSACTIONS as [string, ...string[]]),
  args: z.array(z.string().max(256 * 1024)).max(8).describe('The transaction arguments, as for the chaincode'),
});
const EndorseBody = z.strictObject({ certificate: Certificate, proposal: Returned('proposal'), signature: Signature('proposal') });
const SubmitBody = z.strictObject({ certificate: Certificate, transaction: Returned('transaction'), signature: Signature('transaction') });
const CommitBody = z.strictObject({ certificate: Certificate, commit: Returned('commit'), signature: Signature('commit') });

const ToSign = (next: string) =>
  z.object({
    txId: z.string(),
    [next]: Base64.describe(`The unsigned ${next} (base64): send it back with its signature`),
    digest: Base64.describe('SHA-256 of those bytes (base64): sign this with your private key'),
  });

const bytesOf = (base64: string): Buffer => Buffer.from(base64, 'base64');

function toSign(next: string, unsigned: Unsigned): Record<string, string> {
  return {
    txId: unsigned.txId,
    [next]: Buffer.from(unsigned.bytes).toString('base64'),
    digest: Buffer.from(unsigned.digest).toString('base64'),
  };
}

function disabled(): HttpProblem {
  return new HttpProblem({ status: 503, code: 'OFFLINE_SIGNING_DISABLED', title: 'Not available', detail: 'Offline signing is not available on this gateway' });
}

/**
 * Offline signing: prepare → the app signs the proposal digest → endorse → it signs the transaction digest → submit →
 * it signs the commit-status digest → commit. The transaction is the app's own: the gateway never holds its key.
 */
export function offlineRouter(offline: OfflineTransactions | undefined, routes: RouteRegistry, basePath: string): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath);
  const common = { tags: ['offline signing'], security: 'bearer', method: 'post' } as const;
  const identityOf = (req: Parameters<typeof authenticatedUser>[0], certificate: string): OfflineIdentity => ({
    mspId: authenticatedUser(req).mspId,
    certificate: Buffer.from(certificate, 'utf8'),
  });
  const need = (): OfflineTransactions => {
    if (offline === undefined) throw disabled();
    return offline;
  };

  bind.json(
    {
      ...common,
      path: '/prepare',
      operationId: 'prepareOfflineTransaction',
      summary: "Step 1: the unsigned proposal of a transaction by the app's own identity, and the digest to sign",
      body: named('OfflinePrepare', PrepareBody),
      response: { status: 200, description: 'The proposal to sign', schema: named('OfflineProposal', ToSign('proposal')) },
      errors: [503],
    },
    ({ body }, req) => ({ status: 200, body: toSign('proposal', need().prepare(identityOf(req, body.certificate), body.txName, body.args)) }),
  );

  bind.json(
    {
      ...common,
      path: '/endorse',
      operationId: 'endorseOfflineTransaction',
      summary: 'Step 2: endorse the signed proposal; returns the transaction to sign and the chaincode result',
      body: named('OfflineEndorse', EndorseBody),
      response: {
        status: 200,
        description: 'The endorsed transaction to sign',
        schema: named('OfflineTransaction', ToSign('transaction').extend({ result: z.string().describe("The chaincode's result (UTF-8)") })),
      },
      errors: [...LEDGER_ERRORS, 404, 409],
    },
    async ({ body }, req) => {
      const endorsed = await need().endorseSigned(identityOf(req, body.certificate), bytesOf(body.proposal), bytesOf(body.signature));
      return { status: 200, body: { ...toSign('transaction', endorsed), result: Buffer.from(endorsed.result).toString('utf8') } };
    },
  );

  bind.json(
    {
      ...common,
      path: '/submit',
      operationId: 'submitOfflineTransaction',
      summary: 'Step 3: send the signed transaction to ordering; returns the commit-status request to sign',
      body: named('OfflineSubmit', SubmitBody),
      response: { status: 200, description: 'The commit-status request to sign', schema: named('OfflineCommit', ToSign('commit')) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ body }, req) => ({
      status: 200,
      body: toSign('commit', await need().submitSigned(identityOf(req, body.certificate), bytesOf(body.transaction), bytesOf(body.signature))),
    }),
  );

  bind.json(
    {
      ...common,
      path: '/commit',
      operationId: 'awaitOfflineCommit',
      summary: 'Step 4: wait for the commit with the signed commit-status request; successful is false for an invalidated transaction',
      body: named('OfflineCommitStatusRequest', CommitBody),
      response: {
        status: 200,
        description: 'The commit status',
        schema: named(
          'OfflineCommitStatus',
          z.object({ txId: z.string(), blockNumber: z.string().regex(/^\d+$/), successful: z.boolean(), validationCode: z.string() }),
        ),
      },
      errors: [...LEDGER_ERRORS],
    },
    async ({ body }, req) => {
      const status = await need().commitStatusSigned(identityOf(req, body.certificate), bytesOf(body.commit), bytesOf(body.signature));
      return { status: 200, body: { ...status, blockNumber: status.blockNumber.toString() } };
    },
  );

  return router;
}
