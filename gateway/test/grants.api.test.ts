import { createHash } from 'node:crypto';

import request from 'supertest';

import { ApproveAccess, AttachRequestDetails, CheckAccess, ListGrantsByDataset, ListGrantsByRequester, ListPendingGrants, ReadGrant, ReadGrantDetails, RequestAccess, RevokeAccess, TRANSACTIONS } from 'govshare-contract';
import { GovshareChaincodeError } from '../src/fabric/errors';
import { grant } from './support/fixtures';
import { APPROVER_TOKEN, buildTestApp, OFFICER_TOKEN } from './support/testApp';

const officer = { Authorization: `Bearer ${OFFICER_TOKEN}` };
const approver = { Authorization: `Bearer ${APPROVER_TOKEN}` };

const accessRequest = {
  datasetId: 'jus.convictions',
  purpose: { code: 'OFFICIAL_STATISTICS', text: 'School safety statistics' },
  legalBasis: 'Statistics Act s.12',
  fields: ['district', 'convictions'],
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2027-01-01T00:00:00+00:00',
};

describe('POST /api/v1/grants', () => {
  it('submits RequestAccess with the normalised request and returns the pending grant with its id and Location', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(RequestAccess, (_args, _user, txId) => grant({ id: txId }));

    const res = await request(app).post('/api/v1/grants').set(officer).send(accessRequest);

    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/v1/grants/tx0001');
    expect(res.body).toMatchObject({ id: 'tx0001', status: 'PENDING', txId: 'tx0001', blockNumber: '42' });
    expect(JSON.parse(ledger.calls[0]?.args[0] ?? '')).toEqual({
      ...accessRequest,
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
    });
  });

  it('rejects a request whose validity ends before it starts, naming notAfter', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app)
      .post('/api/v1/grants')
      .set(officer)
      .send({ ...accessRequest, notAfter: '2025-01-01T00:00:00Z' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'notAfter' }] });
    expect(ledger.calls).toHaveLength(0);
  });

  it.each([
    ['OWN_DATASET', 409],
    ['UNKNOWN_FIELDS', 400],
    ['GRANT_CONFLICT', 409],
    ['DATASET_NOT_FOUND', 404],
  ])("maps the chaincode's %s to %i", async (code, status) => {
    const { app, ledger } = buildTestApp();
    ledger.on(RequestAccess, () => {
      throw new GovshareChaincodeError(code, 'refused');
    });

    const res = await request(app).post('/api/v1/grants').set(officer).send(accessRequest);

    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code });
  });
});

describe('grant decisions', () => {
  it('approves with no body (nothing narrowed)', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ApproveAccess, () => grant({ status: 'APPROVED', active: true }));

    const res = await request(app).post('/api/v1/grants/grant1/approve').set(approver);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'grant1', status: 'APPROVED', active: true, txId: 'tx0001' });
    expect(ledger.calls).toEqual([{ kind: 'submit', userId: 'education-approver', txName: 'ApproveAccess', args: ['grant1', '{}'] }]);
  });

  it('approves a narrowed set of fields and a shorter validity', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ApproveAccess, () => grant({ status: 'APPROVED', fields: ['district'] }));

    const res = await request(app)
      .post('/api/v1/grants/grant1/approve')
      .set(approver)
      .send({ fields: ['district'], notAfter: '2026-06-01T00:00:00Z' });

    expect(res.status).toBe(200);
    expect(ledger.calls[0]?.args).toEqual(['grant1', JSON.stringify({ fields: ['district'], notAfter: '2026-06-01T00:00:00.000Z' })]);
  });

  it.each([
    ['deny', 'DenyAccess'] as const,
    ['revoke', 'RevokeAccess'] as const,
  ])('%s passes the reason to %s', async (action, txName) => {
    const { app, ledger } = buildTestApp();
    ledger.on(TRANSACTIONS[txName], () => grant({ status: action === 'deny' ? 'DENIED' : 'REVOKED' }));

    const res = await request(app).post(`/api/v1/grants/grant1/${action}`).set(approver).send({ reason: 'No legal basis' });

    expect(res.status).toBe(200);
    expect(ledger.calls[0]).toMatchObject({ txName, args: ['grant1', 'No legal basis'] });
  });

  it('requires a reason to deny', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).post('/api/v1/grants/grant1/deny').set(approver).send({});

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ issues: [{ path: 'reason' }] });
    expect(ledger.calls).toHaveLength(0);
  });

  it.each([
    ['withdraw', 'WithdrawRequest'] as const,
    ['countersign', 'CountersignAccess'] as const,
  ])('%s submits %s with the grant id only', async (action, txName) => {
    const { app, ledger } = buildTestApp();
    ledger.on(TRANSACTIONS[txName], () => grant());

    const res = await request(app).post(`/api/v1/grants/grant1/${action}`).set(officer);

    expect(res.status).toBe(200);
    expect(ledger.calls[0]).toMatchObject({ txName, args: ['grant1'] });
  });

  it('answers 409 INVALID_STATE when approving a revoked grant', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ApproveAccess, () => {
      throw new GovshareChaincodeError('INVALID_STATE', "grant 'grant1' is REVOKED, not PENDING");
    });

    const res = await request(app).post('/api/v1/grants/grant1/approve').set(approver).send({});

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('replays a decision retried with the same Idempotency-Key instead of submitting twice', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(RevokeAccess, () => grant({ status: 'REVOKED' }));
    const revoke = () =>
      request(app).post('/api/v1/grants/grant1/revoke').set(approver).set('Idempotency-Key', 'k-1').send({ reason: 'Ended' });

    const first = await revoke();
    const second = await revoke();

    expect(second.status).toBe(200);
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(ledger.calls).toHaveLength(1);
  });
});

