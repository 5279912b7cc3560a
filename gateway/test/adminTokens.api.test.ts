import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';

import { ApiTokenStore, hashToken } from '../src/identity/apiTokens';
import { sha256Hex } from 'govshare-contract';
import { FakeLedger } from './support/fakeLedger';
import { buildTestApp, MSP_ID, OFFICER_TOKEN, TEST_TOKEN_HOLDERS } from './support/testApp';

const ADMIN_TOKEN = 'admin-token-5566778899';
const DAY_MS = 86_400_000;
const HOLDERS = [...TEST_TOKEN_HOLDERS, { id: 'education-admin', role: 'admin' as const, tokenSha256: sha256Hex(ADMIN_TOKEN) }];

let directory: string;
let storePath: string;
let nowMs: number;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'govshare-tokens-test-'));
  storePath = join(directory, 'tokens', 'education.json');
  nowMs = Date.parse('2026-12-02T12:00:00Z');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function setUp(holders: readonly Parameters<typeof ApiTokenStore.open>[1][number][] = HOLDERS) {
  const tokens = await ApiTokenStore.open({ mspId: MSP_ID, path: storePath, now: () => nowMs }, holders);
  const ledger = new FakeLedger();
  const { app } = buildTestApp(ledger, { authenticator: tokens, tokens });
  const as = (token: string) => ({
    get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => {
      const req = request(app).post(path).set('Authorization', `Bearer ${token}`);
      return body === undefined ? req : req.send(body);
    },
    delete: (path: string) => request(app).delete(path).set('Authorization', `Bearer ${token}`),
  });
  return { app, tokens, ledger, admin: as(ADMIN_TOKEN), as };
}

interface IssuedBody {
  id: string;
  token: string;
  expiresAt: string;
  state: string;
}

