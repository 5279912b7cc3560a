import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';

import type { JournaledTransaction } from '../fabric/submitJournal';
import type { JsonResult } from './apiRoutes';
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotencyClaim, type IdempotencyStore } from './idempotency';

export interface SqliteIdempotencyStoreOptions {
  /** How long an answer (or an unsettled transaction) is kept under its key; default 24 h. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** The file in the gateway's state directory. */
export const IDEMPOTENCY_DATABASE = 'idempotency.sqlite';

const SWEEP_INTERVAL_MS = 60_000;

/*
 * node:sqlite (SQLite built into the pinned Node.js 24) rather than better-sqlite3: the same synchronous API, but
 * no native addon to compile or download for each runtime and architecture, and the engine ships with the runtime
 * every gateway already runs on. A synchronous claim is also what makes it atomic within the process: no other
 * request runs between its SELECT and its INSERT.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in-flight', 'unknown', 'completed')),
    owner TEXT,
    response TEXT,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS transactions (
    key TEXT NOT NULL REFERENCES requests (key) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    tx_id TEXT NOT NULL,
    tx_name TEXT NOT NULL,
    tx BLOB NOT NULL,
    PRIMARY KEY (key, step)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS requests_by_expiry ON requests (expires_at);
`;

function text(value: SQLOutputValue | undefined, column: string): string {
  if (typeof value !== 'string') throw new Error(`idempotency store: column ${column} is not text`);
  return value;
}

function parseResponse(json: string): JsonResult {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { status?: unknown }).status !== 'number') {
    throw new Error('idempotency store: a stored response is not a response');
  }
  return parsed as JsonResult;
}

interface Waiter {
  readonly settled: Promise<void>;
  readonly settle: () => void;
}

/**
 * The gateway's durable Idempotency-Key store: one SQLite database (WAL, synchronous=FULL: a transaction recorded
 * before ordering survives a crash of the gateway or the host) in the gateway's state directory, shared by every
 * request of every user of that gateway and kept across restarts. A claim left in flight by a previous process (the
 * gateway died mid-request) is taken over by the next request with that key, which settles its transactions first.
 * Every write of a claim is conditioned on its owner (this process): a process that lost a claim changes nothing.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly #db: DatabaseSync;
  readonly #owner = randomUUID();
  readonly #waiters = new Map<string, Waiter>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  #nextSweep = 0;

  /** `file` is a path, or ':memory:' for a store that lives as long as the process (tests). */
  constructor(file: string, options: SqliteIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#now = options.now ?? Date.now;
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.#db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5_000 });
    if (file !== ':memory:') chmodSync(file, 0o600);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    this.#db.exec(SCHEMA);
  }

  /** Opens the store in a gateway state directory. */
  static inDirectory(stateDir: string, options?: SqliteIdempotencyStoreOptions): SqliteIdempotencyStore {
    return new SqliteIdempotencyStore(path.join(stateDir, IDEMPOTENCY_DATABASE), options);
  }

  claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    this.#sweep();
    return Promise.resolve(this.#atomically(() => this.#claim(key, fingerprint)));
  }

