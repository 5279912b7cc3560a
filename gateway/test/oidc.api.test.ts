/**
 * OIDC sign-in against a real provider (oidc-provider, started here): users sign in with the authorization code flow
 * and PKCE, call the API with the JWT access token, and are enrolled with the CA on first use. Expiry, key rotation,
 * revocation and tokens from other issuers or audiences are refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SignJWT, importJWK } from 'jose';
import { sha256Hex } from 'govshare-contract';
import request from 'supertest';

import { OidcConfigSchema, type Role, type UserConfig } from '../src/config';
import { ApiTokenStore } from '../src/identity/apiTokens';
import { IdentityExistsError, type CertificateAuthority } from '../src/identity/certificateAuthority';
import { createOidcAuthenticator } from '../src/identity/oidcAuthenticator';
import { createUserProvisioning } from '../src/identity/oidcUsers';
import { FileSignInRevocations } from '../src/identity/signInRevocations';
import { byTokenShape } from '../src/identity/tokenAuthenticator';
import { FileWallet } from '../src/identity/wallet';
import { FakeLedger } from './support/fakeLedger';
import { newSigningKey, TestOidcProvider } from './support/oidcProvider';
import { buildTestApp, MSP_ID, validRegistration } from './support/testApp';

const AUDIENCE = 'https://education.gateway.govshare.test';
const ADMIN_TOKEN = 'admin-token-5566778899';

class RecordingCa implements CertificateAuthority {
  readonly enrolled: { id: string; role: Role }[] = [];
  registerAndEnroll(id: string, role: Role): Promise<{ certPem: string; keyPem: string }> {
    if (this.enrolled.some((entry) => entry.id === id)) return Promise.reject(new IdentityExistsError(id));
    this.enrolled.push({ id, role });
    return Promise.resolve({ certPem: `CERT ${id}\n`, keyPem: `KEY ${id}\n` });
  }
}

// A real provider and real key generation on a shared 2-core machine: generous per-test time.
jest.setTimeout(30_000);

let provider: TestOidcProvider;
let directory: string;

beforeAll(async () => {
  provider = await TestOidcProvider.start({
    audience: AUDIENCE,
    accounts: [
      { username: 'ada.lovelace', role: 'officer' },
      { username: 'grace.hopper', role: 'auditor' },
      { username: 'no-role', role: 'janitor' },
      { username: 'education-officer', role: 'approver' },
    ],
    accessTokenTtlSeconds: 3,
  });
});

afterAll(async () => {
  await provider.stop();
});

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'govshare-oidc-test-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function setUp(overrides: Record<string, unknown> = {}) {
  const config = OidcConfigSchema.parse({ issuer: provider.issuer, audience: AUDIENCE, jwksCooldownSeconds: 0, jwksCacheMaxAgeSeconds: 1, clockToleranceSeconds: 0, ...overrides });
  const ca = new RecordingCa();
  const wallet = new FileWallet(join(directory, 'wallet'));
  const tokens = await ApiTokenStore.open({ mspId: MSP_ID }, [
    { id: 'education-admin', role: 'admin', tokenSha256: sha256Hex(ADMIN_TOKEN) },
    { id: 'education-officer', role: 'officer', tokenSha256: sha256Hex('officer-token') },
  ]);
  const revocations = await FileSignInRevocations.open(join(directory, 'revocations.json'));
  const activated: UserConfig[] = [];
  const authenticator = byTokenShape(
    tokens,
    createOidcAuthenticator({
      config,
      mspId: MSP_ID,
      revocations,
      users: createUserProvisioning({
        mspId: MSP_ID,
        ca,
        wallet,
        knownRole: (id) => tokens.roleOf(id),
        activate: (user) => {
          activated.push(user);
          tokens.addOwner(user);
          return Promise.resolve();
        },
      }),
    }),
  );
  const ledger = new FakeLedger();
  const { app } = buildTestApp(ledger, { authenticator, oidc: { config, revocations } });
  const me = (token: string) => request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  return { app, ca, wallet, ledger, activated, me };
}

describe('OIDC sign-in', () => {
  it('accepts the access token of a signed-in user, enrolls the user with the CA on first use and signs as that user', async () => {
    const { app, ca, wallet, ledger, me } = await setUp();
    const accessToken = await provider.signIn('ada.lovelace');

    expect((await me(accessToken)).body).toEqual({ id: 'ada.lovelace', role: 'officer', mspId: MSP_ID });
    await request(app).post('/api/v1/datasets').set('Authorization', `Bearer ${accessToken}`).send(validRegistration).expect(201);

    expect(ca.enrolled).toEqual([{ id: 'ada.lovelace', role: 'officer' }]);
    expect((await wallet.list()).map((user) => user.id)).toEqual(['ada.lovelace']);
    expect(ledger.calls.map((call) => call.userId)).toEqual(['ada.lovelace']);
  });

  it('enrolls a user once, however many requests its first sign-in makes at once', async () => {
    const { ca, me } = await setUp();
    const accessToken = await provider.signIn('grace.hopper');

    const answers = await Promise.all([me(accessToken), me(accessToken), me(accessToken)]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(ca.enrolled).toEqual([{ id: 'grace.hopper', role: 'auditor' }]);
  });

  it('answers 401 once the access token has expired', async () => {
    const { me } = await setUp();
    const accessToken = await provider.signIn('ada.lovelace');
    await me(accessToken).expect(200);
    const { exp } = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };

    // The provider issued it for 3 s; poll until the clock passes exp (no tolerance configured here).
    let status = 200;
    while (status === 200) {
      status = (await me(accessToken)).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }

    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect((await me(accessToken)).body).toMatchObject({ status: 401, detail: 'The access token has expired: sign in again' });
  });

  it('follows a key rotation: tokens signed with the new key verify without a restart; once the old key is withdrawn its tokens get 401', async () => {
    // Its own provider, whose tokens outlive the test, so only the key decides.
    const first = newSigningKey('key-1');
    const rotating = await TestOidcProvider.start({ audience: AUDIENCE, accounts: [{ username: 'ada.lovelace', role: 'officer' }], accessTokenTtlSeconds: 600 }, [first]);
    try {
      await rotation(rotating, first);
    } finally {
      await rotating.stop();
    }
  });

  async function rotation(provider: TestOidcProvider, first: ReturnType<typeof newSigningKey>): Promise<void> {
    const { me } = await setUp({ issuer: provider.issuer });
    const oldToken = await provider.signIn('ada.lovelace');
    await me(oldToken).expect(200);

    const second = newSigningKey('key-2');
    await provider.rotateKeys([second, first]);
    const newToken = await provider.signIn('ada.lovelace');
    expect(JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ kid: 'key-2' });
    await me(newToken).expect(200);
    await me(oldToken).expect(200);

    await provider.rotateKeys([second]);
    // The gateway refetches the key set once its cache (1 s here) is stale.
    let status = 200;
    const deadline = Date.now() + 10_000;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await me(oldToken)).status;
    }
    expect((await me(oldToken)).body).toMatchObject({ status: 401, detail: 'The access token is signed with a key the identity provider does not publish' });
    await me(newToken).expect(200);
  }

  it("answers 401 to a user's access tokens once the department admin revoked the user's sign-ins, and accepts a new sign-in", async () => {
    const { app, me } = await setUp();
    const before = await provider.signIn('grace.hopper');
    await me(before).expect(200);

    const revoked = await request(app).post('/api/v1/admin/sign-ins/grace.hopper/revoke').set('Authorization', `Bearer ${ADMIN_TOKEN}`);

    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ userId: 'grace.hopper', revokedBy: 'education-admin' });
    expect((await me(before)).body).toMatchObject({ status: 401, detail: 'The sign-in was revoked by the department admin: sign in again' });
    // iat has whole seconds: a sign-in in a later second is accepted.
    const revokedAt = Date.parse((revoked.body as { revokedAt: string }).revokedAt);
    while (Math.floor(Date.now() / 1000) * 1000 <= revokedAt) await new Promise((resolve) => setTimeout(resolve, 100));
    await me(await provider.signIn('grace.hopper')).expect(200);
  });

  it('keeps revocations across a gateway restart', async () => {
    const first = await setUp();
    const token = await provider.signIn('grace.hopper');
    await request(first.app).post('/api/v1/admin/sign-ins/grace.hopper/revoke').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);

    const restarted = await setUp();
    expect((await restarted.me(token)).status).toBe(401);
  });

  it('refuses a non-admin revoking sign-ins', async () => {
    const { app } = await setUp();
    const officer = await provider.signIn('ada.lovelace');

    expect((await request(app).post('/api/v1/admin/sign-ins/grace.hopper/revoke').set('Authorization', `Bearer ${officer}`)).status).toBe(403);
  });

  it('refuses a token for another audience, from another issuer, or signed by a key the provider never published', async () => {
    const { me } = await setUp({ audience: 'https://finance.gateway.govshare.test' });
    const forEducation = await provider.signIn('ada.lovelace');
    expect((await me(forEducation)).body).toMatchObject({ status: 401, detail: expect.stringContaining('aud') as string });

    const other = await setUp({ issuer: 'http://127.0.0.1:1', jwksUri: `${provider.issuer}/jwks` });
    expect((await other.me(forEducation)).body).toMatchObject({ status: 401, detail: expect.stringContaining('iss') as string });

    // An attacker's own key, with the provider's issuer, audience and a kid it uses.
    const forged = await new SignJWT({ preferred_username: 'education-admin', govshare_role: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(await importJWK(newSigningKey('key-1').jwk as Parameters<typeof importJWK>[0], 'ES256'));
    const { me: meHere } = await setUp();
    expect((await meHere(forged)).status).toBe(401);
  });

  it('refuses a token whose role claim names no govshare role, and a role that differs from the enrolled identity', async () => {
    const { me } = await setUp();

    expect((await me(await provider.signIn('no-role'))).body).toMatchObject({ status: 401, detail: "The access token's govshare_role claim names no govshare role" });
    // education-officer is a configured officer; the provider says approver: the certificate's role cannot change.
    expect((await me(await provider.signIn('education-officer'))).body).toMatchObject({ status: 401, detail: expect.stringContaining('carries the role officer') as string });
  });

  it('answers 503 while the identity provider cannot be reached', async () => {
    const { me } = await setUp({ issuer: 'http://127.0.0.1:1' });
    const token = await provider.signIn('ada.lovelace');

    const res = await me(token);

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
  });

  it('tells the console how to sign in, and its CSP lets it reach the provider', async () => {
    const { app } = await setUp({ console: { clientId: 'govshare-console' } });

    const res = await request(app).get('/sign-in').expect(200);

    expect(res.body).toEqual({ oidc: { issuer: provider.issuer, clientId: 'govshare-console', scope: 'openid profile', resource: AUDIENCE } });
    const page = await request(app).get('/console/');
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${provider.issuer}`);
  });

  it('keeps API tokens working beside OIDC', async () => {
    const { me } = await setUp();

    expect((await me('officer-token')).body).toMatchObject({ id: 'education-officer' });
  });
});
