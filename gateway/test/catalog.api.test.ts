import { GetDatasetHistory, ListDatasets, RetireDataset, UpdateDataset } from 'govshare-contract';
import { GovshareChaincodeError } from '../src/fabric/errors';
import request from 'supertest';

import { dataset, sha } from './support/fixtures';
import { buildTestApp, OFFICER_TOKEN } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

describe('GET /api/v1/datasets', () => {
  it('returns a page of the whole catalogue with the bookmark as nextCursor (limit 20 by default)', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ListDatasets, () => ({ records: [dataset()], bookmark: 'bm-1', fetchedRecordsCount: 1 }));

    const res = await request(app).get('/api/v1/datasets').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [dataset()], nextCursor: 'bm-1' });
    expect(ledger.calls.at(-1)).toMatchObject({ kind: 'evaluate', txName: 'ListDatasets', args: ['all', '', '20', ''] });
  });

  it.each([
    ['owner=JusticeMSP', ['owner', 'JusticeMSP']],
    ['theme=justice', ['theme', 'justice']],
    ['classification=SECRET', ['classification', 'SECRET']],
  ])('filters by one index (%s) and passes cursor and limit through', async (filter, [by, value]) => {
    const { app, ledger } = buildTestApp();
    ledger.on(ListDatasets, () => ({ records: [], bookmark: '', fetchedRecordsCount: 0 }));

    const res = await request(app).get(`/api/v1/datasets?${filter}&cursor=bm-1&limit=5`).set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
    expect(ledger.calls.at(-1)?.args).toEqual([by, value, '5', 'bm-1']);
  });

  it.each([['limit=0'], ['limit=101'], ['limit=x'], ['owner=JusticeMSP&theme=justice'], ['classification=TOP']])(
    'rejects %s with 400 before reaching the ledger',
    async (query) => {
      const { app, ledger } = buildTestApp();

      const res = await request(app).get(`/api/v1/datasets?${query}`).set(auth);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(ledger.calls).toHaveLength(0);
    },
  );
});

describe('PUT /api/v1/datasets/:id', () => {
  it('submits UpdateDataset with the changes and returns the new version with txId and block', async () => {
    const { app, ledger } = buildTestApp();
    const updated = dataset({ ownerMsp: 'EducationMSP', fingerprint: sha('b'), version: 2, contentVersion: 2 });
    ledger.on(UpdateDataset, () => updated);

    const res = await request(app).put('/api/v1/datasets/jus.convictions').set(auth).send({ fingerprint: sha('B'), title: 'New' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...updated, txId: 'tx0001', blockNumber: '42' });
    expect(ledger.calls).toEqual([
      {
        kind: 'submit',
        userId: 'education-officer',
        txName: 'UpdateDataset',
        args: ['jus.convictions', JSON.stringify({ title: 'New', fingerprint: sha('b') })],
      },
    ]);
  });

  it('rejects an empty update with 400', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).put('/api/v1/datasets/jus.convictions').set(auth).send({});

    expect(res.status).toBe(400);
    expect(ledger.calls).toHaveLength(0);
  });

  it("maps the chaincode's FORBIDDEN (not the owner) to 403", async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(UpdateDataset, () => {
      throw new GovshareChaincodeError('FORBIDDEN', 'only JusticeMSP may update dataset jus.convictions');
    });

    const res = await request(app).put('/api/v1/datasets/jus.convictions').set(auth).send({ title: 'Mine now' });

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('POST /api/v1/datasets/:id/retire', () => {
  it('submits RetireDataset and returns the retired dataset', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(RetireDataset, () => dataset({ status: 'RETIRED', version: 2 }));

    const res = await request(app).post('/api/v1/datasets/jus.convictions/retire').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'jus.convictions', status: 'RETIRED', txId: 'tx0001' });
    expect(ledger.calls.at(-1)).toMatchObject({ txName: 'RetireDataset', args: ['jus.convictions'] });
  });

  it('answers 409 DATASET_RETIRED for a dataset retired already', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(RetireDataset, () => {
      throw new GovshareChaincodeError('DATASET_RETIRED', "dataset 'jus.convictions' is retired");
    });

    const res = await request(app).post('/api/v1/datasets/jus.convictions/retire').set(auth);

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'DATASET_RETIRED' });
  });
});

describe('GET /api/v1/datasets/:id/history', () => {
  it('returns every version, newest first', async () => {
    const { app, ledger } = buildTestApp();
    const versions = [
      { txId: 'tx2', timestamp: '2026-01-02T00:00:00.000Z', isDelete: false, value: dataset({ version: 2 }) },
      { txId: 'tx1', timestamp: '2026-01-01T00:00:00.000Z', isDelete: false, value: dataset() },
    ];
    ledger.on(GetDatasetHistory, () => versions);

    const res = await request(app).get('/api/v1/datasets/jus.convictions/history').set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: versions });
  });

  it('answers 404 for an unknown dataset', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(GetDatasetHistory, () => {
      throw new GovshareChaincodeError('DATASET_NOT_FOUND', "dataset 'nope' does not exist");
    });

    const res = await request(app).get('/api/v1/datasets/nope/history').set(auth);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'DATASET_NOT_FOUND' });
  });
});
