/**
 * Issue 16's attacks on deliveries and decisions, made with the keys the attackers really hold: Finance (the
 * requester) with its own users' and its own gateway's keys, straight at the Fabric peers or through /offline/*;
 * a majority of departments without the owner; the owner lowering and raising a classification around an
 * approval; a bystander hashing guesses against a public hash. And the held grant still works: Finance's
 * fetch comes with a receipt signed by Education that anyone verifies against the ledger.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { GatewayError } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { parseErrorCode } from 'govshare-contract';

import { connectAs, connectAsGateway, type FabricSession } from './support/fabric';
import { credentialsOf, REPO_ROOT } from './support/network';
import { allPeersAt, apiAfterPropagation as api, closePeerSessions } from './support/propagation';

const sessions: FabricSession[] = [];
afterAll(() => {
  for (const session of sessions) session.close();
  closePeerSessions();
});
const session = (open: () => FabricSession): FabricSession => {
  const opened = open();
  sessions.push(opened);
  return opened;
};

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const datasetId = `decide-${runId}`;
const NATIONAL_ID = `19800101-${String(process.pid % 10_000).padStart(4, '0')}`;
const CASE_REFERENCE = `FIN/2026/${String(process.pid % 1000).padStart(4, '0')}`;
const records = [{ school: 'North High', nationalId: NATIONAL_ID }];
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The chaincode's error code, wherever Fabric wrapped it. */
async function errorCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    const texts = [String(error)];
    if (error instanceof GatewayError) texts.push(...error.details.map((detail) => detail.message));
    return parseErrorCode(texts.join(' | ')) ?? `uncoded: ${texts.join(' | ')}`;
  }
  return undefined;
}

/** Submits `name(args)` signed by `signer`, endorsed only by the peers of `endorsers`: the commit status. */
async function endorsedBy(signer: FabricSession, name: string, args: readonly string[], endorsers: readonly string[]) {
  const proposal = signer.contract.newProposal(name, { arguments: [...args], endorsingOrganizations: [...endorsers] });
  const status = await (await (await proposal.endorse()).submit()).getStatus();
  await allPeersAt(status.blockNumber);
  return status;
}

