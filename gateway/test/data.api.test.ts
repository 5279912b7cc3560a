import {
  ListGrantsByDataset,
  ReadDataset,
  ReadGrant,
  sha256Hex,
  UpdateDataset,
  type Dataset,
  type GrantView,
} from 'govshare-contract';
import request from 'supertest';

import type { PayloadFetch, RecordedDelivery } from '../src/exchange/exchangeClient';
import { signReceipt, type AccessReceiptBody } from '../src/exchange/receipts';
import { canonicalPayload, projectRecords } from '../src/exchange/payload';
import { GovshareChaincodeError } from '../src/fabric/errors';
import { createDataService } from '../src/services/dataService';
import { createDatasetService } from '../src/services/datasetService';
import { createGrantService } from '../src/services/grantService';
import { FakeFetcher, MemoryPayloadStore, type FetchRequest } from './support/fakeExchange';
import { FakeLedger } from './support/fakeLedger';
import { dataset, grant } from './support/fixtures';
import { GATEWAY_ATTRS, TestPki } from './support/testCertificates';
import { buildTestApp, OFFICER_TOKEN } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

const records = [
  { district: 'N1', year: 2025, convictions: 3, judge: 'A. Judge' },
  { district: 'S2', year: 2025, convictions: 5, judge: null },
];
const payload = canonicalPayload(records);
const fingerprint = sha256Hex(payload);

/** Justice's CA and its gateway (the owner of the fixtures' dataset), a user of Justice, and Finance's gateway. */
const pki = new TestPki();
const justiceCa = pki.ca('ca-justice');
const financeCa = pki.ca('ca-finance');
const justiceGateway = pki.leaf('gateway.justice', 'ca-justice', { extendedKeyUsage: 'clientAuth', attrs: GATEWAY_ATTRS });
const financeGateway = pki.leaf('gateway.finance', 'ca-finance', { extendedKeyUsage: 'clientAuth', attrs: GATEWAY_ATTRS });
afterAll(() => {
  pki.remove();
});
const channelRoots = new Map([
  ['JusticeMSP', [justiceCa]],
  ['FinanceMSP', [financeCa]],
]);

function receiptFor(bytes: Buffer, fields: readonly string[], overrides: Partial<AccessReceiptBody> = {}): AccessReceiptBody {
  return {
    datasetId: 'jus.convictions',
    grantId: 'grant1',
    ownerMsp: 'JusticeMSP',
    requesterMsp: 'EducationMSP',
    fields: [...new Set(fields)].sort(),
    payloadSha256: sha256Hex(bytes),
    contentFingerprint: fingerprint,
    txId: 'd'.repeat(64),
    blockNumber: '42',
    timestamp: '2026-12-02T12:00:00.000Z',
    ...overrides,
  };
}

/** What an honest owner's exchange answers: the records projected to the fields asked for, with a signed receipt. */
function ownerProjects({ fields }: FetchRequest): PayloadFetch {
  const bytes = canonicalPayload(projectRecords(records, fields));
  return {
    kind: 'payload',
    bytes,
    contentFingerprint: fingerprint,
    grantId: 'grant1',
    receipt: signReceipt(receiptFor(bytes, fields), justiceGateway.key, justiceGateway.pem),
  };
}

/** The owner's committed record of a refusal, as its exchange sends it in the 403. */
function refusal(reason: string, grantId?: string): PayloadFetch {
  return {
    kind: 'denied',
    status: 403,
    reason,
    record: {
      auditId: 'e'.repeat(64),
      txId: 'e'.repeat(64),
      timestamp: '2026-12-02T12:00:00.000Z',
      decision: 'DENIED',
      reason: reason as RecordedDelivery['reason'],
      ...(grantId === undefined ? {} : { grantId }),
      datasetId: 'jus.convictions',
      ownerMsp: 'JusticeMSP',
      requesterMsp: 'EducationMSP',
      fields: ['convictions', 'district'],
      contentFingerprint: fingerprint,
      payloadSha256: sha256Hex(Buffer.alloc(0)),
      blockNumber: '43',
    },
  };
}

function setUp(
  options: { dataset?: Dataset; grants?: GrantView[]; refuseUpdate?: 'evaluate' | 'submit' } = {},
) {
  const ledger = new FakeLedger();
  const store = new MemoryPayloadStore();
  const fetcher = new FakeFetcher(ownerProjects);
  let current = options.dataset ?? dataset({ fingerprint });
  ledger
    .on(ReadDataset, () => current)
    .on(UpdateDataset, ({ update }, user, txId) => {
      const simulated = txId === 'evaluate';
      if (options.refuseUpdate === (simulated ? 'evaluate' : 'submit')) {
        throw new GovshareChaincodeError('FORBIDDEN', `${user.mspId} role '${user.role}' may not update dataset`);
      }
      const next = { ...current, ...(update as Partial<Dataset>), version: current.version + 1 };
      if (!simulated) current = next;
      return next;
    })
    .on(ReadGrant, ({ grantId: id }) => {
      const found = (options.grants ?? []).find((g) => g.id === id);
      if (found === undefined) throw new GovshareChaincodeError('GRANT_NOT_FOUND', `grant '${id}' does not exist`);
      return found;
    })
    .on(ListGrantsByDataset, () => ({ records: options.grants ?? [], bookmark: '', fetchedRecordsCount: 0 }));
  const data = createDataService({
    datasets: createDatasetService(ledger),
    grants: createGrantService(ledger),
    store,
    fetcher,
    mspRoots: () => Promise.resolve(channelRoots),
  });
  const { app } = buildTestApp(ledger, { data });
  return { app, ledger, store, fetcher, current: () => current };
}

