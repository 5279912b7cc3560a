/**
 * Issue 16: a colluding majority. Finance, Justice and Audit are three of the four organisations, which is what
 * the chaincode's MAJORITY endorsement policy asks for. With the keys they really hold (their own peers' signing
 * keys, a Finance user's), they take an honest RequestAccess endorsement, rewrite its write set by hand and sign
 * it again: a transaction the real chaincode never produced, which commits VALID because every key it writes is
 * new. Education's peer endorsed nothing. What they get must be nothing: the grant they wrote reads APPROVED, yet
 * Education's exchange refuses it (the decision trusts only Education's register of approved grants, which only
 * Education's peer can change); writing that register fails ENDORSEMENT_POLICY_FAILURE; and Education's approver
 * refuses a hand-made PENDING grant whose later changes would not need Education's peer.
 */
import { createPrivateKey } from 'node:crypto';

import { hash, signers, type Signer } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { canonicalJsonBytes } from 'govshare-contract';

import { connectAs, evaluateOnPeer, type FabricSession } from './support/fabric';
import { CHAINCODE, DEPARTMENTS, mspIdOf, peerSigningKeyOf } from './support/network';
import { allPeersAt, apiAfterPropagation as api, closePeerSessions } from './support/propagation';

const { KVRWSet, KVWrite } = ledger.rwset.kvrwset;

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const NATIONAL_ID = `19800101-${String(process.pid % 10_000).padStart(4, '0')}`;
const COLLUDERS = ['FinanceMSP', 'JusticeMSP', 'AuditMSP'];

let financeOfficer: FabricSession;
let educationOfficer: FabricSession;
beforeAll(() => {
  financeOfficer = connectAs('finance', 'officer');
  educationOfficer = connectAs('education', 'officer');
});
afterAll(() => {
  financeOfficer.close();
  educationOfficer.close();
  closePeerSessions();
});

/** Each colluder's peer signer (its own enrolment key), by MSP id. */
const peerSigners = new Map<string, Signer>(
  DEPARTMENTS.map((department) => [mspIdOf(department), signers.newPrivateKeySigner(createPrivateKey(peerSigningKeyOf(department)))]),
);

/** The parts of the govshare namespace's write set the forgers change. */
interface WriteSet {
  writes: ledger.rwset.kvrwset.KVWrite[];
  metadataWrites: ledger.rwset.kvrwset.KVMetadataWrite[];
}

/**
 * Finance's officer proposes `RequestAccess(request)`; the colluders' peers endorse it honestly; then the write set
 * is rewritten by `rewrite`, every endorsement is signed again with its peer's key over the new response payload,
 * and the envelope goes to the orderers signed by Finance's officer. Returns the grant id and the commit status.
 */
async function forgedRequest(request: Record<string, unknown>, rewrite: (set: WriteSet, grantId: string) => void) {
  const proposal = financeOfficer.contract.newProposal('RequestAccess', { arguments: [JSON.stringify(request)], endorsingOrganizations: COLLUDERS });
  const grantId = proposal.getTransactionId();
  const prepared = gatewayProtos.PreparedTransaction.deserializeBinary((await proposal.endorse()).getBytes());
  const envelope = prepared.getEnvelope();
  if (envelope === undefined) throw new Error('no envelope in the prepared transaction');
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const [action] = transaction.getActionsList();
  if (action === undefined) throw new Error('no action in the transaction');
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction();
  if (endorsed === undefined) throw new Error('no endorsed action');
  const responsePayload = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
  const results = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
  const namespace = results.getNsRwsetList().find((ns) => ns.getNamespace() === CHAINCODE);
  if (namespace === undefined) throw new Error(`no ${CHAINCODE} namespace in the write set`);
  const kv = KVRWSet.deserializeBinary(namespace.getRwset_asU8());

  const set: WriteSet = { writes: kv.getWritesList(), metadataWrites: kv.getMetadataWritesList() };
  rewrite(set, grantId);
  kv.setWritesList(set.writes);
  kv.setMetadataWritesList(set.metadataWrites);

  namespace.setRwset(kv.serializeBinary());
  chaincodeAction.setResults(results.serializeBinary());
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  const responseBytes = responsePayload.serializeBinary();
  endorsed.setProposalResponsePayload(responseBytes);
  for (const endorsement of endorsed.getEndorsementsList()) {
    const endorser = endorsement.getEndorser_asU8();
    const mspId = msp.SerializedIdentity.deserializeBinary(endorser).getMspid();
    expect(COLLUDERS).toContain(mspId);
    const sign = peerSigners.get(mspId);
    if (sign === undefined) throw new Error(`no peer key for ${mspId}`);
    endorsement.setSignature(await sign(hash.sha256(Buffer.concat([responseBytes, endorser]))));
  }
  actionPayload.setAction(endorsed);
  action.setPayload(actionPayload.serializeBinary());
  transaction.setActionsList([action]);
  payload.setData(transaction.serializeBinary());
  envelope.setPayload(payload.serializeBinary());
  envelope.setSignature(new Uint8Array()); // signed again by Finance's officer on submit
  prepared.setEnvelope(envelope);

  const status = await (await financeOfficer.gateway.newTransaction(prepared.serializeBinary()).submit()).getStatus();
  await allPeersAt(status.blockNumber);
  return { grantId, status };
}

