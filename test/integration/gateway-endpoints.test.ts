/**
 * Every REST endpoint of issue #5 on the real network, through the department gateways: the catalogue, grants and
 * their decisions, the audit trail as each caller may see it, e-certificates, and the data routes' refusals.
 * (The complete data-sharing flow is test/integration/story.test.ts.)
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { signers } from '@hyperledger/fabric-gateway';
import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';
import { credentialsOf, DEPARTMENTS } from './support/network';

afterAll(closePeerSessions);

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hourAgo = (): string => new Date(Date.now() - 3_600_000).toISOString();
const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * A gateway answers once the transaction is committed on its own department's peer; the other peers commit the same
 * block moments later. Before another department acts on a write, wait until every peer has it (as apps would see
 * after a human-scale delay), so the tests do not race block propagation.
 */

const FIELDS = [
  { name: 'school', type: 'CODE', sensitivity: 'NONE' },
  { name: 'pupils', type: 'INTEGER', sensitivity: 'NONE' },
  { name: 'headTeacher', type: 'STRING', sensitivity: 'PERSONAL' },
];

function registration(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    title: `Dataset ${id}`,
    description: 'Integration test dataset',
    classification: 'INTERNAL',
    fingerprint: sha256(id),
    themes: [`t-${runId}`],
    fields: FIELDS,
    ...overrides,
  };
}

function accessRequest(datasetId: string, fields: string[] = ['school', 'pupils']): Record<string, unknown> {
  return {
    datasetId,
    purpose: { code: 'OFFICIAL_STATISTICS', text: 'Regional statistics' },
    legalBasis: 'Statistics Act s.3',
    fields,
    notBefore: hourAgo(),
    notAfter: inDays(30),
  };
}

type Item = Record<string, unknown>;
const items = (body: Record<string, unknown>): Item[] => body.items as Item[];

describe('catalogue', () => {
  const first = `cat-${runId}-a`;
  const second = `cat-${runId}-b`;

  beforeAll(async () => {
    for (const id of [first, second]) {
      expect((await api('finance', 'POST', '/api/v1/datasets', { body: registration(id) })).status).toBe(201);
    }
  });

  test('GET /datasets pages through one theme with cursor and limit', async () => {
    const seen: unknown[] = [];
    let cursor: string | null = '';
    for (let page = 0; cursor !== null && page < 5; page++) {
      const query: string = cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await api('education', 'GET', `/api/v1/datasets?theme=t-${runId}&limit=1${query}`);
      expect(res.status).toBe(200);
      expect(items(res.body).length).toBeLessThanOrEqual(1);
      seen.push(...items(res.body).map((d) => d.id));
      cursor = res.body.nextCursor as string | null;
    }
    expect(seen).toEqual([first, second]);
  });

  test('GET /datasets filters by owner and by classification, and refuses two filters at once', async () => {
    const byOwner = await api('education', 'GET', '/api/v1/datasets?owner=FinanceMSP&limit=100');
    const byClass = await api('education', 'GET', '/api/v1/datasets?classification=INTERNAL&limit=5');
    const both = await api('education', 'GET', '/api/v1/datasets?owner=FinanceMSP&classification=INTERNAL');

    expect(items(byOwner.body).every((d) => d.ownerMsp === 'FinanceMSP')).toBe(true);
    expect(items(byClass.body).every((d) => d.classification === 'INTERNAL')).toBe(true);
    expect(both.status).toBe(400);
  });

  test('PUT /datasets/{id} publishes a new version for the owner only', async () => {
    const updated = await api('finance', 'PUT', `/api/v1/datasets/${first}`, { body: { title: 'Renamed', fingerprint: sha256('v2') } });
    const foreign = await api('education', 'PUT', `/api/v1/datasets/${first}`, { body: { title: 'Taken over' } });

    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ title: 'Renamed', version: 2, contentVersion: 2, txId: expect.any(String) as unknown });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  test('POST /datasets/{id}/retire needs an approver; a retired dataset cannot be requested', async () => {
    const byOfficer = await api('finance', 'POST', `/api/v1/datasets/${second}/retire`);
    const byApprover = await api('finance', 'POST', `/api/v1/datasets/${second}/retire`, { role: 'approver' });
    const request = await api('education', 'POST', '/api/v1/grants', { body: accessRequest(second) });

    expect(byOfficer.status).toBe(403);
    expect(byApprover.status).toBe(200);
    expect(byApprover.body).toMatchObject({ status: 'RETIRED' });
    expect(request.status).toBe(409);
    expect(request.body).toMatchObject({ code: 'DATASET_RETIRED' });
  });

  test('GET /datasets/{id}/history lists every version, newest first', async () => {
    const history = await api('justice', 'GET', `/api/v1/datasets/${first}/history`);
    const unknown = await api('justice', 'GET', `/api/v1/datasets/nope-${runId}/history`);

    expect(history.status).toBe(200);
    expect(items(history.body).map((entry) => (entry.value as Item).version)).toEqual([2, 1]);
    expect(unknown.status).toBe(404);
  });
});

