import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';
import request from 'supertest';
import { CheckAccess, ReadDataset, RecordDelivery, sha256Hex } from 'govshare-contract';

import { createExchangeApp, DEFAULT_EXCHANGE_LIMITS, type ExchangeLimits } from '../src/exchange/exchangeServer';
import { canonicalPayload } from '../src/exchange/payload';
import { FilePayloadStore, type PayloadStore } from '../src/exchange/payloadStore';
import { classifyExchangeClient, peerMspOf, type ExchangeClient, type ExchangePeer } from '../src/exchange/peers';
import type { AccessReceiptBody, SignedAccessReceipt } from '../src/exchange/receipts';
import { FabricUnavailableError } from '../src/fabric/errors';
import { fabricAttributes } from '../src/identity/certificateAttributes';
import { createDatasetService } from '../src/services/datasetService';
import { createGrantService } from '../src/services/grantService';
import { MemoryPayloadStore } from './support/fakeExchange';
import { FakeLedger } from './support/fakeLedger';
import { dataset } from './support/fixtures';

const payload = canonicalPayload([{ district: 'N1', convictions: 3, defendant: '19800101-1234' }]);
const fingerprint = sha256Hex(payload);

const asGateway = (mspId: string): ExchangeClient => ({ kind: 'gateway', mspId });

/** Signs nothing: the receipt as the exchange built it, so that the tests can read it back from the header. */
const fakeSign = (receipt: AccessReceiptBody): SignedAccessReceipt => ({ receipt, signature: 'c2lnbmF0dXJlLW9mLXRoZS10ZXN0', certificate: 'x'.repeat(100) });

function exchangeApp(
  client: ExchangeClient,
  decision: 'GRANTED' | 'DENIED',
  stored = true,
  limits: ExchangeLimits = DEFAULT_EXCHANGE_LIMITS,
  store: PayloadStore = new MemoryPayloadStore(),
  options: { recorded?: 'GRANTED' | 'DENIED' | 'unavailable' } = {},
) {
  const ledger = new FakeLedger()
    .on(ReadDataset, () => dataset({ fingerprint }))
    .on(CheckAccess, ({ requesterMsp }) =>
      decision === 'GRANTED'
        ? { decision, reason: 'ACTIVE', grantId: 'grant1' }
        : { decision, reason: requesterMsp === 'EducationMSP' ? 'ENDED' : 'NO_GRANT', grantId: 'grant1' },
    )
    .on(RecordDelivery, ({ delivery }, _user, txId) => {
      const recorded = options.recorded ?? decision;
      if (recorded === 'unavailable') throw new FabricUnavailableError('No endorsing peers available during endorse; retry later');
      return {
        ...delivery,
        auditId: txId,
        txId,
        timestamp: '2026-12-02T12:00:00.000Z',
        decision: recorded,
        reason: recorded === 'GRANTED' ? 'ACTIVE' : 'ENDED',
        grantId: 'grant1',
        ownerMsp: 'JusticeMSP',
      };
    });
  if (stored) void store.save('jus.convictions', fingerprint, payload);
  const app = createExchangeApp({
    logger: pino({ level: 'silent' }),
    mspId: 'JusticeMSP',
    serviceUser: { id: 'gateway.justice', role: 'officer', mspId: 'JusticeMSP' },
    datasets: createDatasetService(ledger),
    grants: createGrantService(ledger),
    store,
    signReceipt: fakeSign,
    identifyClient: () => client,
    limits,
  });
  return { app, ledger };
}

/** A store whose first load waits until released: a transfer held in progress. */
class GatedStore extends MemoryPayloadStore {
  #release: () => void = () => undefined;
  #gate = new Promise<void>((resolve) => {
    this.#release = resolve;
  });
  #signal: () => void = () => undefined;
  readonly waiting = new Promise<void>((resolve) => {
    this.#signal = resolve;
  });
  #first = true;

  override async load(datasetId: string, sha256: string): Promise<Buffer | undefined> {
    if (this.#first) {
      this.#first = false;
      this.#signal();
      await this.#gate;
    }
    return await super.load(datasetId, sha256);
  }

  release(): void {
    this.#release();
  }
}

