/**
 * Real sign-in on the real network: a department user signs in with Education's OpenID Connect provider (a real
 * oidc-provider started here, authorization code + PKCE), calls Education's gateway with the JWT access token, is
 * enrolled with Education's Fabric CA on first use, and the committed transaction's creator is that user's own
 * certificate, issued by Education's CA. Revoked sign-ins get 401.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { common, msp, peer } from '@hyperledger/fabric-protos';

import { TestOidcProvider } from '../../gateway/test/support/oidcProvider';
import { connectAs, type FabricSession } from './support/fabric';
import { operatorGatewayConfig, startGateway, testGatewayPort, waitUntil, type GatewayProcess } from './support/gatewayProcess';
import { CHANNEL, gatewaysFile, tlsRootCertOf } from './support/network';
import { step } from './support/steps';

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const AUDIENCE = 'https://gateway.education.govshare.test';
const username = `oidc-${runId}`;

let provider: TestOidcProvider;
let gateway: GatewayProcess;
let walletDir: string;
let session: FabricSession;
const port = testGatewayPort(20);
const url = `http://127.0.0.1:${String(port)}`;

beforeAll(async () => {
  provider = await TestOidcProvider.start({ audience: AUDIENCE, accounts: [{ username, role: 'officer' }], accessTokenTtlSeconds: 600 });
  walletDir = mkdtempSync(path.join(tmpdir(), 'govshare-oidc-wallet-'));
  const config = operatorGatewayConfig('education');
  delete config.dataExchange;
  delete config.apiTokens;
  gateway = startGateway({
    ...config,
    listen: { host: '127.0.0.1', port },
    ca: { ...(config.ca as Record<string, unknown>), walletDir },
    oidc: { issuer: provider.issuer, audience: AUDIENCE, revocationsPath: path.join(walletDir, 'revocations.json') },
  });
  await waitUntil(gateway, async () => (await fetch(`${url}/readyz`)).ok);
  session = connectAs('education', 'auditor');
});

afterAll(async () => {
  session.close();
  await gateway.stop();
  await provider.stop();
  rmSync(walletDir, { recursive: true, force: true });
});

const call = (method: string, route: string, token: string, body?: unknown): Promise<Response> =>
  fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The creator certificate of a committed transaction, read from Education's peer (qscc GetTransactionByID). */
async function creatorOf(txId: string): Promise<string> {
  const bytes = await session.network
    .getContract('qscc')
    .newProposal('GetTransactionByID', { arguments: [CHANNEL, txId], endorsingOrganizations: ['EducationMSP'] })
    .evaluate();
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) throw new Error(`no envelope for ${txId}`);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array());
  const creator = msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8());
  expect(creator.getMspid()).toBe('EducationMSP');
  return Buffer.from(creator.getIdBytes_asU8()).toString('utf8');
}

describe('a department user signed in with OIDC', () => {
  /** The user's first sign-in, whose token the gateway has seen (which enrols the user with the CA). */
  const signedIn = step('the user signs in and calls the gateway once', async () => {
    const accessToken = await provider.signIn(username);
    return { accessToken, me: await call('GET', '/api/v1/me', accessToken) };
  });

  it('is enrolled with the CA on first use and signs the transaction with its own certificate', async () => {
    const { accessToken, me } = await signedIn();
    expect(await me.json()).toEqual({ id: username, role: 'officer', mspId: 'EducationMSP' });

    const datasetId = `oidc-${runId}`;
    const registered = await call('POST', '/api/v1/datasets', accessToken, {
      id: datasetId,
      title: 'Registered by a user signed in with OIDC',
      description: 'Signed with the certificate enrolled on first sign-in',
      classification: 'PUBLIC',
      fingerprint: createHash('sha256').update(datasetId).digest('hex'),
    });
    expect(registered.status).toBe(201);
    const { txId } = (await registered.json()) as { txId: string };

    const creatorPem = await creatorOf(txId);
    const enrolledPem = readFileSync(path.join(walletDir, 'users', username, 'cert.pem'), 'utf8');
    const creator = new X509Certificate(creatorPem);
    expect(creator.fingerprint256).toBe(new X509Certificate(enrolledPem).fingerprint256);
    expect(creator.subject).toContain(`CN=${username}`);
    expect(creator.verify(new X509Certificate(tlsRootCertOf('education')).publicKey)).toBe(true);
    // Not one of the gateway's configured identities.
    expect(creator.fingerprint256).not.toBe(new X509Certificate(readFileSync((operatorGatewayConfig('education').users as { certPath: string }[])[0]?.certPath ?? '')).fingerprint256);
  });

  it("answers 401 once Education's admin revoked the user's sign-ins", async () => {
    const { accessToken } = await signedIn();
    const revoked = await call('POST', `/api/v1/admin/sign-ins/${username}/revoke`, gatewaysFile().education.tokens.admin);
    expect(revoked.status).toBe(200);

    const refused = await call('GET', '/api/v1/me', accessToken);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ detail: 'The sign-in was revoked by the department admin: sign in again' });
  });

  it("is refused by another department's gateway, whose provider and audience differ", async () => {
    const finance = await fetch(`${gatewaysFile().finance.url}/api/v1/me`, { headers: { authorization: `Bearer ${await provider.signIn(username)}` } });
    expect(finance.status).toBe(401);
  });
});