const keyOf = (type: string, ...attributes: string[]): string => `\u0000${type}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** The grant record in the write set, made APPROVED as if Education had decided, and no longer pending for Education. */
function approveByHand({ writes }: WriteSet, grantId: string): ledger.rwset.kvrwset.KVWrite[] {
  const grantWrite = writes.find((write) => write.getKey() === keyOf('grant', grantId));
  if (grantWrite === undefined) throw new Error('no grant record in the write set');
  const grant = JSON.parse(text(grantWrite.getValue_asU8())) as Record<string, unknown>;
  grantWrite.setValue(canonicalJsonBytes({ ...grant, status: 'APPROVED', decided: { stamp: grant.requested } }));
  return writes.filter((write) => !write.getKey().startsWith(keyOf('grant~pending')));
}

async function registerWithData(id: string): Promise<void> {
  const registered = await api('education', 'POST', '/api/v1/datasets', {
    body: {
      id,
      title: 'Pupils',
      description: 'Pupils and their schools',
      classification: 'INTERNAL',
      fingerprint: '0'.repeat(64),
      fields: [
        { name: 'school', type: 'STRING', sensitivity: 'NONE' },
        { name: 'nationalId', type: 'STRING', sensitivity: 'PERSONAL' },
      ],
    },
  });
  expect(registered.status).toBe(201);
  expect((await api('education', 'PUT', `/api/v1/datasets/${id}/data`, { body: [{ school: 'North High', nationalId: NATIONAL_ID }] })).status).toBe(200);
}

const requestOf = (datasetId: string) => ({
  datasetId,
  purpose: { code: 'POLICY_EVALUATION', text: 'Everything about every pupil' },
  legalBasis: 'None',
  fields: ['nationalId', 'school'],
  notBefore: new Date(Date.now() - 60_000).toISOString(),
  notAfter: new Date(Date.now() + 86_400_000).toISOString(),
});

describe('a colluding majority (Finance, Justice, Audit) hand-makes grant transactions without Education', () => {
  const datasetId = `collude-${runId}`;
  beforeAll(() => registerWithData(datasetId));

  test("writing Education's register of approved grants fails ENDORSEMENT_POLICY_FAILURE: only Education's peer changes it", async () => {
    const { grantId, status } = await forgedRequest(requestOf(datasetId), (set, id) => {
      set.writes = approveByHand(set, id);
      const register = new KVWrite();
      register.setKey(keyOf('dataset~approved', datasetId));
      register.setValue(canonicalJsonBytes({ datasetId, grantIds: [id] }));
      set.writes.push(register);
    });
    expect(status.successful).toBe(false);
    expect(status.code).toBe(peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    expect((await api('finance', 'GET', `/api/v1/grants/${grantId}`)).status).toBe(404);
  });

  test("a grant written APPROVED commits, reads APPROVED and inactive, and Education's exchange releases nothing", async () => {
    const { grantId, status } = await forgedRequest(requestOf(datasetId), (set, id) => {
      set.writes = approveByHand(set, id);
    });
    // The hole this closes: the forged write set itself is valid, since every key it writes is new.
    expect(status.successful).toBe(true);
    const read = await api('finance', 'GET', `/api/v1/grants/${grantId}`);
    expect(read.body).toMatchObject({ status: 'APPROVED', active: false, ownerMsp: 'EducationMSP', fields: ['nationalId', 'school'] });

    const fetched = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);
    expect(fetched.status).toBe(403);
    expect(fetched.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'NOT_APPROVED_BY_OWNER' });
    expect(JSON.stringify(fetched.body)).not.toContain(NATIONAL_ID);
    // The decision on Education's own peer, as its exchange makes it.
    const check = JSON.parse(await evaluateOnPeer(educationOfficer, 'EducationMSP', 'CheckAccess', [datasetId, 'FinanceMSP', '["nationalId","school"]'])) as Record<string, unknown>;
    expect(check).toMatchObject({ decision: 'DENIED', reason: 'NOT_APPROVED_BY_OWNER', grantId });
    // The refusal is on Education's trail, listed under Finance too.
    const trail = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });
    const refusals = (trail.body.items as { type: string; outcome: string; details: { reason?: string } }[]).filter((record) => record.type === 'DATA_ACCESSED');
    expect(refusals).toEqual([expect.objectContaining({ outcome: 'DENIED', details: expect.objectContaining({ reason: 'NOT_APPROVED_BY_OWNER' }) as unknown })]);
  });
});

describe("Education's approver and a hand-made PENDING grant", () => {
  const datasetId = `collude-pending-${runId}`;
  beforeAll(() => registerWithData(datasetId));

  test("is refused when the grant's parts carry no endorsement policy (later changes would not need Education's peer)", async () => {
    const { grantId, status } = await forgedRequest(requestOf(datasetId), (set) => {
      set.metadataWrites = [];
    });
    expect(status.successful).toBe(true);
    expect((await api('finance', 'GET', `/api/v1/grants/${grantId}`)).body).toMatchObject({ status: 'PENDING' });
    const approval = await api('education', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver', body: { fields: ['school'] } });
    expect(approval.status).toBe(409);
    expect(approval.body).toMatchObject({ code: 'INVALID_STATE' });
    expect(String(approval.body.detail)).toContain("its decision would not need EducationMSP's peer");
    const fetched = await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`);
    expect(fetched.status).toBe(403);
    expect(fetched.body).toMatchObject({ code: 'ACCESS_DENIED', reason: 'PENDING' });
    expect(JSON.stringify(fetched.body)).not.toContain(NATIONAL_ID);
  });
});