describe('attacks on deliveries and decisions', () => {
  let grantId = '';
  let fingerprint = '';

  beforeAll(async () => {
    const registered = await api('education', 'POST', '/api/v1/datasets', {
      body: {
        id: datasetId,
        title: 'Pupils',
        description: 'Pupils and their schools',
        classification: 'SECRET',
        fingerprint: '0'.repeat(64),
        themes: ['education'],
        fields: [
          { name: 'school', type: 'STRING', sensitivity: 'NONE' },
          { name: 'nationalId', type: 'STRING', sensitivity: 'PERSONAL' },
        ],
      },
    });
    expect(registered.status).toBe(201);
    // The round trip: Education lowers its SECRET dataset before Finance requests, and raises it again later.
    expect((await api('education', 'PUT', `/api/v1/datasets/${datasetId}`, { body: { classification: 'INTERNAL' } })).status).toBe(200);
    const uploaded = await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: records });
    expect(uploaded.status).toBe(200);
    fingerprint = String(uploaded.body.fingerprint);
    const requested = await api('finance', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'POLICY_EVALUATION', text: 'Schools per municipality' },
        legalBasis: 'Statistics Act s.3',
        fields: ['school'],
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 86_400_000).toISOString(),
        privateDetails: { caseReference: CASE_REFERENCE },
      },
    });
    expect(requested.status).toBe(201);
    grantId = String(requested.body.id);
  });

  test("an approval endorsed by a majority of peers without Education's fails ENDORSEMENT_POLICY_FAILURE", async () => {
    // The endorsements are genuine (Education's approver signs; the three other peers run the real chaincode):
    // what three colluding organisations could at best produce without Education's peer.
    const approver = session(() => connectAs('education', 'approver'));
    const status = await endorsedBy(approver, 'ApproveAccess', [grantId, ''], ['FinanceMSP', 'JusticeMSP', 'AuditMSP']);

    expect(status.successful).toBe(false);
    expect(status.code).toBe(peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    expect((await api('finance', 'GET', `/api/v1/grants/${grantId}`)).body).toMatchObject({ status: 'PENDING' });
    // With the owner's peer among the endorsers, the same approval commits.
    expect((await api('education', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver' })).body).toMatchObject({ status: 'APPROVED' });
  });

  test('Finance cannot forge a delivery record: not through /offline/*, not with its users or its own gateway key', async () => {
    const delivery = JSON.stringify({ datasetId, requesterMsp: 'FinanceMSP', fields: ['school'], contentFingerprint: fingerprint, payloadSha256: sha('forged') });
    const offline = await api('finance', 'POST', '/api/v1/offline/prepare', {
      body: { certificate: credentialsOf('finance', 'officer').certificate.toString('utf8'), txName: 'RecordDelivery', args: [delivery] },
    });
    expect(offline.status).toBe(400);
    expect(offline.body.issues).toEqual([expect.objectContaining({ path: 'txName' })]);
    const officer = session(() => connectAs('finance', 'officer'));
    const financeGateway = session(() => connectAsGateway('finance'));
    await expect(errorCodeOf(officer.contract.submitTransaction('RecordDelivery', delivery))).resolves.toBe('FORBIDDEN');
    await expect(errorCodeOf(financeGateway.contract.submitTransaction('RecordDelivery', delivery))).resolves.toBe('FORBIDDEN');
    // The old requester-side record is gone.
    await expect(errorCodeOf(officer.contract.submitTransaction('RecordAccess', grantId, sha('forged'), '["school"]'))).resolves.toBe('INVALID_ARGUMENT');
  });

  let signed: Record<string, unknown> = {};

  test("Finance's fetch comes with Education's signed receipt, which verifies against the ledger by API and by script", async () => {
    const fetched = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ grantId, data: [{ school: 'North High' }] });
    expect(JSON.stringify(fetched.body)).not.toContain(NATIONAL_ID);
    signed = fetched.body.receipt as Record<string, unknown>;
    expect(signed).toMatchObject({ receipt: { grantId, datasetId, ownerMsp: 'EducationMSP', requesterMsp: 'FinanceMSP', fields: ['school'] } });
    // Checked on other departments' peers below: wait until they have the block.
    await allPeersAt(BigInt((signed.receipt as { blockNumber: string }).blockNumber));

    const verified = await api('audit', 'POST', '/api/v1/receipts/verify', { role: 'auditor', body: signed });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true });
    const trail = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });
    const delivered = (trail.body.items as { type: string; txId: string; actorMsp: string; actorId: string }[]).find(
      (record) => record.txId === (signed.receipt as { txId: string }).txId,
    );
    expect(delivered).toMatchObject({ type: 'DATA_ACCESSED', actorMsp: 'EducationMSP', actorId: 'gateway.education' });

    const directory = mkdtempSync(path.join(tmpdir(), 'govshare-receipt-'));
    try {
      const file = path.join(directory, 'receipt.json');
      writeFileSync(file, JSON.stringify(signed));
      const script = path.join(REPO_ROOT, 'scripts', 'verify-receipt.sh');
      const { stdout } = await promisify(execFile)('bash', [script, file, 'justice']);
      expect(stdout).toContain('VALID: EducationMSP delivered fields school');
      const widened = { ...signed, receipt: { ...(signed.receipt as Record<string, unknown>), fields: ['nationalId', 'school'] } };
      writeFileSync(file, JSON.stringify(widened));
      await expect(promisify(execFile)('bash', [script, file, 'justice'])).rejects.toMatchObject({ code: 1 });
      const tampered = await api('audit', 'POST', '/api/v1/receipts/verify', { role: 'auditor', body: widened });
      expect(tampered.body).toMatchObject({ valid: false });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test("a withdrawal needs the requester's peer, not the owner's: without Finance's it fails, without Education's it commits", async () => {
    const second = await api('justice', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'LAW_ENFORCEMENT', text: 'Schools near the case' },
        legalBasis: 'Police Act s.7',
        fields: ['school'],
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(second.status).toBe(201);
    const justiceGrant = String(second.body.id);
    const requester = session(() => connectAs('justice', 'officer'));

    const withoutRequester = await endorsedBy(requester, 'WithdrawRequest', [justiceGrant], ['EducationMSP', 'FinanceMSP', 'AuditMSP']);
    expect(withoutRequester.code).toBe(peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    expect((await api('justice', 'GET', `/api/v1/grants/${justiceGrant}`)).body).toMatchObject({ status: 'PENDING' });

    // The owner has no veto over the requester's withdrawal.
    const withoutOwner = await endorsedBy(requester, 'WithdrawRequest', [justiceGrant], ['JusticeMSP', 'FinanceMSP', 'AuditMSP']);
    expect(withoutOwner.successful).toBe(true);
    expect((await api('justice', 'GET', `/api/v1/grants/${justiceGrant}`)).body).toMatchObject({ status: 'WITHDRAWN' });
  });

  test('raising the dataset to SECRET after the approval suspends the grant until Audit countersigns', async () => {
    const raised = await api('education', 'PUT', `/api/v1/datasets/${datasetId}`, { body: { classification: 'SECRET' } });
    expect(raised.status).toBe(200);

    const suspended = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);
    expect(suspended.status).toBe(403);
    expect(suspended.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'AWAITING_COUNTERSIGNATURE' });
    expect(JSON.stringify(suspended.body)).not.toContain('North High');

    // A countersignature needs the Audit org's peer: endorsed by the three departments alone it fails.
    const auditor = session(() => connectAs('audit', 'auditor'));
    const withoutAudit = await endorsedBy(auditor, 'CountersignAccess', [grantId], ['EducationMSP', 'FinanceMSP', 'JusticeMSP']);
    expect(withoutAudit.code).toBe(peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    expect((await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`)).status).toBe(403);

    expect((await api('audit', 'POST', `/api/v1/grants/${grantId}/countersign`, { role: 'auditor' })).status).toBe(200);
    const resumed = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ data: [{ school: 'North High' }] });
  });

  test('a bystander cannot find the case reference behind the public hash of the private details by hashing guesses', async () => {
    const publicGrant = await api('justice', 'GET', `/api/v1/grants/${grantId}`);
    const published = String(publicGrant.body.privateDetailsSha256);
    expect(published).toMatch(/^[0-9a-f]{64}$/);
    // Justice knows the reference format and tries every number, the right one included.
    const guesses = Array.from({ length: 10_000 }, (_, n) => `FIN/2026/${String(n).padStart(4, '0')}`);
    expect(guesses).toContain(CASE_REFERENCE);
    const hits = guesses.filter((guess) => sha(JSON.stringify({ caseReference: guess })) === published);
    expect(hits).toEqual([]);
    // The owner and the requester still read the details back.
    expect((await api('education', 'GET', `/api/v1/grants/${grantId}/details`, { role: 'approver' })).body).toEqual({ caseReference: CASE_REFERENCE });
  });
});
