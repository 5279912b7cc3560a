import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';
import { sha256Hex } from 'govshare-contract';

import type { Role, UserConfig } from '../src/config';
import { CertificateAuthorityError, IdentityExistsError, type CertificateAuthority } from '../src/identity/certificateAuthority';
import { ApiTokenStore } from '../src/identity/apiTokens';
import { createTokenAuthenticator } from '../src/identity/tokenAuthenticator';
import { FileWallet } from '../src/identity/wallet';
import { IDEMPOTENCY_DATABASE, SqliteIdempotencyStore } from '../src/http/sqliteIdempotencyStore';
import { createUserService } from '../src/services/userService';
import { FakeLedger } from './support/fakeLedger';
import { buildTestApp, MSP_ID, OFFICER_TOKEN, TEST_TOKEN_HOLDERS, validRegistration } from './support/testApp';

const ADMIN_TOKEN = 'admin-token-5566778899';

/** A CA that knows the ids it registered; `failWith` makes the next call fail. */
class FakeCa implements CertificateAuthority {
  readonly registered = new Map<string, Role>();
  failWith: Error | undefined;

  registerAndEnroll(id: string, role: Role): Promise<{ certPem: string; keyPem: string }> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (this.registered.has(id)) return Promise.reject(new IdentityExistsError(`identity '${id}' is already registered`));
    this.registered.set(id, role);
    return Promise.resolve({ certPem: `CERT ${id}\n`, keyPem: `KEY ${id}\n` });
  }
}

let walletDir: string;

beforeEach(async () => {
  walletDir = join(await mkdtemp(join(tmpdir(), 'govshare-wallet-test-')), 'wallet');
});

afterEach(async () => {
  await rm(join(walletDir, '..'), { recursive: true, force: true });
});

async function setUp(ledger = new FakeLedger(), idempotency?: SqliteIdempotencyStore) {
  const ca = new FakeCa();
  const wallet = new FileWallet(walletDir);
  const activated: UserConfig[] = [];
  const holders = [...TEST_TOKEN_HOLDERS, { id: 'education-admin', role: 'admin' as const, tokenSha256: sha256Hex(ADMIN_TOKEN) }];
  const tokens = await ApiTokenStore.open({ mspId: MSP_ID }, holders);
  const users = createUserService({
    mspId: MSP_ID,
    ca,
    wallet,
    existingIds: holders.map((holder) => holder.id),
    activate: (user) => {
      activated.push(user);
      tokens.addOwner(user);
      return Promise.resolve();
    },
    issueToken: async (userId, createdBy) => (await tokens.issue({ userId, createdBy })).token,
  });
  const { app } = buildTestApp(ledger, { authenticator: tokens, users, ...(idempotency === undefined ? {} : { idempotency }) });
  return { app, ca, wallet, activated, ledger, tokens };
}

function createUser(app: Parameters<typeof request>[0], body: unknown, token = ADMIN_TOKEN) {
  return request(app).post('/api/v1/admin/users').set('Authorization', `Bearer ${token}`).send(body as object);
}

