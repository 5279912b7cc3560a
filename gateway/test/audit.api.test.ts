import request from 'supertest';

import { QueryAudit } from 'govshare-contract';

import { auditRecord } from './support/fixtures';
import { AUDITOR_TOKEN, buildTestApp } from './support/testApp';

const auth = { Authorization: `Bearer ${AUDITOR_TOKEN}` };

describe('GET /api/v1/audit', () => {
  it('queries a dataset over the given window and returns the page', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(QueryAudit, () => ({ records: [auditRecord()], bookmark: 'WyIyMDI2LTAxLTAyIiwiIl0', fetchedRecordsCount: 1 }));

    const res = await request(app)
      .get('/api/v1/audit?dataset=jus.convictions&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z&limit=10')
      .set(auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [auditRecord()], nextCursor: 'WyIyMDI2LTAxLTAyIiwiIl0' });
    expect(JSON.parse(ledger.calls[0]?.args[0] ?? '')).toEqual({
      datasetId: 'jus.convictions',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-31T00:00:00.000Z',
      pageSize: 10,
      bookmark: '',
    });
  });

  it('defaults to the last 30 days and queries by acting organisation', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(QueryAudit, () => ({ records: [], bookmark: '', fetchedRecordsCount: 0 }));
    const before = Date.now();

    const res = await request(app).get('/api/v1/audit?org=EducationMSP&cursor=abc').set(auth);

    expect(res.status).toBe(200);
    const query = JSON.parse(ledger.calls[0]?.args[0] ?? '') as { from: string; to: string; actorMsp: string; bookmark: string };
    expect(query).toMatchObject({ actorMsp: 'EducationMSP', bookmark: 'abc', pageSize: 20 });
    expect(Date.parse(query.to) - Date.parse(query.from)).toBe(30 * 86_400_000);
    expect(Date.parse(query.to)).toBeGreaterThanOrEqual(before - 1);
  });

  it.each([
    ['dataset and org together', 'dataset=a&org=EducationMSP'],
    ['a window over 92 days', 'from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z'],
    ['to before from', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['a time without zone', 'from=2026-01-01T00:00:00'],
  ])('rejects %s with 400 before reaching the ledger', async (_what, query) => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).get(`/api/v1/audit?${query}`).set(auth);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(ledger.calls).toHaveLength(0);
  });
});
