/**
 * Issue 16's attacks on the data exchange, made as a malicious Finance department would make them: not through
 * any govshare code path, but with plain HTTPS requests to Education's exchange port and the keys Finance really
 * holds on its own machines (its gateway's and its peer's TLS keys, its MSP admin's, a user's certificate it
 * re-enrols for TLS from its own CA with the enrolment secret it keeps), plus an orderer's certificate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';
import { consensusMode, REPO_ROOT, STATE_DIR } from './support/network';

afterAll(closePeerSessions);

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const datasetId = `attack-${runId}`;
const NATIONAL_ID = `19800101-${String(process.pid % 10_000).padStart(4, '0')}`;
const records = [{ school: 'North High', nationalId: NATIONAL_ID }];

interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

const orgDir = (org: string): string => path.join(STATE_DIR, 'orgs', org);

function tlsPair(dir: string): KeyPair {
  return { cert: readFileSync(path.join(dir, 'server.crt')), key: readFileSync(path.join(dir, 'server.key')) };
}

/** The exchange endpoint of Education's gateway and the CA that issued its server certificate. */
function educationExchange(): { port: number; ca: Buffer } {
  const config = JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways', 'education.json'), 'utf8')) as {
    dataExchange: { listen: { port: number } };
  };
  return { port: config.dataExchange.listen.port, ca: readFileSync(path.join(STATE_DIR, 'ca', 'education', 'ca-cert.pem')) };
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** What curl --cert/--key would do: one GET over TLS with the given client certificate (or none). */
function rawGet(pathAndQuery: string, client: KeyPair | undefined): Promise<RawResponse> {
  const { port, ca } = educationExchange();
  const options: RequestOptions = {
    host: '127.0.0.1',
    port,
    path: pathAndQuery,
    method: 'GET',
    ca,
    servername: 'localhost',
    ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const codeOf = (response: RawResponse): unknown => (JSON.parse(response.text) as { code?: unknown }).code;

/** Finance re-enrols one of its own users with the TLS profile, as its operator can: the secret is Finance's. */
async function reenrolForTls(user: string): Promise<KeyPair> {
  const home = mkdtempSync(path.join(tmpdir(), 'govshare-attacker-'));
  try {
    const secret = readFileSync(path.join(orgDir('finance'), 'secrets', user), 'utf8').trim();
    const caPort = new URL(
      (JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways', 'finance.json'), 'utf8')) as { ca: { url: string } }).ca.url,
    ).port;
    await promisify(execFile)(
      path.join(caBinDir(), 'fabric-ca-client'),
      ['enroll', '-H', home, '--mspdir', path.join(home, 'tls'), '--enrollment.profile', 'tls', '--csr.hosts', 'localhost',
        '--caname', 'ca-finance', '--tls.certfiles', path.join(STATE_DIR, 'ca', 'finance', 'ca-cert.pem')],
      { env: { ...process.env, FABRIC_CA_CLIENT_URL: `https://${user}:${secret}@127.0.0.1:${caPort}` } },
    );
    const keystore = path.join(home, 'tls', 'keystore');
    const keyFile = readdirSync(keystore).find((name) => name.endsWith('_sk')) ?? '';
    return { cert: readFileSync(path.join(home, 'tls', 'signcerts', 'cert.pem')), key: readFileSync(path.join(keystore, keyFile)) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function caBinDir(): string {
  const config = JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways', 'finance.json'), 'utf8')) as { ca: { clientBinary: string } };
  return path.dirname(config.ca.clientBinary);
}

describe("attacks on Education's data exchange with the keys Finance holds", () => {
  let grantId = '';
  const dataUrl = (fields: string): string => `/exchange/datasets/${datasetId}/data?fields=${fields}`;

  beforeAll(async () => {
    const registered = await api('education', 'POST', '/api/v1/datasets', {
      body: {
        id: datasetId,
        title: 'Pupils',
        description: 'Pupils and their schools',
        classification: 'RESTRICTED',
        fingerprint: '0'.repeat(64),
        themes: ['education'],
        fields: [
          { name: 'school', type: 'STRING', sensitivity: 'NONE' },
          { name: 'nationalId', type: 'STRING', sensitivity: 'PERSONAL' },
        ],
      },
    });
    expect(registered.status).toBe(201);
    expect((await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: records })).status).toBe(200);
    const requested = await api('finance', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'POLICY_EVALUATION', text: 'Schools per municipality' },
        legalBasis: 'Statistics Act s.3',
        fields: ['school'],
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(requested.status).toBe(201);
    grantId = String(requested.body.id);
    expect((await api('education', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver' })).status).toBe(200);
  });

  test("Finance's gateway certificate gets only the granted field: the personal one never leaves Education", async () => {
    const gateway = tlsPair(path.join(orgDir('finance'), 'nodes', 'gateway.finance', 'tls'));

    const granted = await rawGet(dataUrl('school'), gateway);
    const widened = await rawGet(dataUrl('school,nationalId'), gateway);

    expect(granted.status).toBe(200);
    expect(JSON.parse(granted.text)).toEqual([{ school: 'North High' }]);
    expect(granted.text).not.toContain(NATIONAL_ID);
    expect(granted.headers['x-grant-id']).toBe(grantId);
    expect(widened.status).toBe(403);
    expect(JSON.parse(widened.text)).toMatchObject({ code: 'ACCESS_DENIED', reason: 'FIELDS_OUT_OF_SCOPE' });
    expect(widened.text).not.toContain(NATIONAL_ID);
  });

  test('every answer of the exchange, a request with no grant at all included, is on the ledger, recorded by Education before release', async () => {
    const financeGateway = tlsPair(path.join(orgDir('finance'), 'nodes', 'gateway.finance', 'tls'));
    const justiceGateway = tlsPair(path.join(orgDir('justice'), 'nodes', 'gateway.justice', 'tls'));

    const granted = await rawGet(dataUrl('school'), financeGateway);
    const widened = await rawGet(dataUrl('school,nationalId'), financeGateway);
    const noGrant = await rawGet(dataUrl('school'), justiceGateway);

    expect([granted.status, widened.status, noGrant.status]).toEqual([200, 403, 403]);
    expect(JSON.parse(noGrant.text)).toMatchObject({ code: 'ACCESS_DENIED', reason: 'NO_GRANT' });
    const receiptHeader = granted.headers['x-access-receipt'];
    expect(typeof receiptHeader).toBe('string');
    const receipt = (JSON.parse(Buffer.from(String(receiptHeader), 'base64url').toString('utf8')) as { receipt: { txId: string } }).receipt;
    const txIds = [receipt.txId, ...[widened, noGrant].map((response) => String((JSON.parse(response.text) as { txId?: unknown }).txId))];

    const trail = await api('education', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });
    const byTx = new Map((trail.body.items as { txId: string }[]).map((record) => [record.txId, record]));
    // [outcome, actor, actor id, requester, reason] of each recorded answer, in the order they were made.
    const summary = txIds.map((txId) => {
      const record = byTx.get(txId) as { type: string; outcome: string; actorMsp: string; actorId: string; details: Record<string, unknown> } | undefined;
      return record === undefined ? ['missing', txId] : [record.type, record.outcome, record.actorMsp, record.actorId, record.details.requesterMsp, record.details.reason];
    });
    expect(summary).toEqual([
      ['DATA_ACCESSED', 'GRANTED', 'EducationMSP', 'gateway.education', 'FinanceMSP', 'ACTIVE'],
      ['DATA_ACCESSED', 'DENIED', 'EducationMSP', 'gateway.education', 'FinanceMSP', 'FIELDS_OUT_OF_SCOPE'],
      ['DATA_ACCESSED', 'DENIED', 'EducationMSP', 'gateway.education', 'JusticeMSP', 'NO_GRANT'],
    ]);
  });

  test.each([
    ["Finance's peer TLS certificate", () => tlsPair(path.join(orgDir('finance'), 'nodes', 'peer0.finance', 'tls'))],
    ["Finance's MSP admin TLS certificate", () => tlsPair(path.join(orgDir('finance'), 'users', 'finance-msp-admin', 'tls'))],
  ])('%s is refused 403 EXCHANGE_CLIENT_NOT_GATEWAY', async (_name, keys) => {
    const response = await rawGet(dataUrl('school'), keys());

    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('EXCHANGE_CLIENT_NOT_GATEWAY');
    expect(response.text).not.toContain('North High');
  });

  test("a Finance user's certificate re-enrolled with the TLS profile is refused 403 EXCHANGE_CLIENT_NOT_GATEWAY", async () => {
    const officerTls = await reenrolForTls('finance-officer');
    expect(officerTls.cert.toString()).toContain('BEGIN CERTIFICATE');

    const response = await rawGet(dataUrl('school'), officerTls);

    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('EXCHANGE_CLIENT_NOT_GATEWAY');
  });

  test("an orderer's certificate, and no certificate at all, are refused 403", async () => {
    // With SmartBFT, Finance runs an orderer of its own, enrolled from Finance's CA: its TLS certificate is one
    // Finance really holds and one the exchange's handshake accepts, so it is refused as not a gateway. With
    // Raft the orderers belong to OrdererMSP, whose CA the exchange does not trust at all.
    const bft = consensusMode() === 'bft';
    const ordererTls = bft
      ? path.join(orgDir('finance'), 'nodes', 'orderer0.finance', 'tls')
      : path.join(orgDir('orderer'), 'nodes', 'orderer1', 'tls');
    const orderer = await rawGet(dataUrl('school'), tlsPair(ordererTls));
    const anonymous = await rawGet(dataUrl('school'), undefined);

    expect([orderer.status, anonymous.status]).toEqual([403, 403]);
    expect([codeOf(orderer), codeOf(anonymous)]).toEqual([
      bft ? 'EXCHANGE_CLIENT_NOT_GATEWAY' : 'EXCHANGE_CLIENT_UNTRUSTED',
      'EXCHANGE_CLIENT_UNTRUSTED',
    ]);
  });

  test("Finance's own gateway fetch through its API still works and hands on only the granted field", async () => {
    const fetched = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);

    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ grantId, fields: ['school'], data: [{ school: 'North High' }] });
    expect(JSON.stringify(fetched.body)).not.toContain(NATIONAL_ID);
  });

  test("with Education's own peer down its exchange answers 503, never a decision from another org's peer", async () => {
    const gateway = tlsPair(path.join(orgDir('finance'), 'nodes', 'gateway.finance', 'tls'));
    const network = (...args: string[]) => promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), ...args]);
    await network('stop', 'peer0.education');
    try {
      const response = await rawGet(dataUrl('school'), gateway);

      expect(response.status).toBe(503);
      expect(response.text).not.toContain('North High');
    } finally {
      await network('start', 'peer0.education');
      // Leave the network as it was found: the next test may ask Education's peer for endorsements by the
      // other orgs, which it plans from gossip, and right after a restart it has not yet met them all (a CI
      // run got "failed to find any endorsing peers for org(s): AuditMSP" in decision-attacks just after this).
      await network('discovered', 'education');
    }
    // Serving again once the peer is back (the gateway reconnects by itself).
    let status = 0;
    for (let attempt = 0; attempt < 150 && status !== 200; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await rawGet(dataUrl('school'), gateway)).status;
    }
    expect(status).toBe(200);
  });
});
