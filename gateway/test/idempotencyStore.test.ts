import { MemoryIdempotencyStore } from '../src/http/idempotency';

const created = { status: 201, body: { txId: 'tx1' } };

describe('MemoryIdempotencyStore', () => {
  it('returns the completed response to a later claim of the same key', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim('k', 'fp');
    await store.complete('k', created);

    expect(await store.claim('k', 'fp')).toEqual({ state: 'completed', fingerprint: 'fp', response: created });
  });

  it('reports an in-flight claim until it is completed or released', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim('k', 'fp');

    const second = await store.claim('k', 'fp');
    expect(second.state).toBe('in-flight');
    await store.release('k');

    expect(await store.claim('k', 'fp')).toEqual({ state: 'claimed' });
  });

  it('forgets completed responses after the TTL', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
    await store.claim('k', 'fp');
    await store.complete('k', created);

    now = 999;
    expect((await store.claim('k', 'fp')).state).toBe('completed');
    now = 1000;
    expect((await store.claim('k', 'fp')).state).toBe('claimed');
  });

  it('keeps at most maxEntries, dropping the oldest completed first and never an in-flight claim', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2 });
    await store.claim('in-flight', 'fp');
    await store.claim('old', 'fp');
    await store.complete('old', created);
    await store.claim('new', 'fp');

    expect(store.size).toBe(2);
    expect((await store.claim('in-flight', 'fp')).state).toBe('in-flight');
    expect((await store.claim('new', 'fp')).state).toBe('in-flight');
  });
});
