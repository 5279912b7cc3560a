import type { Request } from 'express';
import { canonicalJson, sha256Hex } from 'govshare-contract';
import { z } from 'zod';

import type { JsonResult } from './jsonResult';
import { withSubmitJournal, type JournaledTransaction, type SubmitJournal } from '../fabric/submitJournal';
import { toProblem } from './errorHandler';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';

/**
 * Idempotency-Key for ledger submits: a client that retries after a lost response gets the first result again and
 * the transaction is never submitted twice. Keys are scoped per user, method and path.
 */
export const IdempotencyKeyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,255}$/, 'must be 1-255 characters of A-Z a-z 0-9 . _ : -')
    .optional()
    .describe('Client-chosen key (e.g. a UUID): a repeat with the same key and body replays the first response'),
});

/**
 * What a claim of a key finds. `claimed`: this request runs; `transactions` are those an earlier attempt (one that
 * answered 504, failed after submitting, or died with its gateway) sent: the retry settles them first on the
 * ledger. `in-flight`: a concurrent duplicate in this process, to wait for. `completed`: the answer to replay.
 * `reused`: the key was used with another body.
 */
export type IdempotencyClaim =
  | { readonly state: 'claimed'; readonly transactions: readonly JournaledTransaction[] }
  | { readonly state: 'in-flight'; readonly settled: Promise<void> }
  | { readonly state: 'completed'; readonly response: JsonResult }
  | { readonly state: 'reused' };

/**
 * The durable replay store behind Idempotency-Key (SqliteIdempotencyStore). It never holds a secret: responses are
 * stored without the route's secret fields, and transactions are the signed envelopes that go on the ledger.
 */
export interface IdempotencyStore {
  /** Atomically claims `key` for a request with body `fingerprint`, or tells what is already held under it. */
  claim(key: string, fingerprint: string): Promise<IdempotencyClaim>;
  /** Keeps a signed transaction of the claimed key before it is ordered (replacing an earlier one of that step). */
  recordTransaction(key: string, transaction: JournaledTransaction): Promise<void>;
  /** Stores the answer of a claimed key for replay; waiters on the claim are released. */
  complete(key: string, response: JsonResult): Promise<void>;
  /** Forgets a claimed key: the request failed before any transaction was sent, a retry starts afresh. */
  release(key: string): Promise<void>;
  /** The outcome is unknown (a transaction was sent): the key keeps its transactions for the retry to settle. */
  suspend(key: string): Promise<void>;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotentOutcome {
  readonly result: JsonResult;
  readonly replayed: boolean;
}

function keyReused(): HttpProblem {
  return new HttpProblem({
    status: 422,
    code: 'IDEMPOTENCY_KEY_REUSED',
    title: 'Idempotency key reused',
    detail: 'This Idempotency-Key was already used with a different request body',
  });
}

/** The answer as it may be stored: the route's secret fields (e.g. a one-time token) are never kept for replay. */
function storable(result: JsonResult, secretFields: readonly string[]): JsonResult {
  if (secretFields.length === 0 || typeof result.body !== 'object' || result.body === null || Array.isArray(result.body)) {
    return result;
  }
  const body = Object.fromEntries(Object.entries(result.body).filter(([field]) => !secretFields.includes(field)));
  return { ...result, body };
}

export interface IdempotencyOptions {
  /** Top-level response fields that are shown once and never stored (a replay answers without them). */
  readonly secretFields?: readonly string[];
}

/**
 * Runs `execute` at most once per (user, method, path, Idempotency-Key). Without the header it simply runs.
 * Results and 4xx problems are kept for replay. A failure before any transaction was sent is forgotten, so the
 * client can retry. Every ledger submit of the request is journaled (its signed transaction kept before ordering):
 * after a 504, any other failure once a transaction was sent, or a gateway that died mid-request, the retry first
 * settles those transactions on the ledger (answering the committed result, or resubmitting the same txId) and
 * never makes a second transaction for what the first attempt may already have done.
 */
export async function withIdempotency(
  store: IdempotencyStore,
  req: Request,
  userId: string,
  execute: () => Promise<JsonResult>,
  options: IdempotencyOptions = {},
): Promise<IdempotentOutcome> {
  const idempotencyKey = req.get('idempotency-key');
  if (idempotencyKey === undefined) {
    return { result: await execute(), replayed: false };
  }
  const key = sha256Hex(JSON.stringify([userId, req.method, `${req.baseUrl}${req.path}`, idempotencyKey]));
  // Canonical JSON: key order does not change a request's fingerprint.
  const fingerprint = sha256Hex(canonicalJson(req.body));

  let claimed: readonly JournaledTransaction[];
  for (;;) {
    const claim = await store.claim(key, fingerprint);
    if (claim.state === 'claimed') {
      claimed = claim.transactions;
      break;
    }
    if (claim.state === 'reused') throw keyReused();
    if (claim.state === 'completed') return { result: claim.response, replayed: true };
    // A concurrent duplicate: wait for the first request, then replay its result (or claim the key if it failed).
    await claim.settled;
  }

  const transactions = new Map(claimed.map((transaction) => [transaction.step, transaction]));
  let sent = transactions.size > 0;
  const journal: SubmitJournal = {
    recorded: (step) => transactions.get(step),
    record: async (transaction) => {
      await store.recordTransaction(key, transaction);
      sent = true;
    },
  };
  const failed = async (status: number, problem?: JsonResult): Promise<void> => {
    if (status < 500 && problem !== undefined) await store.complete(key, problem);
    else if (sent) await store.suspend(key);
    else await store.release(key);
  };

  let result: JsonResult;
  try {
    result = await withSubmitJournal(journal, execute);
  } catch (err) {
    const body = toProblem(err);
    await failed(body.status, { status: body.status, body, contentType: PROBLEM_CONTENT_TYPE });
    throw err;
  }
  if (result.status >= 500) {
    await failed(result.status);
  } else {
    await store.complete(key, storable(result, options.secretFields ?? []));
  }
  return { result, replayed: false };
}
