import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pino from 'pino';
import request from 'supertest';
import { CheckAccess, ReadDataset, sha256Hex } from 'govshare-contract';

import { createExchangeApp } from '../src/exchange/exchangeServer';
import { canonicalPayload } from '../src/exchange/payload';
import { FilePayloadStore } from '../src/exchange/payloadStore';
import { peerMspOf, type ExchangePeer } from '../src/exchange/peers';
import { createDatasetService } from '../src/services/datasetService';
import { createGrantService } from '../src/services/grantService';
import { MemoryPayloadStore } from './support/fakeExchange';
import { FakeLedger } from './support/fakeLedger';
import { dataset } from './support/fixtures';

const payload = canonicalPayload([{ district: 'N1', convictions: 3 }]);
const fingerprint = sha256Hex(payload);

function exchangeApp(peer: string | undefined, decision: 'GRANTED' | 'DENIED', stored = true) {
  const ledger = new FakeLedger()
    .on(ReadDataset, () => dataset({ fingerprint }))
    .on(CheckAccess, ({ requesterMsp }) =>
      decision === 'GRANTED'
        ? { decision, reason: 'ACTIVE', grantId: 'grant1' }
        : { decision, reason: requesterMsp === 'EducationMSP' ? 'ENDED' : 'NO_GRANT', grantId: 'grant1' },
    );
  const store = new MemoryPayloadStore();
  if (stored) void store.save('jus.convictions', fingerprint, payload);
  const app = createExchangeApp({
    logger: pino({ level: 'silent' }),
    mspId: 'JusticeMSP',
    serviceUser: { id: 'justice-officer', role: 'officer', mspId: 'JusticeMSP' },
    datasets: createDatasetService(ledger),
    grants: createGrantService(ledger),
    store,
    identifyPeer: () => peer,
  });
  return { app, ledger };
}

describe('the owner side of the data exchange', () => {
  it('serves the stored payload to a department the ledger grants access', async () => {
    const { app, ledger } = exchangeApp('EducationMSP', 'GRANTED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district,convictions').buffer(true);

    expect(res.status).toBe(200);
    expect(res.headers['x-payload-sha256']).toBe(fingerprint);
    expect(Buffer.from(res.text)).toEqual(payload);
    expect(ledger.calls.find((c) => c.txName === 'CheckAccess')).toMatchObject({
      userId: 'justice-officer',
      args: ['jus.convictions', 'EducationMSP', '["district","convictions"]'],
    });
  });

  it('refuses with 403 and the reason when the ledger denies access', async () => {
    const { app } = exchangeApp('EducationMSP', 'DENIED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'ENDED' });
    expect(res.text).not.toContain('N1');
  });

  it('refuses a client whose certificate is no department gateway, before asking the ledger', async () => {
    const { app, ledger } = exchangeApp(undefined, 'GRANTED');

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_PEER' });
    expect(ledger.calls).toHaveLength(0);
  });

  it('answers 404 when the committed payload is not in the store', async () => {
    const { app } = exchangeApp('EducationMSP', 'GRANTED', false);

    const res = await request(app).get('/exchange/datasets/jus.convictions/data?fields=district');

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_NOT_AVAILABLE' });
  });

  it('requires the fields asked for', async () => {
    const { app } = exchangeApp('EducationMSP', 'GRANTED');

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

  function makeLeaf(name: string, ca: string, extendedKeyUsage: string | undefined): X509Certificate {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
      '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(path.join(directory, `${name}.ext`), extendedKeyUsage === undefined ? 'keyUsage=digitalSignature\n' : `extendedKeyUsage=${extendedKeyUsage}\n`);
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

  it("names the department whose CA issued a TLS client certificate", () => {
    expect(peerMspOf(makeLeaf('gw-education', 'ca-education', 'serverAuth,clientAuth'), peers)).toBe('EducationMSP');
    expect(peerMspOf(makeLeaf('gw-justice', 'ca-justice', 'clientAuth'), peers)).toBe('JusticeMSP');
  });

  it('does not accept a certificate of an unknown CA', () => {
    expect(peerMspOf(makeLeaf('gw-stranger', 'ca-stranger', 'clientAuth'), peers)).toBeUndefined();
  });

  it("does not accept a department user's enrolment certificate (no TLS client usage)", () => {
    expect(peerMspOf(makeLeaf('user-education', 'ca-education', undefined), peers)).toBeUndefined();
    expect(peerMspOf(makeLeaf('server-education', 'ca-education', 'serverAuth'), peers)).toBeUndefined();
  });
});
