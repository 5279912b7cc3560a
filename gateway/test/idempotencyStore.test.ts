import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { IDEMPOTENCY_DATABASE, SqliteIdempotencyStore } from '../src/http/sqliteIdempotencyStore';

const created = { status: 201, body: { txId: 'tx1' } };
const transaction = (step: number, txId: string) => ({ step, txId, txName: 'UpdateDataset', transaction: Buffer.from(`signed ${txId}`) });

describe('SqliteIdempotencyStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'idempotency-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the completed response to a later claim of the same key', async () => {
    const store = new SqliteIdempotencyStore(':memory:');
    await store.claim('k', 'fp');
    await store.complete('k', created);

    expect(await store.claim('k', 'fp')).toEqual({ state: 'completed', response: created });
  });

  it('tells a claim with another body fingerprint that the key is reused', async () => {
    const store = new SqliteIdempotencyStore(':memory:');
    await store.claim('k', 'fp');

    expect(await store.claim('k', 'other')).toEqual({ state: 'reused' });
  });

  it('reports an in-flight claim until it is completed or released', async () => {
    const store = new SqliteIdempotencyStore(':memory:');
    await store.claim('k', 'fp');

    const second = await store.claim('k', 'fp');
    expect(second.state).toBe('in-flight');
    await store.release('k');

    expect(await store.claim('k', 'fp')).toEqual({ state: 'claimed', transactions: [] });
  });

  it('keeps the transactions of a suspended (outcome unknown) key for the next claim, and drops them once completed', async () => {
    const store = new SqliteIdempotencyStore(':memory:');
    await store.claim('k', 'fp');
    await store.recordTransaction('k', transaction(0, 'tx-a'));
    await store.recordTransaction('k', transaction(1, 'tx-b'));
    await store.recordTransaction('k', transaction(1, 'tx-c'));
    await store.suspend('k');

    const retry = await store.claim('k', 'fp');
    expect(retry).toEqual({ state: 'claimed', transactions: [transaction(0, 'tx-a'), transaction(1, 'tx-c')] });
    expect((await store.claim('k', 'fp')).state).toBe('in-flight');

    await store.complete('k', created);
    expect(store.counts()).toEqual({ completed: 1 });
    expect(await store.claim('k', 'fp')).toEqual({ state: 'completed', response: created });
  });

  it('forgets keys after the TTL', async () => {
    let now = 0;
    const store = new SqliteIdempotencyStore(':memory:', { ttlMs: 1000, now: () => now });
    await store.claim('k', 'fp');
    await store.complete('k', created);

    now = 999;
    expect((await store.claim('k', 'fp')).state).toBe('completed');
    now = 1000;
    expect((await store.claim('k', 'fp')).state).toBe('claimed');
  });

  it('survives a restart: answers stay, and a claim in flight when the process died is taken over with its transactions', async () => {
    const file = path.join(dir, 'state', IDEMPOTENCY_DATABASE);
    const before = new SqliteIdempotencyStore(file);
    await before.claim('done', 'fp');
    await before.complete('done', created);
    await before.claim('crashed', 'fp');
    await before.recordTransaction('crashed', transaction(0, 'tx-in-flight'));
    // No close(): the process is gone.

    const after = new SqliteIdempotencyStore(file);
    expect(await after.claim('done', 'fp')).toEqual({ state: 'completed', response: created });
    expect(await after.claim('crashed', 'fp')).toEqual({ state: 'claimed', transactions: [transaction(0, 'tx-in-flight')] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    before.close();
    after.close();
  });
});
