/**
 * API tokens on the real network: Education's admin issues, rotates and revokes tokens of its machine clients through
 * the running gateway; revoked and expired tokens get 401, live ones sign with their user's own Fabric identity.
 */
import { api } from './support/http';
import { operatorGatewayConfig, startGateway, testGatewayPort, waitUntil } from './support/gatewayProcess';
import { gatewaysFile } from './support/network';

interface Issued {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
  readonly expiresAt: string;
}

async function issue(userId: string, label: string): Promise<Issued> {
  const res = await api('education', 'POST', '/api/v1/admin/tokens', { role: 'admin', body: { userId, label, expiresInDays: 1 } });
  expect(res.status).toBe(201);
  return res.body as unknown as Issued;
}

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;

describe('API tokens administered by the department admin', () => {
  it('issues a token that reads the ledger as its user, and answers 401 once it is revoked', async () => {
    const issued = await issue('education-auditor', `audit export ${runId}`);

    const me = await api('education', 'GET', '/api/v1/me', { token: issued.token });
    expect(me.body).toEqual({ id: 'education-auditor', role: 'auditor', mspId: 'EducationMSP' });
    // A ledger read through the peer, signed by education-auditor.
    expect((await api('education', 'GET', '/api/v1/audit?org=EducationMSP&limit=1', { token: issued.token })).status).toBe(200);

    const listed = await api('education', 'GET', '/api/v1/admin/tokens?user=education-auditor&state=active', { role: 'admin' });
    expect((listed.body.items as { id: string }[]).map((item) => item.id)).toContain(issued.id);
    expect(JSON.stringify(listed.body)).not.toContain(issued.token);

    expect((await api('education', 'DELETE', `/api/v1/admin/tokens/${issued.id}`, { role: 'admin' })).body).toMatchObject({ state: 'revoked' });

    const refused = await api('education', 'GET', '/api/v1/me', { token: issued.token });
    expect(refused).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', detail: 'The bearer token has been revoked' } });
  });

  it('rotates a token: the new one works, the old one gets 401', async () => {
    const old = await issue('education-officer', `etl ${runId}`);

    const rotated = await api('education', 'POST', `/api/v1/admin/tokens/${old.id}/rotate`, { role: 'admin', body: {} });

    expect(rotated.status).toBe(201);
    const fresh = rotated.body as unknown as Issued;
    expect((await api('education', 'GET', '/api/v1/me', { token: fresh.token })).body).toMatchObject({ id: 'education-officer' });
    expect((await api('education', 'GET', '/api/v1/me', { token: old.token })).status).toBe(401);
    await api('education', 'DELETE', `/api/v1/admin/tokens/${fresh.id}`, { role: 'admin' });
  });

  it("does not let another department's admin touch Education's tokens", async () => {
    const issued = await issue('education-officer', `cross ${runId}`);

    // Finance's admin token means nothing to Education's gateway, and on its own gateway the id is unknown.
    const foreign = await api('education', 'DELETE', `/api/v1/admin/tokens/${issued.id}`, { token: gatewaysFile().finance.tokens.admin });
    expect(foreign.status).toBe(401);
    expect((await api('finance', 'DELETE', `/api/v1/admin/tokens/${issued.id}`, { role: 'admin' })).status).toBe(404);
    expect((await api('education', 'GET', '/api/v1/me', { token: issued.token })).status).toBe(200);
    await api('education', 'DELETE', `/api/v1/admin/tokens/${issued.id}`, { role: 'admin' });
  });

  it('answers 401 to a token once its expiry has passed, on a gateway connected to the real peer', async () => {
    const config = operatorGatewayConfig('education');
    delete config.dataExchange;
    delete config.apiTokens;
    const expiresAt = new Date(Date.now() + 4_000).toISOString();
    const users = (config.users as { id: string }[]).map((user) => (user.id === 'education-officer' ? { ...user, tokenExpiresAt: expiresAt } : user));
    const port = testGatewayPort(10);
    const gateway = startGateway({ ...config, users, listen: { host: '127.0.0.1', port } });
    try {
      const url = `http://127.0.0.1:${String(port)}`;
      const token = gatewaysFile().education.tokens.officer;
      const me = (): Promise<Response> => fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      await waitUntil(gateway, async () => (await fetch(`${url}/readyz`)).ok);
      expect((await me()).status).toBe(200);

      // Until the expiry passes it works; from then on 401 (polled: the condition is the clock passing expiresAt).
      await waitUntil(gateway, async () => (await me()).status === 401, 20_000);
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
      expect(await (await me()).json()).toMatchObject({ status: 401, detail: `The bearer token expired at ${expiresAt}` });
    } finally {
      await gateway.stop();
    }
  });
});