describe('PUT /api/v1/datasets/:id/data (owner)', () => {
  const owned = dataset({ ownerMsp: 'EducationMSP' });

  it('stores the canonical payload locally and commits its SHA-256 as the new fingerprint', async () => {
    const { app, ledger, store } = setUp({ dataset: owned });
    // Key order does not change the fingerprint.
    const reordered = records.map((r) => ({ judge: r.judge, convictions: r.convictions, year: r.year, district: r.district }));

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(reordered);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'jus.convictions', fingerprint, version: 2, txId: 'tx0001' });
    expect(store.files.get(`jus.convictions/${fingerprint}`)).toEqual(payload);
    expect(ledger.calls.filter((c) => c.kind === 'submit')).toEqual([
      { kind: 'submit', userId: 'education-officer', txName: 'UpdateDataset', args: ['jus.convictions', JSON.stringify({ fingerprint })] },
    ]);
  });

  it('asks the chaincode before storing: an upload it refuses leaves no file and commits nothing', async () => {
    const { app, ledger, store } = setUp({ dataset: owned, refuseUpdate: 'evaluate' });

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(records);

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(store.files.size).toBe(0);
    expect(ledger.calls.some((c) => c.kind === 'submit')).toBe(false);
  });

  it('removes the stored file when the commit itself is refused', async () => {
    const { app, store } = setUp({ dataset: owned, refuseUpdate: 'submit' });

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(records);

    expect(res.status).toBe(403);
    expect(store.files.size).toBe(0);
  });

  it('never sends the payload to the ledger', async () => {
    const { app, ledger } = setUp({ dataset: owned });

    await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(records).expect(200);

    expect(JSON.stringify(ledger.calls)).not.toContain('A. Judge');
  });

  it('rejects records naming a field the dataset does not have, storing nothing', async () => {
    const { app, ledger, store } = setUp({ dataset: owned });

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send([{ district: 'N1', salary: 1 }]);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_FIELDS', issues: [{ path: '0.salary' }] });
    expect(store.files.size).toBe(0);
    expect(ledger.calls.some((c) => c.kind === 'submit')).toBe(false);
  });

  it.each([
    [{ year: '2025' }, '0.year'],
    [{ convictions: 1.5 }, '0.convictions'],
    [{ district: 7 }, '0.district'],
  ])('rejects a value of the wrong type (%o)', async (record, path) => {
    const { app } = setUp({ dataset: owned });

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send([record]);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path }] });
  });

  it('rejects a body that is not an array of records', async () => {
    const { app } = setUp({ dataset: owned });

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send({ district: 'N1' });

    expect(res.status).toBe(400);
  });

  it("refuses to store another department's dataset", async () => {
    const { app, store } = setUp();

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(records);

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(store.files.size).toBe(0);
  });

  it('accepts payloads larger than the 256kb API body limit', async () => {
    const { app } = setUp({ dataset: owned });
    const many = Array.from({ length: 8000 }, (_, i) => ({ district: `D${String(i)}`, year: 2025, convictions: i, judge: 'x'.repeat(20) }));

    const res = await request(app).put('/api/v1/datasets/jus.convictions/data').set(auth).send(many);

    expect(res.status).toBe(200);
  });
});