describe('reading grants', () => {
  it('reads one grant', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ReadGrant, () => grant());

    const res = await request(app).get('/api/v1/grants/grant1').set(officer);

    expect(res.status).toBe(200);
    expect(res.body).toEqual(grant());
  });

  it("lists a dataset's grants with the status and requester filters passed to the chaincode, the page as it answered", async () => {
    const { app, ledger } = buildTestApp();
    const approved = grant({ id: 'grant2', status: 'APPROVED' });
    ledger.on(ListGrantsByDataset, () => ({ records: [approved], bookmark: 'next', fetchedRecordsCount: 7 }));

    const res = await request(app).get('/api/v1/grants?dataset=jus.convictions&status=APPROVED&requester=FinanceMSP&limit=2').set(officer);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [approved], nextCursor: 'next' });
    expect(ledger.calls[0]).toMatchObject({ txName: 'ListGrantsByDataset', args: ['jus.convictions', 'FinanceMSP', 'APPROVED', '2', ''] });
  });

  it("lists the caller's own requests in one status, filtered by the chaincode", async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ListGrantsByRequester, () => ({ records: [], bookmark: '', fetchedRecordsCount: 3 }));

    await request(app).get('/api/v1/grants?status=EXPIRED').set(officer).expect(200);

    expect(ledger.calls[0]).toMatchObject({ txName: 'ListGrantsByRequester', args: ['EducationMSP', 'EXPIRED', '20', ''] });
  });

  it("lists the caller's own requests by default", async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ListGrantsByRequester, () => ({ records: [grant()], bookmark: '', fetchedRecordsCount: 1 }));

    const res = await request(app).get('/api/v1/grants?cursor=abc').set(officer);

    expect(res.body).toEqual({ items: [grant()], nextCursor: null });
    expect(ledger.calls[0]).toMatchObject({ txName: 'ListGrantsByRequester', args: ['EducationMSP', '', '20', 'abc'] });
  });

  it("lists the requests awaiting the caller's decision with status=PENDING", async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ListPendingGrants, () => ({ records: [], bookmark: '', fetchedRecordsCount: 0 }));

    await request(app).get('/api/v1/grants?status=PENDING').set(approver).expect(200);

    expect(ledger.calls[0]).toMatchObject({ txName: 'ListPendingGrants', args: ['EducationMSP', '20', ''] });
  });

  it('checks access for the caller with the fields given as a comma-separated list', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(CheckAccess, () => ({ decision: 'GRANTED', reason: 'ACTIVE', grantId: 'grant1' }));

    const res = await request(app).get('/api/v1/grants/check?dataset=jus.convictions&fields=district,convictions').set(officer);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ decision: 'GRANTED', reason: 'ACTIVE', grantId: 'grant1' });
    expect(ledger.calls[0]).toMatchObject({
      kind: 'evaluate',
      txName: 'CheckAccess',
      args: ['jus.convictions', 'EducationMSP', '["district","convictions"]'],
    });
  });

  it.each([['dataset=jus.convictions'], ['dataset=jus.convictions&fields=a,a'], ['fields=a']])(
    'rejects a check without a dataset or valid fields (%s)',
    async (query) => {
      const { app, ledger } = buildTestApp();

      const res = await request(app).get(`/api/v1/grants/check?${query}`).set(officer);

      expect(res.status).toBe(400);
      expect(ledger.calls).toHaveLength(0);
    },
  );
});

