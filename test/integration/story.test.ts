/**
 * The sharing story of issue #5, end to end on the real network and only through the department gateways:
 * Justice registers a dataset and uploads its data → Education requests fields of it → Justice approves →
 * Education fetches through its gateway (recorded by Justice before release, with Justice's signed receipt, which
 * Finance verifies offline against its own peer's ledger) → Audit sees the whole trail →
 * Justice revokes → Education's next fetch is refused and the refusal is on chain → an SSE client of Education
 * saw each event.
 *
 * Each test awaits the steps of the story it needs (support/steps.ts): the steps run once, in story order, and a
 * test run alone sets its own part of the story up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { canonicalJson, sha256Hex } from 'govshare-contract';

import { connectAs, decode } from './support/fabric';
import { REPO_ROOT } from './support/network';
import { EventStream } from './support/sse';
import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';
import { answered, step } from './support/steps';

afterAll(closePeerSessions);

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const datasetId = `story-${runId}`;

const records = [
  { district: 'NORTH-1', year: 2025, convictions: 14, presidingJudge: 'Judge Story-Alpha' },
  { district: 'SOUTH-2', year: 2025, convictions: 9, presidingJudge: 'Judge Story-Beta' },
];
const payloadSha256 = sha256Hex(canonicalJson(records));
const grantedFields = ['district', 'year', 'convictions'] as const;
const projected = records.map(({ district, year, convictions }) => ({ district, year, convictions }));


describe('the sharing story: Justice shares a dataset with Education, under audit', () => {
  const educationEvents = new EventStream();

  beforeAll(async () => {
    await educationEvents.open('education');
  });
  afterAll(async () => {
    await educationEvents.close();
  });

  // --- the story's steps, each run once, when the first test that needs it asks -------------------------------

  const registered = step('Justice registers the dataset and uploads its data', async () => {
    const registration = answered(
      await api('justice', 'POST', '/api/v1/datasets', {
        body: {
          id: datasetId,
          title: 'Convictions per district',
          description: 'Convictions per district and year',
          classification: 'RESTRICTED',
          fingerprint: '0'.repeat(64),
          themes: ['justice'],
          fields: [
            { name: 'district', type: 'CODE', sensitivity: 'NONE' },
            { name: 'year', type: 'INTEGER', sensitivity: 'NONE' },
            { name: 'convictions', type: 'INTEGER', sensitivity: 'NONE' },
            { name: 'presidingJudge', type: 'STRING', sensitivity: 'PERSONAL' },
          ],
        },
      }),
      201,
      'registering the dataset',
    );
    const upload = await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: records });
    return { registeredTx: String(registration.body.txId), upload };
  });

  const requested = step('Education requests three fields', async () => {
    await registered();
    return await api('education', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'POLICY_EVALUATION', text: 'Evaluate the school safety programme by district' },
        legalBasis: 'Education Act s.42',
        fields: grantedFields,
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
    });
  });
  const grantId = async (): Promise<string> => String(answered(await requested(), 201, 'requesting access').body.id);

  const approved = step('Justice approves the request', async () => {
    const id = await grantId();
    return await api('justice', 'POST', `/api/v1/grants/${id}/approve`, { role: 'approver' });
  });

  const fetched = step('Education fetches the data', async () => {
    answered(await approved(), 200, 'approving the grant');
    return await api('education', 'GET', `/api/v1/datasets/${datasetId}/data`);
  });
  const grantedReceipt = async (): Promise<Record<string, unknown>> =>
    (answered(await fetched(), 200, 'fetching the data').body.receipt as { receipt: Record<string, unknown> }).receipt;

  const revoked = step('Justice revokes the grant', async () => {
    await grantedReceipt();
    return await api('justice', 'POST', `/api/v1/grants/${await grantId()}/revoke`, {
      role: 'approver',
      body: { reason: 'Programme evaluation finished' },
    });
  });

  const refused = step("Education's fetch after the revocation", async () => {
    answered(await revoked(), 200, 'revoking the grant');
    return await api('education', 'GET', `/api/v1/datasets/${datasetId}/data`);
  });

  // --- the behaviours ---------------------------------------------------------------------------------------

  test('Justice registers the dataset and uploads its data to its own store; only the fingerprint goes on chain', async () => {
    const { upload } = await registered();

    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({ id: datasetId, fingerprint: payloadSha256, contentVersion: 2 });
    const history = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/history`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).not.toContain('Story-Alpha');
  });

  test('Education requests three fields of it', async () => {
    const request = await requested();

    expect(request.status).toBe(201);
    expect(request.body).toMatchObject({ datasetId, status: 'PENDING', requesterMsp: 'EducationMSP', ownerMsp: 'JusticeMSP' });
  });

  test('Justice sees the request waiting for its decision and approves it', async () => {
    const id = await grantId();
    const pending = await api('justice', 'GET', '/api/v1/grants?status=PENDING&limit=100', { role: 'approver' });
    expect((pending.body.items as { id: string }[]).map((g) => g.id)).toContain(id);

    const approval = await approved();

    expect(approval.status).toBe(200);
    expect(approval.body).toMatchObject({ id, status: 'APPROVED', active: true });
  });

  test("Education fetches through its own gateway: from Justice's store over mutual TLS, verified, projected, recorded", async () => {
    const id = await grantId();
    answered(await approved(), 200, 'approving the grant');
    const check = await api('education', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=district,convictions`);
    expect(check.body).toEqual({ decision: 'GRANTED', reason: 'ACTIVE', grantId: id });

    const fetch = await fetched();

    expect(fetch.status).toBe(200);
    expect(fetch.body).toMatchObject({
      datasetId,
      grantId: id,
      // Projected by Justice from the content with this fingerprint; the hash is of what Justice sent.
      contentFingerprint: payloadSha256,
      payloadSha256: sha256Hex(canonicalJson(projected)),
      fields: ['convictions', 'district', 'year'],
      data: projected,
      // Signed by Justice's gateway, which recorded the delivery on the ledger before it released anything.
      receipt: { receipt: { grantId: id, datasetId, ownerMsp: 'JusticeMSP', requesterMsp: 'EducationMSP', fields: ['convictions', 'district', 'year'] } },
    });
    expect(JSON.stringify(fetch.body)).not.toContain('presidingJudge');

    // A third department checks the receipt offline, with its own identity on its own peer: no gateway involved.
    const directory = mkdtempSync(path.join(tmpdir(), 'govshare-story-receipt-'));
    try {
      const file = path.join(directory, 'receipt.json');
      writeFileSync(file, JSON.stringify(fetch.body.receipt));
      const { stdout } = await promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts', 'verify-receipt.sh'), file, 'finance']);
      expect(stdout).toContain(`VALID: JusticeMSP delivered fields convictions,district,year of ${datasetId} to EducationMSP`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('Audit sees the whole trail, in order', async () => {
    const { registeredTx, upload } = await registered();
    const receipt = await grantedReceipt();

    const trail = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });

    expect(trail.status).toBe(200);
    const items = trail.body.items as { type: string; txId: string; actorMsp: string; outcome: string }[];
    // The first five records; a test that ran further into the story may have added more after them.
    expect(items.slice(0, 5).map((r) => [r.type, r.actorMsp, r.outcome, r.txId])).toEqual([
      ['DATASET_REGISTERED', 'JusticeMSP', 'SUCCESS', registeredTx],
      ['DATASET_UPDATED', 'JusticeMSP', 'SUCCESS', upload.body.txId],
      ['ACCESS_REQUESTED', 'EducationMSP', 'SUCCESS', (await requested()).body.txId],
      ['ACCESS_APPROVED', 'JusticeMSP', 'SUCCESS', (await approved()).body.txId],
      // The delivery is recorded by the owner's gateway, not by the requester.
      ['DATA_ACCESSED', 'JusticeMSP', 'GRANTED', receipt.txId],
    ]);
  });

  test("Justice revokes; Education's next fetch is refused (403 with its receipt) and the refusal is on chain", async () => {
    const id = await grantId();
    const revocation = await revoked();
    expect(revocation.status).toBe(200);
    expect(revocation.body).toMatchObject({ status: 'REVOKED', active: false });

    const refusal = await refused();

    expect(refusal.status).toBe(403);
    expect(refusal.contentType).toContain('application/problem+json');
    expect(refusal.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'ENDED', receipt: { decision: 'DENIED', grantId: id } });
    expect(JSON.stringify(refusal.body)).not.toContain('NORTH-1');
    const refusedReceipt = refusal.body.receipt as Record<string, unknown>;
    expect(refusal.body.txId).toBe(refusedReceipt.txId);

    // Read back from the ledger itself, not through a gateway.
    const session = connectAs('audit', 'auditor');
    try {
      const query = JSON.stringify({ datasetId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
      const page = JSON.parse(decode(await session.contract.evaluateTransaction('QueryAudit', query))) as {
        records: { type: string; txId: string; outcome: string; details: Record<string, unknown> }[];
      };
      expect(page.records.find((r) => r.txId === refusedReceipt.txId)).toMatchObject({
        type: 'DATA_ACCESSED',
        outcome: 'DENIED',
        details: { reason: 'ENDED' },
      });
      expect(page.records.map((r) => r.type).slice(-2)).toEqual(['ACCESS_REVOKED', 'DATA_ACCESSED']);
    } finally {
      session.close();
    }
  });

  test("Education's SSE client saw each event of its grant, in order", async () => {
    const id = await grantId();
    const refusedReceipt = answered(await refused(), 403, 'the refused fetch').body.receipt as Record<string, unknown>;
    await educationEvents.waitFor((e) => e.data.txId === refusedReceipt.txId);

    const mine = educationEvents.events.filter((e) => e.data.grantId === id);
    expect(mine.map((e) => [e.event, e.data.txId, e.data.decision])).toEqual([
      ['AccessRequested', (await requested()).body.txId, undefined],
      ['AccessApproved', (await approved()).body.txId, undefined],
      ['AccessRecorded', (await grantedReceipt()).txId, 'GRANTED'],
      ['AccessRevoked', (await revoked()).body.txId, undefined],
      ['AccessRecorded', refusedReceipt.txId, 'DENIED'],
    ]);
    expect(mine.every((e) => e.data.requesterMsp === 'EducationMSP' && e.data.datasetId === datasetId)).toBe(true);
  });
});