describe('the owner side of the data exchange', () => {
  it('sends a department the ledger grants access only the fields it asked for, projected here', async () => {
    const { app, ledger } = exchangeApp(asGateway('EducationMSP'), 'GRANTED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district,convictions').buffer(true);

    const projected = canonicalPayload([{ district: 'N1', convictions: 3 }]);
    expect(res.status).toBe(200);
    expect(Buffer.from(res.text)).toEqual(projected);
    expect(res.text).not.toContain('19800101-1234');
    expect(res.headers['x-payload-sha256']).toBe(sha256Hex(projected));
    expect(res.headers['x-content-fingerprint']).toBe(fingerprint);
    expect(res.headers['x-grant-id']).toBe('grant1');
    expect(ledger.calls.find((c) => c.txName === 'CheckAccess')).toMatchObject({
      userId: 'gateway.justice',
      args: ['jus.convictions', 'EducationMSP', '["district","convictions"]'],
    });
    // Recorded by the gateway identity before the release, naming exactly what was sent.
    const recorded = ledger.calls.find((c) => c.txName === 'RecordDelivery');
    expect(recorded).toMatchObject({ kind: 'submit', userId: 'gateway.justice' });
    expect(JSON.parse(recorded?.args[0] ?? '{}')).toEqual({
      datasetId: 'jus.convictions',
      requesterMsp: 'EducationMSP',
      fields: ['district', 'convictions'],
      contentFingerprint: fingerprint,
      payloadSha256: sha256Hex(projected),
    });
    const header = String(res.headers['x-access-receipt']);
    expect((JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as SignedAccessReceipt).receipt).toEqual({
      datasetId: 'jus.convictions',
      grantId: 'grant1',
      ownerMsp: 'JusticeMSP',
      requesterMsp: 'EducationMSP',
      fields: ['district', 'convictions'],
      payloadSha256: sha256Hex(projected),
      contentFingerprint: fingerprint,
      txId: 'tx0001',
      blockNumber: '42',
      timestamp: '2026-12-02T12:00:00.000Z',
    });
  });

  it('records a refusal too, and answers 403 with the committed record and no data', async () => {
    const { app, ledger } = exchangeApp(asGateway('EducationMSP'), 'DENIED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ACCESS_DENIED', receipt: { decision: 'DENIED', txId: 'tx0001', blockNumber: '42' } });
    expect(res.headers['x-access-receipt']).toBeUndefined();
    expect(ledger.calls.filter((c) => c.txName === 'RecordDelivery')).toHaveLength(1);
  });

  it('releases nothing when the ledger refuses at record time (revoked meanwhile)', async () => {
    const { app } = exchangeApp(asGateway('EducationMSP'), 'GRANTED', true, DEFAULT_EXCHANGE_LIMITS, new MemoryPayloadStore(), { recorded: 'DENIED' });

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.text).not.toContain('N1');
  });

  it('answers 503 DELIVERY_NOT_RECORDED and releases nothing when the record cannot be committed', async () => {
    const { app } = exchangeApp(asGateway('EducationMSP'), 'GRANTED', true, DEFAULT_EXCHANGE_LIMITS, new MemoryPayloadStore(), { recorded: 'unavailable' });

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DELIVERY_NOT_RECORDED' });
    expect(res.text).not.toContain('N1');
  });

  it('refuses with 403 and the reason when the ledger denies access', async () => {
    const { app } = exchangeApp(asGateway('EducationMSP'), 'DENIED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'ENDED' });
    expect(res.text).not.toContain('N1');
  });

  it.each([
    [{ kind: 'untrusted', detail: 'no certificate' } as const, 'EXCHANGE_CLIENT_UNTRUSTED'],
    [{ kind: 'not-gateway', mspId: 'EducationMSP', detail: 'a peer certificate' } as const, 'EXCHANGE_CLIENT_NOT_GATEWAY'],
  ])('refuses a client that is no department gateway (%o) with 403 %s, before asking the ledger', async (client, code) => {
    const { app, ledger } = exchangeApp(client, 'GRANTED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code });
    expect(ledger.calls).toHaveLength(0);
  });

  it('limits the requests of each requesting organisation per window (429), not the others', async () => {
    const limits = { ...DEFAULT_EXCHANGE_LIMITS, maxRequests: 2 };
    const store = new MemoryPayloadStore();
    const education = exchangeApp(asGateway('EducationMSP'), 'GRANTED', true, limits, store);
    const url = '/exchange/datasets/jus.convictions/data?fields=district';

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(education.app).get(url)).status);

    expect(statuses).toEqual([200, 200, 429]);
  });

  it('answers 503 EXCHANGE_BUSY beyond the concurrent transfers of one requester, and serves again once one ends', async () => {
    const limits = { ...DEFAULT_EXCHANGE_LIMITS, maxConcurrentPerRequester: 1 };
    const slow = new GatedStore();
    const { app } = exchangeApp(asGateway('EducationMSP'), 'GRANTED', true, limits, slow);
    const url = '/exchange/datasets/jus.convictions/data?fields=district';
    const server = app.listen(0, '127.0.0.1');
    try {
      const first = request(server).get(url).then((res) => res.status);
      await slow.waiting;
      const second = await request(server).get(url);
      slow.release();
      expect(await first).toBe(200);
      expect(second.status).toBe(503);
      expect(second.body).toMatchObject({ code: 'EXCHANGE_BUSY' });
      expect(second.headers['retry-after']).toBe('1');
      expect((await request(server).get(url)).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('answers 404 when the committed payload is not in the store', async () => {
    const { app } = exchangeApp(asGateway('EducationMSP'), 'GRANTED', false);

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_NOT_AVAILABLE' });
  });

  it('requires the fields asked for', async () => {
    const { app } = exchangeApp(asGateway('EducationMSP'), 'GRANTED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data');

    expect(res.status).toBe(400);
  });
});

describe('FilePayloadStore', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'govshare-store-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes each content under its digest with mode 0600 and prunes superseded ones', async () => {
    const store = new FilePayloadStore(directory);
    const older = Buffer.from('[]');
    await store.save('ds1', sha256Hex(older), older);
    await store.save('ds1', fingerprint, payload);

    await store.prune('ds1', fingerprint);

    expect(await store.load('ds1', fingerprint)).toEqual(payload);
    expect(await store.load('ds1', sha256Hex(older))).toBeUndefined();
    expect(statSync(path.join(directory, 'ds1', `${fingerprint}.json`)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(directory, 'ds1')).mode & 0o777).toBe(0o700);
  });

  it('refuses a dataset id that could escape the directory', async () => {
    await expect(new FilePayloadStore(directory).save('../x', fingerprint, payload)).rejects.toThrow('invalid');
  });
});