describe('private request details', () => {
  it('puts only their hash in the public request and sends them as transient data to the two parties only', async () => {
    const { app, ledger } = buildTestApp();
    ledger
      .on(RequestAccess, ({ request }, _user, txId) => grant({ id: txId, ...(request.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: request.privateDetailsSha256 }) }))
      .on(AttachRequestDetails, ({ grantId }) => ({ grantId, privateDetailsSha256: 'a'.repeat(64) }));
    const privateDetails = { notes: 'Pupil at risk', caseReference: 'CASE-2026-0042' };

    const res = await request(app).post('/api/v1/grants').set(officer).send({ ...accessRequest, privateDetails });

    expect(res.status).toBe(201);
    const [requestCall, attachCall] = ledger.calls;
    const sent = Buffer.from(attachCall?.options?.transient?.details ?? []).toString();
    // The details travel salted (32 random bytes), and the public hash is of exactly those bytes.
    const salt = (JSON.parse(sent) as { salt?: string }).salt ?? '';
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    expect(sent).toBe(`{"caseReference":"CASE-2026-0042","notes":"Pupil at risk","salt":"${salt}"}`);
    const digest = createHash('sha256').update(sent).digest('hex');
    expect(requestCall?.args[0]).not.toContain('CASE-2026-0042');
    expect(requestCall?.args[0]).not.toContain(salt);
    expect(JSON.parse(requestCall?.args[0] ?? '')).toMatchObject({ privateDetailsSha256: digest });
    // The unsalted hash, which anyone could compute from a guessed case reference, appears nowhere.
    const unsalted = createHash('sha256').update('{"caseReference":"CASE-2026-0042","notes":"Pupil at risk"}').digest('hex');
    expect(JSON.stringify(ledger.calls)).not.toContain(unsalted);
    expect(attachCall).toMatchObject({ txName: 'AttachRequestDetails', args: ['tx0001'] });
    expect(attachCall?.options?.endorsingOrganizations).toEqual(['JusticeMSP', 'EducationMSP']);
    expect(JSON.stringify(res.body)).not.toContain('CASE-2026-0042');
  });

  it("sends the details again while the owner's peer has not yet seen the request (GRANT_NOT_FOUND), then succeeds", async () => {
    const { app, ledger } = buildTestApp();
    let attempts = 0;
    ledger
      .on(RequestAccess, ({ request }, _user, txId) => grant({ id: txId, ...(request.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: request.privateDetailsSha256 }) }))
      .on(AttachRequestDetails, ({ grantId }) => {
        attempts += 1;
        if (attempts < 3) throw new GovshareChaincodeError('GRANT_NOT_FOUND', `GRANT_NOT_FOUND: grant '${grantId}' does not exist`);
        return { grantId, privateDetailsSha256: 'a'.repeat(64) };
      });

    const res = await request(app).post('/api/v1/grants').set(officer).send({ ...accessRequest, privateDetails: { notes: 'x' } });

    expect(res.status).toBe(201);
    expect(ledger.calls.map((call) => call.txName)).toEqual(['RequestAccess', 'AttachRequestDetails', 'AttachRequestDetails', 'AttachRequestDetails']);
  });

  it('rejects a hash given together with the details', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app)
      .post('/api/v1/grants')
      .set(officer)
      .send({ ...accessRequest, privateDetails: { notes: 'x' }, privateDetailsSha256: 'a'.repeat(64) });

    expect(res.status).toBe(400);
    expect(ledger.calls).toHaveLength(0);
  });

  it('reads the details back', async () => {
    const { app, ledger } = buildTestApp();
    ledger.on(ReadGrantDetails, () => ({ caseReference: 'CASE-1', salt: 'ab'.repeat(32) }));

    const res = await request(app).get('/api/v1/grants/grant1/details').set(officer);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caseReference: 'CASE-1' });
  });
});