describe('POST /api/v1/admin/users', () => {
  it('registers and enrolls the user with the CA and answers 201 with a one-time token', async () => {
    const { app, ca, wallet, tokens } = await setUp();

    const res = await createUser(app, { id: 'alice.smith', role: 'officer' });

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ id: 'alice.smith', role: 'officer', mspId: MSP_ID, token: expect.any(String) as string });
    const token = (res.body as { token: string }).token;
    expect(token).toMatch(/^gst_[A-Za-z0-9_-]{43}$/);
    expect(ca.registered.get('alice.smith')).toBe('officer');
    // The wallet holds the credentials; the token lives in the token store, hashed, with an expiry.
    const [entry] = await wallet.list();
    expect(entry).toEqual({
      id: 'alice.smith',
      role: 'officer',
      certPath: join(walletDir, 'users', 'alice.smith', 'cert.pem'),
      keyPath: join(walletDir, 'users', 'alice.smith', 'key.pem'),
    });
    expect(tokens.list({ userId: 'alice.smith' })).toEqual([
      expect.objectContaining({ sha256: sha256Hex(token), state: 'active', createdBy: 'education-admin', expiresAt: expect.any(String) as string }),
    ]);
  });

  it('makes the new token work at once, and its requests go to the ledger as the new user', async () => {
    const ledger = new FakeLedger();
    const { app, activated } = await setUp(ledger);
    await request(app).post('/api/v1/datasets').set('Authorization', `Bearer ${OFFICER_TOKEN}`).send(validRegistration).expect(201);
    const { token } = (await createUser(app, { id: 'bob', role: 'auditor' }).expect(201)).body as { token: string };
    ledger.calls.length = 0;

    const res = await request(app).get(`/api/v1/datasets/${validRegistration.id}`).set('Authorization', `Bearer ${token}`);

    expect(res.status).toBe(200);
    expect(activated.map((user) => user.id)).toEqual(['bob']);
    expect(ledger.calls).toEqual([{ kind: 'evaluate', userId: 'bob', txName: 'ReadDataset', args: [validRegistration.id] }]);
  });

  it('stores the credentials in a directory of the user (0700) with files only the gateway can read (0600)', async () => {
    const { app } = await setUp();

    await createUser(app, { id: 'carol', role: 'approver' }).expect(201);

    const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
    const userDir = join(walletDir, 'users', 'carol');
    expect(await mode(walletDir)).toBe(0o700);
    expect(await mode(userDir)).toBe(0o700);
    expect((await readdir(userDir)).sort()).toEqual(['cert.pem', 'key.pem']);
    expect(await mode(join(userDir, 'cert.pem'))).toBe(0o600);
    expect(await mode(join(userDir, 'key.pem'))).toBe(0o600);
    expect(await mode(join(walletDir, 'users.json'))).toBe(0o600);
  });

  it('answers 403 FORBIDDEN to a caller who is not an admin', async () => {
    const { app, ca } = await setUp();

    const res = await createUser(app, { id: 'mallory', role: 'admin' }, OFFICER_TOKEN);

    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(ca.registered.size).toBe(0);
  });

  it.each([
    ['a missing role', { id: 'dave' }],
    ['an unknown role', { id: 'dave', role: 'root' }],
    ['an id that is too short', { id: 'dv', role: 'officer' }],
    ['an id with upper case', { id: 'Dave', role: 'officer' }],
    ['an id with a slash', { id: 'dave/../x', role: 'officer' }],
    ['an extra property', { id: 'dave', role: 'officer', secret: 'x' }],
  ])('answers 400 to %s', async (_what, body) => {
    const { app, ca } = await setUp();

    const res = await createUser(app, body);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(ca.registered.size).toBe(0);
  });

  it('answers 409 when the id exists: created before, configured, or known to the CA', async () => {
    const { app, ca } = await setUp();
    await createUser(app, { id: 'erin', role: 'officer' }).expect(201);
    ca.registered.set('frank', 'officer');

    const again = await createUser(app, { id: 'erin', role: 'auditor' });
    const configured = await createUser(app, { id: 'education-officer', role: 'officer' });
    const inCa = await createUser(app, { id: 'frank', role: 'officer' });

    for (const res of [again, configured, inCa]) {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 409, code: 'USER_EXISTS' });
    }
  });

  it('answers 409 when the wallet already holds the id (a user from before a restart)', async () => {
    const first = await setUp();
    await createUser(first.app, { id: 'grace', role: 'officer' }).expect(201);
    // A new gateway over the same wallet, whose CA has forgotten nothing but whose id list omits grace.
    const second = await setUp();

    const res = await createUser(second.app, { id: 'grace', role: 'officer' });

    expect(res.status).toBe(409);
    expect((await second.wallet.list()).map((user) => user.id)).toEqual(['grace']);
  });

  it('answers 502 when the CA fails, stores nothing, and lets the id be tried again', async () => {
    const { app, ca, wallet } = await setUp();
    ca.failWith = new CertificateAuthorityError('could not register: connection refused');

    const res = await createUser(app, { id: 'heidi', role: 'officer' });
    ca.failWith = undefined;

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'CA_FAILED' });
    expect(JSON.stringify(res.body)).not.toContain('connection refused');
    expect(await wallet.list()).toEqual([]);
    await createUser(app, { id: 'heidi', role: 'officer' }).expect(201);
  });

  it('replays the first answer to a retry with the same Idempotency-Key, without the one-time token (never stored)', async () => {
    const storeFile = join(mkdtempSync(join(tmpdir(), 'idempotency-')), IDEMPOTENCY_DATABASE);
    const { app, ca } = await setUp(new FakeLedger(), new SqliteIdempotencyStore(storeFile));
    const send = () =>
      request(app)
        .post('/api/v1/admin/users')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .set('Idempotency-Key', 'create-ivan-1')
        .send({ id: 'ivan', role: 'officer' });

    const first = await send().expect(201);
    const retry = await send().expect(201);

    expect(retry.headers['idempotency-replayed']).toBe('true');
    const { token, ...withoutToken } = first.body as { token: string };
    expect(retry.body).toEqual(withoutToken);
    expect(ca.registered.size).toBe(1);
    // Neither the database nor its write-ahead log holds the token.
    const stored = Buffer.concat([storeFile, `${storeFile}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.includes(token)).toBe(false);
    expect(stored.includes('ivan')).toBe(true);
  });

  it('answers 503 when the gateway has no CA configured', async () => {
    const authenticator = createTokenAuthenticator(MSP_ID, [{ id: 'education-admin', role: 'admin', tokenSha256: sha256Hex(ADMIN_TOKEN) }]);
    const { app } = buildTestApp(new FakeLedger(), { authenticator });

    const res = await createUser(app, { id: 'judy', role: 'officer' });

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'USER_ENROLMENT_DISABLED' });
  });

  it('is described in the OpenAPI document as a bearer-secured submit accepting Idempotency-Key', async () => {
    const { app } = await setUp();

    const res = await request(app).get('/openapi.json').expect(200);

    const operation = (res.body as { paths: Record<string, Record<string, Record<string, unknown>>> }).paths['/api/v1/admin/users']?.post;
    expect(operation).toMatchObject({ operationId: 'createUser', security: [{ bearerAuth: [] }] });
    expect(JSON.stringify(operation?.parameters)).toContain('Idempotency-Key');
    expect(Object.keys(operation?.responses as object)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '502', '503']));
  });
});