  recordTransaction(key: string, transaction: JournaledTransaction): Promise<void> {
    this.#atomically(() => {
      if (this.#db.prepare('SELECT 1 FROM requests WHERE key = ? AND owner = ?').get(key, this.#owner) === undefined) {
        throw new Error('idempotency store: the key is no longer claimed by this process');
      }
      this.#db
        .prepare('INSERT OR REPLACE INTO transactions (key, step, tx_id, tx_name, tx) VALUES (?, ?, ?, ?, ?)')
        .run(key, transaction.step, transaction.txId, transaction.txName, transaction.transaction);
    });
    return Promise.resolve();
  }

  complete(key: string, response: JsonResult): Promise<void> {
    this.#atomically(() => {
      this.#db
        .prepare("UPDATE requests SET state = 'completed', owner = NULL, response = ?, expires_at = ? WHERE key = ? AND owner = ?")
        .run(JSON.stringify(response), this.#now() + this.#ttlMs, key, this.#owner);
      // Settled: a replay answers the stored response and never looks at them again.
      this.#db.prepare("DELETE FROM transactions WHERE key IN (SELECT key FROM requests WHERE key = ? AND state = 'completed')").run(key);
    });
    this.#settle(key);
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    this.#db.prepare('DELETE FROM requests WHERE key = ? AND owner = ?').run(key, this.#owner);
    this.#settle(key);
    return Promise.resolve();
  }

  suspend(key: string): Promise<void> {
    this.#db
      .prepare("UPDATE requests SET state = 'unknown', owner = NULL, expires_at = ? WHERE key = ? AND owner = ?")
      .run(this.#now() + this.#ttlMs, key, this.#owner);
    this.#settle(key);
    return Promise.resolve();
  }

  /** Counts of keys by state (for tests and operators). */
  counts(): Record<string, number> {
    const rows = this.#db.prepare('SELECT state, COUNT(*) AS n FROM requests GROUP BY state ORDER BY state').all();
    return Object.fromEntries(rows.map((row) => [text(row.state, 'state'), Number(row.n)]));
  }

  close(): void {
    this.#db.close();
  }

  #claim(key: string, fingerprint: string): IdempotencyClaim {
    const now = this.#now();
    const row = this.#db.prepare('SELECT fingerprint, state, owner, response, expires_at FROM requests WHERE key = ?').get(key);
    const live = row !== undefined && (Number(row.expires_at) > now || (row.state === 'in-flight' && row.owner === this.#owner));
    if (!live) {
      if (row !== undefined) this.#db.prepare('DELETE FROM requests WHERE key = ?').run(key);
      this.#db
        .prepare("INSERT INTO requests (key, fingerprint, state, owner, expires_at) VALUES (?, ?, 'in-flight', ?, ?)")
        .run(key, fingerprint, this.#owner, now + this.#ttlMs);
      this.#wait(key);
      return { state: 'claimed', transactions: [] };
    }
    if (text(row.fingerprint, 'fingerprint') !== fingerprint) return { state: 'reused' };
    if (row.state === 'completed') return { state: 'completed', response: parseResponse(text(row.response, 'response')) };
    const waiter = this.#waiters.get(key);
    if (row.state === 'in-flight' && row.owner === this.#owner && waiter !== undefined) {
      return { state: 'in-flight', settled: waiter.settled };
    }
    // Unknown (a 504 or a failure after sending), or in flight in a gateway process that is gone: take it over.
    this.#db.prepare("UPDATE requests SET state = 'in-flight', owner = ? WHERE key = ?").run(this.#owner, key);
    this.#wait(key);
    const transactions = this.#db.prepare('SELECT step, tx_id, tx_name, tx FROM transactions WHERE key = ? ORDER BY step').all(key);
    return {
      state: 'claimed',
      transactions: transactions.map((t) => {
        if (!(t.tx instanceof Uint8Array)) throw new Error('idempotency store: a stored transaction is not a blob');
        return { step: Number(t.step), txId: text(t.tx_id, 'tx_id'), txName: text(t.tx_name, 'tx_name'), transaction: t.tx };
      }),
    };
  }

  #atomically<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  #wait(key: string): void {
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#waiters.set(key, { settled, settle });
  }

  #settle(key: string): void {
    this.#waiters.get(key)?.settle();
    this.#waiters.delete(key);
  }

  /** Drops expired keys, at most once a minute; this process's claims in flight are never dropped. */
  #sweep(): void {
    const now = this.#now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_INTERVAL_MS;
    this.#db
      .prepare("DELETE FROM requests WHERE expires_at <= ? AND NOT (state = 'in-flight' AND owner IS ?)")
      .run(now, this.#owner);
  }
}