describe('grants', () => {
  const datasetId = `grants-${runId}`;

  beforeAll(async () => {
    expect((await api('education', 'POST', '/api/v1/datasets', { body: registration(datasetId) })).status).toBe(201);
  });

  test('request → read → list (by dataset, by requester, pending) → withdraw', async () => {
    const requested = await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(datasetId) });
    expect(requested.status).toBe(201);
    const id = String(requested.body.id);

    const read = await api('education', 'GET', `/api/v1/grants/${id}`);
    const byDataset = await api('education', 'GET', `/api/v1/grants?dataset=${datasetId}`);
    const byRequester = await api('finance', 'GET', '/api/v1/grants?limit=100&status=PENDING&requester=FinanceMSP');
    const pending = await api('education', 'GET', '/api/v1/grants?status=PENDING&limit=100', { role: 'approver' });
    const duplicate = await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(datasetId) });
    const withdrawn = await api('finance', 'POST', `/api/v1/grants/${id}/withdraw`);

    expect(read.body).toMatchObject({ id, status: 'PENDING', requesterMsp: 'FinanceMSP', ownerMsp: 'EducationMSP' });
    expect(items(byDataset.body).map((g) => g.id)).toContain(id);
    expect(items(byRequester.body).map((g) => g.id)).toContain(id);
    expect(items(pending.body).map((g) => g.id)).toContain(id);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'GRANT_CONFLICT' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN' });
  });

  test('a status filter gives full pages and an exact cursor: the chaincode filters, not the page after it', async () => {
    const filtered = `grants-filtered-${runId}`;
    expect((await api('education', 'POST', '/api/v1/datasets', { body: registration(filtered) })).status).toBe(201);
    // Finance requests and withdraws three times; Justice's one request stays PENDING, indexed after them.
    const withdrawnIds: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const requested = await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(filtered) });
      expect(requested.status).toBe(201);
      expect((await api('finance', 'POST', `/api/v1/grants/${String(requested.body.id)}/withdraw`)).status).toBe(200);
      withdrawnIds.push(String(requested.body.id));
    }
    const pendingGrant = await api('justice', 'POST', '/api/v1/grants', { body: accessRequest(filtered) });
    expect(pendingGrant.status).toBe(201);

    const first = await api('education', 'GET', `/api/v1/grants?dataset=${filtered}&status=WITHDRAWN&limit=2`);
    expect(items(first.body)).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await api('education', 'GET', `/api/v1/grants?dataset=${filtered}&status=WITHDRAWN&limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`);
    expect(items(second.body)).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...items(first.body), ...items(second.body)].map((g) => g.id).sort()).toEqual([...withdrawnIds].sort());
    expect([...items(first.body), ...items(second.body)].every((g) => g.status === 'WITHDRAWN')).toBe(true);

    // One page of one: Justice's PENDING request, read past Finance's withdrawn entries; by requester the index narrows.
    const onlyPending = await api('education', 'GET', `/api/v1/grants?dataset=${filtered}&status=PENDING&limit=1`);
    expect(items(onlyPending.body).map((g) => g.id)).toEqual([String(pendingGrant.body.id)]);
    expect(onlyPending.body.nextCursor).toBeNull();
    const financeOnly = await api('education', 'GET', `/api/v1/grants?dataset=${filtered}&requester=FinanceMSP&limit=10`);
    expect(items(financeOnly.body).map((g) => g.id).sort()).toEqual([...withdrawnIds].sort());
  });

  test('deny: only the owner decides, with a reason', async () => {
    const requested = await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(datasetId) });
    const id = String(requested.body.id);

    const byRequester = await api('finance', 'POST', `/api/v1/grants/${id}/deny`, { role: 'approver', body: { reason: 'no' } });
    const denied = await api('education', 'POST', `/api/v1/grants/${id}/deny`, { role: 'approver', body: { reason: 'Purpose not covered' } });
    const approveDenied = await api('education', 'POST', `/api/v1/grants/${id}/approve`, { role: 'approver' });

    expect(byRequester.status).toBe(403);
    expect(denied.body).toMatchObject({ status: 'DENIED', decided: { reason: 'Purpose not covered' } });
    expect(approveDenied.status).toBe(409);
    expect(approveDenied.body).toMatchObject({ code: 'INVALID_STATE' });
  });

  test('approve narrowing the fields; GET /grants/check follows the grant', async () => {
    const requested = await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(datasetId, ['school', 'pupils', 'headTeacher']) });
    const id = String(requested.body.id);

    const approved = await api('education', 'POST', `/api/v1/grants/${id}/approve`, {
      role: 'approver',
      body: { fields: ['school', 'pupils'], notAfter: inDays(7) },
    });
    const allowed = await api('finance', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=school,pupils`);
    const outOfScope = await api('finance', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=headTeacher`);
    const forJustice = await api('finance', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=school&requester=JusticeMSP`);
    const revoked = await api('education', 'POST', `/api/v1/grants/${id}/revoke`, { role: 'approver', body: { reason: 'Done' } });
    const afterRevoke = await api('finance', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=school`);

    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', active: true, fields: ['pupils', 'school'] });
    expect(allowed.body).toEqual({ decision: 'GRANTED', reason: 'ACTIVE', grantId: id });
    expect(outOfScope.body).toMatchObject({ decision: 'DENIED', reason: 'FIELDS_OUT_OF_SCOPE' });
    expect(forJustice.body).toMatchObject({ decision: 'DENIED', reason: 'NO_GRANT' });
    expect(revoked.body).toMatchObject({ status: 'REVOKED' });
    expect(afterRevoke.body).toMatchObject({ decision: 'DENIED', reason: 'ENDED' });
  });

  test('a grant on a SECRET dataset is active only once the Audit organisation countersigns it', async () => {
    const secret = `secret-${runId}`;
    expect((await api('justice', 'POST', '/api/v1/datasets', { body: registration(secret, { classification: 'SECRET' }) })).status).toBe(201);
    const requested = await api('education', 'POST', '/api/v1/grants', { body: accessRequest(secret) });
    const id = String(requested.body.id);
    const approved = await api('justice', 'POST', `/api/v1/grants/${id}/approve`, { role: 'approver' });

    const byDepartment = await api('justice', 'POST', `/api/v1/grants/${id}/countersign`, { role: 'auditor' });
    const countersigned = await api('audit', 'POST', `/api/v1/grants/${id}/countersign`, { role: 'auditor' });

    expect(approved.body).toMatchObject({ status: 'APPROVED', active: false, countersignatureRequired: true });
    expect(byDepartment.status).toBe(403);
    expect(countersigned.status).toBe(200);
    expect(countersigned.body).toMatchObject({ active: true, countersigned: { actor: { mspId: 'AuditMSP' } } });
    // Granted, but Justice has uploaded nothing yet: Education is told so (404), not that the exchange failed.
    const fetched = await api('education', 'GET', `/api/v1/datasets/${secret}/data`);
    expect({ status: fetched.status, code: fetched.body.code }).toEqual({ status: 404, code: 'PAYLOAD_NOT_AVAILABLE' });
  });

  test("private request details reach only the owner's and the requester's peers; the public grant holds their hash", async () => {
    const privateDetails = { caseReference: `CASE-${runId}`, notes: 'Pupil referred by the school' };
    const requested = await api('finance', 'POST', '/api/v1/grants', { body: { ...accessRequest(datasetId), privateDetails } });
    expect(requested.status).toBe(201);
    const id = String(requested.body.id);

    const publicGrant = await api('justice', 'GET', `/api/v1/grants/${id}`);
    const byOwner = await api('education', 'GET', `/api/v1/grants/${id}/details`, { role: 'approver' });
    const byRequester = await api('finance', 'GET', `/api/v1/grants/${id}/details`);
    const byBystander = await api('justice', 'GET', `/api/v1/grants/${id}/details`);
    await api('finance', 'POST', `/api/v1/grants/${id}/withdraw`);

    expect(publicGrant.body.privateDetailsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(publicGrant.body)).not.toContain(privateDetails.caseReference);
    expect(byOwner.body).toEqual(privateDetails);
    expect(byRequester.body).toEqual(privateDetails);
    expect(byBystander.status).toBe(403);
  });

  test('an unknown grant is 404', async () => {
    expect((await api('finance', 'GET', `/api/v1/grants/nope-${runId}`)).status).toBe(404);
  });
});