describe('peerMspOf (who is calling, from the TLS client certificate)', () => {
  let directory: string;
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: directory, stdio: 'ignore' });
  };

  function makeCa(name: string): void {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  }

  /** A leaf certificate; `attrs` are written as a Fabric CA would (extension 1.2.3.4.5.6.7.8.1, JSON). */
  function makeLeaf(name: string, ca: string, extendedKeyUsage: string | undefined, attrs?: Record<string, string>): X509Certificate {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
      '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const extensions = [
      extendedKeyUsage === undefined ? 'keyUsage=digitalSignature' : `extendedKeyUsage=${extendedKeyUsage}`,
      ...(attrs === undefined ? [] : [`1.2.3.4.5.6.7.8.1=DER:${Buffer.from(JSON.stringify({ attrs })).toString('hex')}`]),
    ];
    writeFileSync(path.join(directory, `${name}.ext`), `${extensions.join('\n')}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1',
      '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    return new X509Certificate(readFileSync(path.join(directory, `${name}.pem`)));
  }

  let peers: ExchangePeer[];
  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'govshare-certs-'));
    makeCa('ca-education');
    makeCa('ca-justice');
    makeCa('ca-stranger');
    peers = ['education', 'justice'].map((org) => ({
      mspId: `${org.charAt(0).toUpperCase()}${org.slice(1)}MSP`,
      url: `https://127.0.0.1:3100`,
      tlsRootCert: readFileSync(path.join(directory, `ca-${org}.pem`)),
    }));
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const gateway = { 'govshare.role': 'gateway' };

  it("names the department whose CA issued its gateway's TLS client certificate", () => {
    expect(peerMspOf(makeLeaf('gw-education', 'ca-education', 'serverAuth,clientAuth', gateway), peers)).toBe('EducationMSP');
    expect(peerMspOf(makeLeaf('gw-justice', 'ca-justice', 'clientAuth', gateway), peers)).toBe('JusticeMSP');
  });

  it('reads the Fabric CA attributes of a certificate', () => {
    expect(fabricAttributes(makeLeaf('attrs', 'ca-education', 'clientAuth', { role: 'officer', 'hf.EnrollmentID': 'x' }))).toEqual({
      role: 'officer',
      'hf.EnrollmentID': 'x',
    });
    expect(fabricAttributes(makeLeaf('no-attrs', 'ca-education', 'clientAuth'))).toEqual({});
  });

  it('does not accept a certificate of an unknown CA, even one claiming to be a gateway', () => {
    const stranger = makeLeaf('gw-stranger', 'ca-stranger', 'clientAuth', gateway);
    expect(peerMspOf(stranger, peers)).toBeUndefined();
    expect(classifyExchangeClient(stranger, peers)).toMatchObject({ kind: 'untrusted' });
    expect(classifyExchangeClient(undefined, peers)).toMatchObject({ kind: 'untrusted' });
  });

  it("does not accept a department's peer, admin or user TLS certificate (no gateway attribute)", () => {
    const peerTls = makeLeaf('peer0-education', 'ca-education', 'serverAuth,clientAuth');
    const userTls = makeLeaf('officer-tls-education', 'ca-education', 'serverAuth,clientAuth', { role: 'officer' });
    const wrongValue = makeLeaf('gw-fake-education', 'ca-education', 'clientAuth', { 'govshare.role': 'officer' });
    for (const certificate of [peerTls, userTls, wrongValue]) {
      expect(classifyExchangeClient(certificate, peers)).toMatchObject({ kind: 'not-gateway', mspId: 'EducationMSP' });
    }
  });

  it("does not accept a gateway's enrolment certificate without TLS client usage", () => {
    expect(peerMspOf(makeLeaf('user-education', 'ca-education', undefined, gateway), peers)).toBeUndefined();
    expect(peerMspOf(makeLeaf('server-education', 'ca-education', 'serverAuth', gateway), peers)).toBeUndefined();
  });
});