describe('/api/v1/admin/tokens', () => {
  it('issues a token for a user of the department that works at once, signs as that user and expires by default in 90 days', async () => {
    const { admin, as, ledger } = await setUp();

    const res = await admin.post('/api/v1/admin/tokens', { userId: 'education-officer', label: 'nightly export' });

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const issued = res.body as IssuedBody;
    expect(res.headers.location).toBe(`/api/v1/admin/tokens/${issued.id}`);
    expect(issued).toMatchObject({ userId: 'education-officer', role: 'officer', label: 'nightly export', source: 'issued', state: 'active', createdBy: 'education-admin' });
    expect(issued.token).toMatch(/^gst_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(issued.expiresAt)).toBe(nowMs + 90 * DAY_MS);

    await as(issued.token).get('/api/v1/datasets/x');
    expect(ledger.calls.map((call) => call.userId)).toEqual(['education-officer']);
  });

  it('stores only hashes, in a file only the gateway can read', async () => {
    const { admin } = await setUp();
    const { token } = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer' }).expect(201)).body as IssuedBody;

    const text = await readFile(storePath, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toContain(hashToken(token));
    expect((await stat(storePath)).mode & 0o777).toBe(0o600);
  });

  it('answers 401 once a token has expired', async () => {
    const { admin, as } = await setUp();
    const { token, expiresAt } = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer', expiresInDays: 1 }).expect(201)).body as IssuedBody;
    await as(token).get('/api/v1/me').expect(200);

    nowMs = Date.parse(expiresAt);
    const res = await as(token).get('/api/v1/me');

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED', detail: `The bearer token expired at ${expiresAt}` });
    const [listed] = ((await admin.get('/api/v1/admin/tokens?state=expired').expect(200)).body as { items: IssuedBody[] }).items;
    expect(listed?.token).toBeUndefined();
  });

  it('answers 401 to a revoked token, also after the gateway restarts', async () => {
    const { admin, as } = await setUp();
    const { id, token } = (await admin.post('/api/v1/admin/tokens', { userId: 'education-auditor' }).expect(201)).body as IssuedBody;

    const revoked = await admin.delete(`/api/v1/admin/tokens/${id}`);

    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, state: 'revoked', revokedBy: 'education-admin' });
    expect((await as(token).get('/api/v1/me')).body).toMatchObject({ status: 401, detail: 'The bearer token has been revoked' });
    // Revoking again changes nothing.
    expect((await admin.delete(`/api/v1/admin/tokens/${id}`).expect(200)).body).toEqual(revoked.body);

    const restarted = await setUp();
    expect((await restarted.as(token).get('/api/v1/me')).status).toBe(401);
  });

  it('revokes a token the operator configured, and keeps it revoked across restarts', async () => {
    const { admin, as } = await setUp();
    const list = (await admin.get('/api/v1/admin/tokens?user=education-officer').expect(200)).body as { items: { id: string; source: string }[] };
    const configured = list.items.find((item) => item.source === 'config');
    expect(configured?.id).toMatch(/^config\.education-officer\.[0-9a-f]{12}$/);

    await admin.delete(`/api/v1/admin/tokens/${configured?.id ?? ''}`).expect(200);

    expect((await as(OFFICER_TOKEN).get('/api/v1/me')).status).toBe(401);
    const restarted = await setUp();
    expect((await restarted.as(OFFICER_TOKEN).get('/api/v1/me')).status).toBe(401);
  });

  it('rotates: the new token works, the old one answers 401 at once', async () => {
    const { admin, as } = await setUp();
    const old = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer', label: 'etl' }).expect(201)).body as IssuedBody;

    const rotated = await admin.post(`/api/v1/admin/tokens/${old.id}/rotate`);

    expect(rotated.status).toBe(201);
    const fresh = rotated.body as IssuedBody;
    expect(fresh).toMatchObject({ userId: 'education-officer', label: 'etl', state: 'active' });
    expect(fresh.token).not.toBe(old.token);
    await as(fresh.token).get('/api/v1/me').expect(200);
    expect((await as(old.token).get('/api/v1/me')).status).toBe(401);
    expect((await admin.get(`/api/v1/admin/tokens/${old.id}`).expect(200)).body).toMatchObject({ state: 'revoked', rotatedTo: fresh.id });
  });

  it('rotates with an overlap: the old token works until the overlap ends', async () => {
    const { admin, as } = await setUp();
    const old = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer' }).expect(201)).body as IssuedBody;

    const fresh = (await admin.post(`/api/v1/admin/tokens/${old.id}/rotate`, { overlapSeconds: 60 }).expect(201)).body as IssuedBody;

    await as(old.token).get('/api/v1/me').expect(200);
    nowMs += 60_000;
    expect((await as(old.token).get('/api/v1/me')).status).toBe(401);
    await as(fresh.token).get('/api/v1/me').expect(200);
  });

  it('refuses to rotate a revoked token (409) and to issue past the maximum lifetime (422)', async () => {
    const { admin } = await setUp();
    const { id } = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer' }).expect(201)).body as IssuedBody;
    await admin.delete(`/api/v1/admin/tokens/${id}`).expect(200);

    expect((await admin.post(`/api/v1/admin/tokens/${id}/rotate`)).body).toMatchObject({ status: 409, code: 'TOKEN_NOT_ACTIVE' });
    expect((await admin.post('/api/v1/admin/tokens', { userId: 'education-officer', expiresInDays: 366 })).body).toMatchObject({ status: 422 });
  });

  it('answers 404 for an unknown user or token', async () => {
    const { admin } = await setUp();

    expect((await admin.post('/api/v1/admin/tokens', { userId: 'finance-officer' })).body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect((await admin.delete('/api/v1/admin/tokens/tok_00000000-0000-4000-8000-000000000000')).body).toMatchObject({ status: 404, code: 'TOKEN_NOT_FOUND' });
  });

  it('lists tokens without their secrets or hashes', async () => {
    const { admin } = await setUp();
    const { token } = (await admin.post('/api/v1/admin/tokens', { userId: 'education-officer' }).expect(201)).body as IssuedBody;

    const res = await admin.get('/api/v1/admin/tokens').expect(200);

    const text = JSON.stringify(res.body);
    expect(text).not.toContain(token);
    expect(text).not.toContain(hashToken(token));
    expect(text).not.toContain('sha256');
    expect((res.body as { items: unknown[] }).items).toHaveLength(HOLDERS.length + 1);
  });

  it.each([
    ['list', (as: Awaited<ReturnType<typeof setUp>>['as']) => as(OFFICER_TOKEN).get('/api/v1/admin/tokens')],
    ['issue', (as: Awaited<ReturnType<typeof setUp>>['as']) => as(OFFICER_TOKEN).post('/api/v1/admin/tokens', { userId: 'education-officer' })],
    ['revoke', (as: Awaited<ReturnType<typeof setUp>>['as']) => as(OFFICER_TOKEN).delete('/api/v1/admin/tokens/tok_00000000-0000-4000-8000-000000000000')],
  ])('answers 403 to a non-admin who tries to %s', async (_action, call) => {
    const { as, tokens } = await setUp();
    const before = tokens.list().length;

    expect((await call(as)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(tokens.list()).toHaveLength(before);
  });

  it('answers 503 when the gateway has no token store', async () => {
    const { app } = buildTestApp(new FakeLedger(), { authenticator: await ApiTokenStore.open({ mspId: MSP_ID }, HOLDERS) });

    const res = await request(app).get('/api/v1/admin/tokens').set('Authorization', `Bearer ${ADMIN_TOKEN}`);

    expect(res.body).toMatchObject({ status: 503, code: 'TOKEN_ADMINISTRATION_DISABLED' });
  });

  it('honours a configured token expiry', async () => {
    const { as } = await setUp([{ ...TEST_TOKEN_HOLDERS[0], tokenExpiresAt: new Date(nowMs + 1000).toISOString() }]);

    await as(OFFICER_TOKEN).get('/api/v1/me').expect(200);
    nowMs += 1000;
    expect((await as(OFFICER_TOKEN).get('/api/v1/me')).status).toBe(401);
  });

  it('is described in the OpenAPI document from the same schemas', async () => {
    const { app } = await setUp();

    const paths = ((await request(app).get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, { operationId: string }>> }).paths;

    expect(paths['/api/v1/admin/tokens']?.get?.operationId).toBe('listApiTokens');
    expect(paths['/api/v1/admin/tokens']?.post?.operationId).toBe('issueApiToken');
    expect(paths['/api/v1/admin/tokens/{id}']?.delete?.operationId).toBe('revokeApiToken');
    expect(paths['/api/v1/admin/tokens/{id}/rotate']?.post?.operationId).toBe('rotateApiToken');
  });
});
