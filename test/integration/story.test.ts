/**
 * The sharing story of issue #5, end to end on the real network and only through the department gateways:
 * Justice registers a dataset and uploads its data → Education requests fields of it → Justice approves →
 * Education fetches through its gateway (recorded by Justice before release, with Justice's signed receipt, which
 * Finance verifies offline against its own peer's ledger) → Audit sees the whole trail →
 * Justice revokes → Education's next fetch is refused and the refusal is on chain → an SSE client of Education
 * saw each event.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { connectAs, decode } from './support/fabric';
import { REPO_ROOT } from './support/network';
import { EventStream } from './support/sse';
import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';

afterAll(closePeerSessions);

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const datasetId = `story-${runId}`;

/**
 * A gateway answers once the transaction is committed on its own department's peer; the other peers commit the same
 * block moments later. Before another department acts on a write, wait until every peer has it (as apps would see
 * after a human-scale delay), so the tests do not race block propagation.
 */

/** The same canonical form the owner's gateway fingerprints: JSON with sorted keys. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const records = [
  { district: 'NORTH-1', year: 2025, convictions: 14, presidingJudge: 'Judge Story-Alpha' },
  { district: 'SOUTH-2', year: 2025, convictions: 9, presidingJudge: 'Judge Story-Beta' },
];
const payloadSha256 = createHash('sha256').update(canonicalJson(records)).digest('hex');


describe('the sharing story: Justice shares a dataset with Education, under audit', () => {
  const educationEvents = new EventStream();
  let grantId = '';
  let grantedReceipt: Record<string, unknown> = {};
  let refusedReceipt: Record<string, unknown> = {};
  const txIds: Record<string, string> = {};

  beforeAll(async () => {
    await educationEvents.open('education');
  });
  afterAll(async () => {
    await educationEvents.close();
  });

  test('Justice registers the dataset and uploads its data to its own store; only the fingerprint goes on chain', async () => {
    const registered = await api('justice', 'POST', '/api/v1/datasets', {
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
    });
    expect(registered.status).toBe(201);
    txIds.registered = String(registered.body.txId);

    const uploaded = await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: records });

    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ id: datasetId, fingerprint: payloadSha256, contentVersion: 2 });
    txIds.uploaded = String(uploaded.body.txId);
    const history = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/history`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).not.toContain('Story-Alpha');
  });

  test('Education requests three fields of it', async () => {
    const requested = await api('education', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'POLICY_EVALUATION', text: 'Evaluate the school safety programme by district' },
        legalBasis: 'Education Act s.42',
        fields: ['district', 'year', 'convictions'],
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
    });

    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ datasetId, status: 'PENDING', requesterMsp: 'EducationMSP', ownerMsp: 'JusticeMSP' });
    grantId = String(requested.body.id);
    txIds.requested = String(requested.body.txId);
  });

  test("Justice sees the request waiting for its decision and approves it", async () => {
    const pending = await api('justice', 'GET', '/api/v1/grants?status=PENDING&limit=100', { role: 'approver' });
    expect((pending.body.items as { id: string }[]).map((g) => g.id)).toContain(grantId);

    const approved = await api('justice', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver' });

    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: grantId, status: 'APPROVED', active: true });
    txIds.approved = String(approved.body.txId);
  });

  test("Education fetches through its own gateway: from Justice's store over mutual TLS, verified, projected, recorded", async () => {
    const check = await api('education', 'GET', `/api/v1/grants/check?dataset=${datasetId}&fields=district,convictions`);
    expect(check.body).toEqual({ decision: 'GRANTED', reason: 'ACTIVE', grantId });

    const fetched = await api('education', 'GET', `/api/v1/datasets/${datasetId}/data`);

    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({
      datasetId,
      grantId,
      // Projected by Justice from the content with this fingerprint; the hash is of what Justice sent.
      contentFingerprint: payloadSha256,
      payloadSha256: createHash('sha256')
        .update(canonicalJson(records.map(({ district, year, convictions }) => ({ district, year, convictions }))))
        .digest('hex'),
      fields: ['convictions', 'district', 'year'],
      data: records.map(({ district, year, convictions }) => ({ district, year, convictions })),
      // Signed by Justice's gateway, which recorded the delivery on the ledger before it released anything.
      receipt: { receipt: { grantId, datasetId, ownerMsp: 'JusticeMSP', requesterMsp: 'EducationMSP', fields: ['convictions', 'district', 'year'] } },
    });
    expect(JSON.stringify(fetched.body)).not.toContain('presidingJudge');
    grantedReceipt = (fetched.body.receipt as { receipt: Record<string, unknown> }).receipt;
    txIds.accessed = String(grantedReceipt.txId);

    // A third department checks the receipt offline, with its own identity on its own peer: no gateway involved.
    const directory = mkdtempSync(path.join(tmpdir(), 'govshare-story-receipt-'));
    try {
      const file = path.join(directory, 'receipt.json');
      writeFileSync(file, JSON.stringify(fetched.body.receipt));
      const { stdout } = await promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts', 'verify-receipt.sh'), file, 'finance']);
      expect(stdout).toContain(`VALID: JusticeMSP delivered fields convictions,district,year of ${datasetId} to EducationMSP`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('Audit sees the whole trail, in order', async () => {
    const trail = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });

    expect(trail.status).toBe(200);
    const items = trail.body.items as { type: string; txId: string; actorMsp: string; outcome: string }[];
    expect(items.map((r) => [r.type, r.actorMsp, r.outcome, r.txId])).toEqual([
      ['DATASET_REGISTERED', 'JusticeMSP', 'SUCCESS', txIds.registered],
      ['DATASET_UPDATED', 'JusticeMSP', 'SUCCESS', txIds.uploaded],
      ['ACCESS_REQUESTED', 'EducationMSP', 'SUCCESS', txIds.requested],
      ['ACCESS_APPROVED', 'JusticeMSP', 'SUCCESS', txIds.approved],
      // The delivery is recorded by the owner's gateway, not by the requester.
      ['DATA_ACCESSED', 'JusticeMSP', 'GRANTED', txIds.accessed],
    ]);
  });

  test("Justice revokes; Education's next fetch is refused (403 with its receipt) and the refusal is on chain", async () => {
    const revoked = await api('justice', 'POST', `/api/v1/grants/${grantId}/revoke`, {
      role: 'approver',
      body: { reason: 'Programme evaluation finished' },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'REVOKED', active: false });
    txIds.revoked = String(revoked.body.txId);

    const refused = await api('education', 'GET', `/api/v1/datasets/${datasetId}/data`);

    expect(refused.status).toBe(403);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'ENDED', receipt: { decision: 'DENIED', grantId } });
    expect(JSON.stringify(refused.body)).not.toContain('NORTH-1');
    refusedReceipt = refused.body.receipt as Record<string, unknown>;
    expect(refused.body.txId).toBe(refusedReceipt.txId);

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
    await educationEvents.waitFor((e) => e.data.txId === refusedReceipt.txId);

    const mine = educationEvents.events.filter((e) => e.data.grantId === grantId);
    expect(mine.map((e) => [e.event, e.data.txId, e.data.decision])).toEqual([
      ['AccessRequested', txIds.requested, undefined],
      ['AccessApproved', txIds.approved, undefined],
      ['AccessRecorded', grantedReceipt.txId, 'GRANTED'],
      ['AccessRevoked', txIds.revoked, undefined],
      ['AccessRecorded', refusedReceipt.txId, 'DENIED'],
    ]);
    expect(mine.every((e) => e.data.requesterMsp === 'EducationMSP' && e.data.datasetId === datasetId)).toBe(true);
  });
});
