import request from 'supertest';
import { sha256Hex } from 'govshare-contract';

import { createTokenAuthenticator } from '../src/identity/tokenAuthenticator';
import { AUDITOR_TOKEN, buildTestApp, validRegistration } from './support/testApp';

describe('bearer token authentication', () => {
  it.each([
    ['missing', undefined],
    ['unknown', 'Bearer not-a-known-token'],
    ['malformed (no scheme)', AUDITOR_TOKEN],
    ['malformed (Basic)', 'Basic dXNlcjpwYXNz'],
    ['malformed (empty token)', 'Bearer '],
  ])('rejects a %s token with 401 problem', async (_case, header) => {
    const { app, ledger } = buildTestApp();
    const req = request(app).get('/api/v1/datasets/anything');
    if (header !== undefined) {
      void req.set('Authorization', header);
    }

    const res = await req;

    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="govshare"');
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(ledger.calls).toHaveLength(0);
  });

  it('authenticates before parsing the body', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set('Content-Type', 'application/json').send('{bad');

    expect(res.status).toBe(401);
  });

  it('submits with the identity of whichever user presented the token', async () => {
    const { app, ledger } = buildTestApp();

    await request(app)
      .post('/api/v1/datasets')
      .set('Authorization', `Bearer ${AUDITOR_TOKEN}`)
      .send(validRegistration)
      .expect(201);

    expect(ledger.calls.map((c) => c.userId)).toEqual(['education-auditor']);
  });
});

describe('createTokenAuthenticator', () => {
  const authenticator = createTokenAuthenticator('FinanceMSP', [
    { id: 'finance-officer', role: 'officer', tokenSha256: sha256Hex('t1') },
    { id: 'finance-admin', role: 'admin', tokenSha256: sha256Hex('t2') },
  ]);

  it('resolves a token to its user, role and MSP', () => {
    expect(authenticator.authenticate('t2')).toEqual({ id: 'finance-admin', role: 'admin', mspId: 'FinanceMSP' });
  });

  it('returns undefined for an unknown token', () => {
    expect(authenticator.authenticate('t3')).toBeUndefined();
    expect(authenticator.authenticate('')).toBeUndefined();
  });
});