describe('GET /api/v1/datasets/:id/data (requester)', () => {
  const active = grant({ status: 'APPROVED', active: true });

  it("fetches the granted fields from the owner and hands on data and the owner's verified receipt; records nothing itself", async () => {
    const { app, ledger, fetcher } = setUp({ grants: [active] });
    const projected = canonicalPayload(projectRecords(records, ['convictions', 'district']));

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      datasetId: 'jus.convictions',
      grantId: 'grant1',
      fields: ['convictions', 'district'],
      contentVersion: 1,
      contentFingerprint: fingerprint,
      payloadSha256: sha256Hex(projected),
      data: [
        { convictions: 3, district: 'N1' },
        { convictions: 5, district: 'S2' },
      ],
      receipt: { receipt: receiptFor(projected, ['convictions', 'district']), certificate: justiceGateway.pem },
    });
    expect(fetcher.requests).toEqual([{ ownerMsp: 'JusticeMSP', datasetId: 'jus.convictions', fields: ['convictions', 'district'] }]);
    // The delivery is on the ledger by the owner's hand, not the requester's.
    expect(ledger.calls.filter((c) => c.kind === 'submit')).toEqual([]);
  });

  it('uses the grant and the subset of fields asked for', async () => {
    const { app, ledger } = setUp({ grants: [active] });

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data?grant=grant1&fields=district').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fields: ['district'], data: [{ district: 'N1' }, { district: 'S2' }] });
    expect(ledger.calls.some((c) => c.txName === 'ReadGrant')).toBe(true);
  });

  it.each([
    ['names another content version', { contentFingerprint: sha256Hex(Buffer.from('old')) }],
    ['names other fields', { fields: ['convictions', 'district', 'judge'] }],
    ['names another requester', { requesterMsp: 'FinanceMSP' }],
    ['names another payload', { payloadSha256: 'f'.repeat(64) }],
  ])('refuses a delivery whose signed receipt %s (502), handing on nothing', async (_what, overrides) => {
    const { app, fetcher } = setUp({ grants: [active] });
    fetcher.answer = ({ fields }) => {
      const bytes = canonicalPayload(projectRecords(records, fields));
      return { ...ownerProjects({ ownerMsp: 'JusticeMSP', datasetId: 'jus.convictions', fields }), receipt: signReceipt(receiptFor(bytes, fields, overrides), justiceGateway.key, justiceGateway.pem) };
    };

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'DATA_EXCHANGE_FAILED' });
    expect(JSON.stringify(res.body)).not.toContain('N1');
  });

  it("refuses a delivery without a receipt, or one signed by anyone but the owner's gateway", async () => {
    const { app, fetcher } = setUp({ grants: [active] });
    const honest = ownerProjects({ ownerMsp: 'JusticeMSP', datasetId: 'jus.convictions', fields: ['convictions', 'district'] });
    if (honest.kind !== 'payload' || honest.receipt === undefined) throw new Error('unexpected');
    const forged = signReceipt(honest.receipt.receipt, financeGateway.key, financeGateway.pem);

    for (const receipt of [undefined, forged]) {
      fetcher.answer = { ...honest, receipt };
      const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ code: 'DATA_EXCHANGE_FAILED' });
    }
  });

  it('never hands on a field the app did not ask for, even when the owner over-shares', async () => {
    const { app, ledger, fetcher } = setUp({ grants: [active] });
    fetcher.answer = {
      kind: 'payload',
      bytes: payload,
      contentFingerprint: fingerprint,
      grantId: 'grant1',
      receipt: signReceipt(receiptFor(payload, ['district']), justiceGateway.key, justiceGateway.pem),
    };

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data?fields=district').set(auth);

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'DATA_EXCHANGE_FAILED' });
    expect(JSON.stringify(res.body)).not.toContain('A. Judge');
    expect(ledger.calls.some((c) => c.kind === 'submit')).toBe(false);
  });

  it("answers 403 with the owner's committed record when the owner refuses", async () => {
    const { app, fetcher } = setUp({ grants: [grant({ status: 'REVOKED', active: false })] });
    fetcher.answer = refusal('ENDED', 'grant1');

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'ACCESS_DENIED',
      reason: 'ENDED',
      txId: 'e'.repeat(64),
      receipt: { decision: 'DENIED', grantId: 'grant1', txId: 'e'.repeat(64), blockNumber: '43' },
    });
    expect(fetcher.requests).toHaveLength(1);
  });

  it('asks the owner even without any grant, so that the refusal is on the ledger (403 NO_GRANT)', async () => {
    const { app, fetcher } = setUp({ grants: [] });
    fetcher.answer = refusal('NO_GRANT');

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'NO_GRANT', receipt: { decision: 'DENIED' } });
    expect(fetcher.requests).toEqual([{ ownerMsp: 'JusticeMSP', datasetId: 'jus.convictions', fields: ['district', 'year', 'convictions', 'judge'] }]);
  });

  it('answers 404 PAYLOAD_NOT_AVAILABLE when the owner grants the request but has no payload of the committed content', async () => {
    const { app, fetcher } = setUp({ grants: [active] });
    fetcher.answer = { kind: 'not-stored' };

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_NOT_AVAILABLE' });
  });

  it('answers 502 when the owner cannot be reached', async () => {
    const { app, fetcher } = setUp({ grants: [active] });
    fetcher.answer = { kind: 'failed', status: 0, detail: 'connect ECONNREFUSED' };

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'DATA_EXCHANGE_FAILED' });
  });

  it("lets the owner read its own dataset from its store without a grant", async () => {
    const { app, store, ledger } = setUp({ dataset: dataset({ ownerMsp: 'EducationMSP', fingerprint }) });
    await store.save('jus.convictions', fingerprint, payload);

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data?fields=year').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ grantId: null, receipt: null, data: [{ year: 2025 }, { year: 2025 }] });
    expect(ledger.calls.some((c) => c.kind === 'submit')).toBe(false);
  });

  it('answers 503 when the gateway has no data exchange configured', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/datasets/jus.convictions/data').set(auth);

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DATA_EXCHANGE_DISABLED' });
  });
});
