import request from 'supertest';

import { FabricUnavailableError } from '../src/fabric/errors';
import { MemoryIdempotencyStore, type IdempotencyClaim } from '../src/http/idempotency';
import { AUDITOR_TOKEN, buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';
import { ControllableLedger } from './support/controllableLedger';

type App = ReturnType<typeof buildTestApp>['app'];

function register(app: App, body: object, key?: string, token = OFFICER_TOKEN) {
  const req = request(app).post('/api/v1/datasets').set('Authorization', `Bearer ${token}`);
  if (key !== undefined) void req.set('Idempotency-Key', key);
  return req.send(body);
}

/** The in-memory store, telling the test when a given number of claims has been answered (a barrier, not a sleep). */
class ObservedStore extends MemoryIdempotencyStore {
  #claims = 0;
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  override async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const claim = await super.claim(key, fingerprint);
    this.#claims += 1;
    for (const waiter of this.#waiters.filter((w) => w.count <= this.#claims)) waiter.resolve();
    return claim;
  }

  /** Resolves once `count` claims have been answered. */
  claims(count: number): Promise<void> {
    return count <= this.#claims ? Promise.resolve() : new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

function setup() {
  const ledger = new ControllableLedger();
  const store = new ObservedStore();
  return { ledger, store, app: buildTestApp(ledger, { idempotency: store }).app };
}

describe('Idempotency-Key on submits', () => {
  it('replays the first response for the same key and body, without submitting again', async () => {
    const { app, ledger } = setup();

    const first = await register(app, validRegistration, 'key-1');
    const second = await register(app, validRegistration, 'key-1');

    expect(first.status).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    expect(second.status).toBe(201);
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.body).toEqual(first.body);
    expect(ledger.submitCount).toBe(1);
  });

  it('treats a body with the same content in another key order as the same request', async () => {
    const { app, ledger } = setup();
    const reordered = Object.fromEntries(Object.entries(validRegistration).reverse());

    await register(app, validRegistration, 'key-1').expect(201);
    const again = await register(app, reordered, 'key-1');

    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(ledger.submitCount).toBe(1);
  });

  it('rejects the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const { app, ledger } = setup();

    await register(app, validRegistration, 'key-1').expect(201);
    const reused = await register(app, { ...validRegistration, title: 'Another title' }, 'key-1');

    expect(reused.status).toBe(422);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reused.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(ledger.submitCount).toBe(1);
  });

  it('makes concurrent duplicates wait for the first and share its result', async () => {
    const { app, ledger, store } = setup();
    const release = ledger.holdSubmits();

    // Awaiting a supertest request sends it. The submit is held until both requests have claimed the key: the
    // first claims it and submits, the second finds it in flight and waits.
    const pending = Promise.all(
      [register(app, validRegistration, 'key-1'), register(app, validRegistration, 'key-1')].map(async (req) => await req),
    );
    await store.claims(2);
    release();
    const responses = await pending;

    expect(responses.map((r) => r.status)).toEqual([201, 201]);
    expect(responses[0]?.body).toEqual(responses[1]?.body);
    expect(responses.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(1);
    expect(ledger.submitCount).toBe(1);
  });

  it('does not keep a 5xx failure: the retry with the same key submits again', async () => {
    const { app, ledger } = setup();
    ledger.submitFailures.push(new FabricUnavailableError('orderer down', { txId: 'tx-failed' }));

    const failed = await register(app, validRegistration, 'key-1');
    const retried = await register(app, validRegistration, 'key-1');

    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'FABRIC_UNAVAILABLE' });
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect(ledger.submitCount).toBe(2);
  });

  it('replays a chaincode rejection (4xx) as problem+json without submitting again', async () => {
    const { app, ledger } = setup();
    await register(app, validRegistration).expect(201);

    const rejected = await register(app, validRegistration, 'key-1');
    const replayed = await register(app, validRegistration, 'key-1');

    expect(rejected.status).toBe(409);
    expect(replayed.status).toBe(409);
    expect(replayed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(replayed.body).toEqual(rejected.body);
    expect(ledger.submitCount).toBe(2);
  });

  it('scopes keys per user: another user with the same key submits on their own', async () => {
    const { app, ledger } = setup();

    await register(app, validRegistration, 'key-1', OFFICER_TOKEN).expect(201);
    const other = await register(app, validRegistration, 'key-1', AUDITOR_TOKEN);

    expect(other.status).toBe(409);
    expect(other.headers['idempotency-replayed']).toBeUndefined();
    expect(ledger.submitCount).toBe(2);
  });

  it('submits every time when no key is sent', async () => {
    const { app, ledger } = setup();

    await register(app, validRegistration).expect(201);
    await register(app, validRegistration).expect(409);

    expect(ledger.submitCount).toBe(2);
  });

  it('rejects a malformed key with 400 before submitting', async () => {
    const { app, ledger } = setup();

    const res = await register(app, validRegistration, 'not a valid key!');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'idempotency-key' }] });
    expect(ledger.submitCount).toBe(0);
  });
});
