import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import request from 'supertest';

import { FabricTimeoutError, FabricUnavailableError } from '../src/fabric/errors';
import type { SubmitOptions, SubmitResult } from '../src/fabric/ledgerClient';
import { takeJournalStep } from '../src/fabric/submitJournal';
import type { IdempotencyClaim } from '../src/http/idempotency';
import { IDEMPOTENCY_DATABASE, SqliteIdempotencyStore } from '../src/http/sqliteIdempotencyStore';
import type { AuthenticatedUser } from '../src/identity/user';
import { FakeLedger } from './support/fakeLedger';
import { AUDITOR_TOKEN, buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';
import { ControllableLedger } from './support/controllableLedger';

type App = ReturnType<typeof buildTestApp>['app'];

function register(app: App, body: object, key?: string, token = OFFICER_TOKEN) {
  const req = request(app).post('/api/v1/datasets').set('Authorization', `Bearer ${token}`);
  if (key !== undefined) void req.set('Idempotency-Key', key);
  return req.send(body);
}

/** The durable store, telling the test when a given number of claims has been answered (a barrier, not a sleep). */
class ObservedStore extends SqliteIdempotencyStore {
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

const storeDirs: string[] = [];
afterAll(() => {
  for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const ledger = new ControllableLedger();
  const dir = mkdtempSync(path.join(tmpdir(), 'idempotency-observed-'));
  storeDirs.push(dir);
  const store = new ObservedStore(path.join(dir, IDEMPOTENCY_DATABASE));
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

/**
 * A fake ledger that journals like the transactions adapter (fabric/transactionAdapter.ts): each submit of an idempotent request records its transaction
 * before "ordering" it, and a submit that finds its step recorded settles that transaction instead (here: answers
 * its committed result, as a txId found VALID on the ledger does).
 */
class JournalingLedger extends FakeLedger {
  readonly committed = new Map<string, SubmitResult>();
  /** The next submit commits, then answers 504 (its outcome unknown to the client). */
  timeOutAfterCommit = false;
  /** The next submit records its transaction and answers only when `endHang` is called (its gateway "dies"). */
  hangAfterRecord = false;
  endHang: () => void = () => undefined;
  settled: string[] = [];
  /** Resolves when a hanging submit has committed, recorded its transaction and hangs (a barrier for the test). */
  readonly hanging: Promise<void>;
  #hangStarted: () => void = () => undefined;

  constructor() {
    super();
    this.hanging = new Promise((resolve) => {
      this.#hangStarted = resolve;
    });
  }

  override async submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    const scope = takeJournalStep();
    const recorded = scope?.journal.recorded(scope.step);
    if (recorded !== undefined) {
      this.settled.push(recorded.txId);
      const found = this.committed.get(recorded.txId);
      if (found === undefined) throw new Error(`${recorded.txId} is not on the fake ledger`);
      return found;
    }
    const result = await super.submit(user, txName, args, options);
    this.committed.set(result.txId, result);
    await scope?.journal.record({ step: scope.step, txId: result.txId, txName, transaction: Buffer.from(`signed ${result.txId}`) });
    if (this.hangAfterRecord) {
      this.hangAfterRecord = false;
      this.#hangStarted();
      return await new Promise<never>((_resolve, reject) => {
        this.endHang = () => {
          reject(new Error('the gateway process is gone'));
        };
      });
    }
    if (this.timeOutAfterCommit) {
      this.timeOutAfterCommit = false;
      throw new FabricTimeoutError('commit status timed out', { txId: result.txId });
    }
    return result;
  }
}

describe('Idempotency-Key after an unknown outcome (durable store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'idempotency-api-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const storeFile = (): string => path.join(dir, IDEMPOTENCY_DATABASE);

  it('answers a retry after a 504 with the first transaction once it is on the ledger, submitting nothing new', async () => {
    const ledger = new JournalingLedger();
    const { app } = buildTestApp(ledger, { idempotency: new SqliteIdempotencyStore(storeFile()) });
    ledger.timeOutAfterCommit = true;

    const timedOut = await register(app, validRegistration, 'key-504');
    const retried = await register(app, validRegistration, 'key-504');

    expect(timedOut.status).toBe(504);
    const txId = (timedOut.body as { txId: string }).txId;
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ txId });
    expect(ledger.settled).toEqual([txId]);
    expect(ledger.committed.size).toBe(1);
  });

  it('remembers the 504 across a gateway restart (a new store on the same file)', async () => {
    const ledger = new JournalingLedger();
    ledger.timeOutAfterCommit = true;
    const before = buildTestApp(ledger, { idempotency: new SqliteIdempotencyStore(storeFile()) }).app;
    const timedOut = await register(before, validRegistration, 'key-restart');

    const after = buildTestApp(ledger, { idempotency: new SqliteIdempotencyStore(storeFile()) }).app;
    const retried = await register(after, validRegistration, 'key-restart');

    expect(timedOut.status).toBe(504);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ txId: (timedOut.body as { txId: string }).txId });
    expect(ledger.committed.size).toBe(1);
  });

  it('settles the transaction of a gateway that died between submit and answer', async () => {
    const ledger = new JournalingLedger();
    ledger.hangAfterRecord = true;
    const dying = buildTestApp(ledger, { idempotency: new SqliteIdempotencyStore(storeFile()) }).app;
    // The request is sent and never answered: the process "dies" with it in flight.
    const lost = register(dying, validRegistration, 'key-died').then((res) => res.status);
    await ledger.hanging;

    const restarted = buildTestApp(ledger, { idempotency: new SqliteIdempotencyStore(storeFile()) }).app;
    const retried = await register(restarted, validRegistration, 'key-died');

    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ txId: [...ledger.committed.keys()][0] });
    expect(ledger.committed.size).toBe(1);
    // The old process's late failure changes nothing: the key it lost stays completed.
    ledger.endHang();
    expect(await lost).toBe(500);
    expect(await register(restarted, validRegistration, 'key-died')).toMatchObject({ status: 201, headers: { 'idempotency-replayed': 'true' } });
  });

  it('forgets a failure before any transaction was sent (503): the retry submits afresh', async () => {
    const ledger = new JournalingLedger();
    const store = new SqliteIdempotencyStore(storeFile());
    const { app } = buildTestApp(ledger, { idempotency: store });
    const original = ledger.submit.bind(ledger);
    let failNext = true;
    ledger.submit = async (...args) => {
      if (failNext) {
        failNext = false;
        throw new FabricUnavailableError('no endorsers');
      }
      return await original(...args);
    };

    await register(app, validRegistration, 'key-503').expect(503);
    expect(store.counts()).toEqual({});
    await register(app, validRegistration, 'key-503').expect(201);
    expect(ledger.settled).toEqual([]);
  });
});