describe('audit trail', () => {
  const datasetId = `audit-${runId}`;

  beforeAll(async () => {
    expect((await api('education', 'POST', '/api/v1/datasets', { body: registration(datasetId) })).status).toBe(201);
    expect((await api('finance', 'POST', '/api/v1/grants', { body: accessRequest(datasetId) })).status).toBe(201);
  });

  test('each department sees its own actions and records about its datasets; the auditor sees all', async () => {
    const owner = await api('education', 'GET', `/api/v1/audit?dataset=${datasetId}`);
    const requester = await api('finance', 'GET', `/api/v1/audit?dataset=${datasetId}`);
    const bystander = await api('justice', 'GET', `/api/v1/audit?dataset=${datasetId}`);
    const auditor = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}`, { role: 'auditor' });

    expect(items(owner.body).map((r) => r.type)).toEqual(['DATASET_REGISTERED', 'ACCESS_REQUESTED']);
    expect(items(requester.body).map((r) => r.type)).toEqual(['ACCESS_REQUESTED']);
    expect(items(bystander.body)).toEqual([]);
    expect(items(auditor.body).map((r) => r.type)).toEqual(['DATASET_REGISTERED', 'ACCESS_REQUESTED']);
  });

  test('by acting organisation over an explicit window, and invalid windows are 400', async () => {
    const byOrg = await api('audit', 'GET', `/api/v1/audit?org=FinanceMSP&from=${hourAgo()}&to=${inDays(1)}&limit=100`, { role: 'auditor' });
    const tooLong = await api('audit', 'GET', `/api/v1/audit?from=${hourAgo()}&to=${inDays(100)}`, { role: 'auditor' });

    expect(byOrg.status).toBe(200);
    // Finance's own actions, and the deliveries other departments' gateways recorded as made to Finance.
    expect(items(byOrg.body).every((r) => r.actorMsp === 'FinanceMSP' || (r.type === 'DATA_ACCESSED' && (r.details as Record<string, unknown>).requesterMsp === 'FinanceMSP'))).toBe(true);
    expect(tooLong.status).toBe(400);
  });
});

describe('e-certificates', () => {
  const document = sha256(`diploma ${runId}`);
  const certificate = { type: 'DIPLOMA', documentSha256: document, subjectPseudonym: sha256(`salt:${runId}`), notAfter: inDays(365) };

  test('issue (by the issuing department only) → verify anywhere → revoke → verify', async () => {
    const wrongIssuer = await api('finance', 'POST', '/api/v1/certificates', { body: certificate });
    const issued = await api('education', 'POST', '/api/v1/certificates', { body: certificate });
    const again = await api('education', 'POST', '/api/v1/certificates', { body: certificate });
    const valid = await api('finance', 'GET', `/api/v1/certificates/${document}`);
    const revoked = await api('education', 'POST', `/api/v1/certificates/${document}/revoke`, { role: 'approver', body: { reason: 'ISSUED_IN_ERROR' } });
    const afterRevoke = await api('justice', 'GET', `/api/v1/certificates/${document}`);
    const unknown = await api('justice', 'GET', `/api/v1/certificates/${sha256(`nothing ${runId}`)}`);

    expect(wrongIssuer.status).toBe(403);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ documentSha256: document, issuerMsp: 'EducationMSP', status: 'ISSUED' });
    expect(again.status).toBe(409);
    expect(valid.body).toMatchObject({ status: 'VALID', type: 'DIPLOMA', issuerMsp: 'EducationMSP' });
    expect(revoked.body).toMatchObject({ status: 'REVOKED', revoked: { reason: 'ISSUED_IN_ERROR' } });
    expect(afterRevoke.body).toMatchObject({ status: 'REVOKED', revocationReason: 'ISSUED_IN_ERROR' });
    expect(unknown.body).toMatchObject({ status: 'UNKNOWN' });
  });
});

describe('data routes: refusals', () => {
  const datasetId = `data-${runId}`;

  beforeAll(async () => {
    expect((await api('justice', 'POST', '/api/v1/datasets', { body: registration(datasetId) })).status).toBe(201);
  });

  test('only the owner uploads, and only records keyed by the dataset fields', async () => {
    const foreign = await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: [{ school: 'S1' }] });
    const unknownField = await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: [{ school: 'S1', salary: 10 }] });
    const wrongType = await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: [{ pupils: 'many' }] });

    expect(foreign.status).toBe(403);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({ code: 'UNKNOWN_FIELDS' });
    expect(wrongType.status).toBe(400);
  });

  test('a department without any grant is refused', async () => {
    const res = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'NO_GRANT' });
  });

  test('the owner reads its own uploaded data without a grant or a record', async () => {
    const rows = [{ school: 'S1', pupils: 120, headTeacher: 'Ms Example' }];
    expect((await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: rows })).status).toBe(200);

    const own = await api('justice', 'GET', `/api/v1/datasets/${datasetId}/data?fields=school,pupils`);

    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ grantId: null, receipt: null, data: [{ school: 'S1', pupils: 120 }] });
  });
});

describe('offline signing (an app that holds its own key)', () => {
  test('prepare → sign → endorse → sign → submit → sign → commit registers a dataset signed by the app itself', async () => {
    // The app's own Fabric identity; the gateway only ever sees its certificate and signatures.
    const own = credentialsOf('education', 'officer');
    const certificate = own.certificate.toString('utf8');
    const sign = signers.newPrivateKeySigner(createPrivateKey(own.privateKey));
    const signature = async (digest: unknown): Promise<string> =>
      Buffer.from(await sign(Buffer.from(String(digest), 'base64'))).toString('base64');
    const id = `offline-${runId}`;

    const prepared = await api('education', 'POST', '/api/v1/offline/prepare', {
      body: { certificate, txName: 'RegisterDataset', args: [JSON.stringify(registration(id))] },
    });
    expect(prepared.status).toBe(200);
    const endorsed = await api('education', 'POST', '/api/v1/offline/endorse', {
      body: { certificate, proposal: prepared.body.proposal, signature: await signature(prepared.body.digest) },
    });
    expect(endorsed.status).toBe(200);
    expect(JSON.parse(String(endorsed.body.result))).toMatchObject({ id, ownerMsp: 'EducationMSP' });
    const submitted = await api('education', 'POST', '/api/v1/offline/submit', {
      body: { certificate, transaction: endorsed.body.transaction, signature: await signature(endorsed.body.digest) },
    });
    expect(submitted.status).toBe(200);
    const committed = await api('education', 'POST', '/api/v1/offline/commit', {
      body: { certificate, commit: submitted.body.commit, signature: await signature(submitted.body.digest) },
    });

    expect(committed.body).toMatchObject({ txId: prepared.body.txId, successful: true, validationCode: 'VALID' });
    const stored = await api('finance', 'GET', `/api/v1/datasets/${id}`);
    expect(stored.body).toMatchObject({ id, created: { txId: prepared.body.txId, actor: { mspId: 'EducationMSP', id: 'education-officer' } } });
  });

  test('a signature by another key is refused at endorsement', async () => {
    const own = credentialsOf('education', 'officer');
    const other = signers.newPrivateKeySigner(createPrivateKey(credentialsOf('education', 'approver').privateKey));
    const certificate = own.certificate.toString('utf8');
    const prepared = await api('education', 'POST', '/api/v1/offline/prepare', {
      body: { certificate, txName: 'RegisterDataset', args: [JSON.stringify(registration(`offline-bad-${runId}`))] },
    });

    const endorsed = await api('education', 'POST', '/api/v1/offline/endorse', {
      body: {
        certificate,
        proposal: prepared.body.proposal,
        signature: Buffer.from(await other(Buffer.from(String(prepared.body.digest), 'base64'))).toString('base64'),
      },
    });

    expect(endorsed.status).toBeGreaterThanOrEqual(400);
    expect((await api('finance', 'GET', `/api/v1/datasets/offline-bad-${runId}`)).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  test.each(DEPARTMENTS)('the %s gateway documents every endpoint', async (department) => {
    const document = await api(department, 'GET', '/openapi.json', { token: null });
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /api/v1/datasets',
        'PUT /api/v1/datasets/{id}',
        'POST /api/v1/datasets/{id}/retire',
        'GET /api/v1/datasets/{id}/history',
        'PUT /api/v1/datasets/{id}/data',
        'GET /api/v1/datasets/{id}/data',
        'POST /api/v1/grants',
        'GET /api/v1/grants',
        'GET /api/v1/grants/check',
        'GET /api/v1/grants/{id}',
        'GET /api/v1/grants/{id}/details',
        'POST /api/v1/grants/{id}/approve',
        'POST /api/v1/grants/{id}/deny',
        'POST /api/v1/grants/{id}/withdraw',
        'POST /api/v1/grants/{id}/revoke',
        'POST /api/v1/grants/{id}/countersign',
        'GET /api/v1/audit',
        'GET /api/v1/audit/ledger/verify',
        'POST /api/v1/offline/prepare',
        'POST /api/v1/offline/endorse',
        'POST /api/v1/offline/submit',
        'POST /api/v1/offline/commit',
        'POST /api/v1/certificates',
        'GET /api/v1/certificates/{sha256}',
        'POST /api/v1/certificates/{sha256}/revoke',
      ]),
    );
  });
});
