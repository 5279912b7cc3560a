import type { Request } from 'express';
import { canonicalJson, sha256Hex } from 'govshare-contract';
import { z } from 'zod';

import type { JsonResult } from './jsonResult';
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

/** What the store holds under a key. */
export type IdempotencyRecord =
  | { readonly state: 'in-flight'; readonly fingerprint: string; readonly settled: Promise<void> }
  | { readonly state: 'completed'; readonly fingerprint: string; readonly response: JsonResult };

export type IdempotencyClaim = { readonly state: 'claimed' } | IdempotencyRecord;

/** Small enough to be backed by a shared database later; the in-memory store serves one gateway process. */
export interface IdempotencyStore {
  /** Atomically claims `key` for a new request, or returns the record already held under it. */
  claim(key: string, fingerprint: string): Promise<IdempotencyClaim>;
  /** Stores the response of a claimed key; waiters on the in-flight claim are released. */
  complete(key: string, response: JsonResult): Promise<void>;
  /** Forgets a claimed key (the request failed and may be retried); waiters are released. */
  release(key: string): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

type Entry =
  | { state: 'in-flight'; fingerprint: string; settled: Promise<void>; settle: () => void }
  | { state: 'completed'; fingerprint: string; response: JsonResult; expiresAt: number };

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_IDEMPOTENCY_MAX_ENTRIES = 10_000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  // Map iteration order is insertion order; completed entries are re-inserted, so the oldest come first.
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_IDEMPOTENCY_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    this.#evict();
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      return Promise.resolve(
        existing.state === 'in-flight'
          ? { state: 'in-flight', fingerprint: existing.fingerprint, settled: existing.settled }
          : { state: 'completed', fingerprint: existing.fingerprint, response: existing.response },
      );
    }
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#entries.set(key, { state: 'in-flight', fingerprint, settled, settle });
    this.#evict();
    return Promise.resolve({ state: 'claimed' });
  }

  complete(key: string, response: JsonResult): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry?.state === 'in-flight') {
      this.#entries.delete(key);
      this.#entries.set(key, {
        state: 'completed',
        fingerprint: entry.fingerprint,
        response,
        expiresAt: this.#now() + this.#ttlMs,
      });
      entry.settle();
    }
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry?.state === 'in-flight') {
      this.#entries.delete(key);
      entry.settle();
    }
    return Promise.resolve();
  }

  /** Drops expired entries, then the oldest completed ones beyond the bound; in-flight claims are never dropped. */
  #evict(): void {
    const now = this.#now();
    let excess = this.#entries.size - this.#maxEntries;
    for (const [key, entry] of this.#entries) {
      if (entry.state === 'in-flight') continue;
      if (entry.expiresAt <= now || excess > 0) {
        this.#entries.delete(key);
        excess--;
      } else {
        break;
      }
    }
  }
}

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

/**
 * Runs `execute` at most once per (user, method, path, Idempotency-Key). Without the header it simply runs.
 * Results and 4xx problems are kept for replay; 5xx failures are forgotten so that the client can retry.
 */
export async function withIdempotency(
  store: IdempotencyStore,
  req: Request,
  userId: string,
  execute: () => Promise<JsonResult>,
): Promise<IdempotentOutcome> {
  const idempotencyKey = req.get('idempotency-key');
  if (idempotencyKey === undefined) {
    return { result: await execute(), replayed: false };
  }
  const key = sha256Hex(JSON.stringify([userId, req.method, `${req.baseUrl}${req.path}`, idempotencyKey]));
  // Canonical JSON: key order does not change a request's fingerprint.
  const fingerprint = sha256Hex(canonicalJson(req.body));

  for (;;) {
    const claim = await store.claim(key, fingerprint);
    if (claim.state === 'claimed') {
      break;
    }
    if (claim.fingerprint !== fingerprint) {
      throw keyReused();
    }
    if (claim.state === 'completed') {
      return { result: claim.response, replayed: true };
    }
    // A concurrent duplicate: wait for the first request, then replay its result (or claim the key if it failed).
    await claim.settled;
  }

  let result: JsonResult;
  try {
    result = await execute();
  } catch (err) {
    const body = toProblem(err);
    if (body.status < 500) {
      await store.complete(key, { status: body.status, body, contentType: PROBLEM_CONTENT_TYPE });
    } else {
      await store.release(key);
    }
    throw err;
  }
  if (result.status >= 500) {
    await store.release(key);
  } else {
    await store.complete(key, result);
  }
  return { result, replayed: false };
}
