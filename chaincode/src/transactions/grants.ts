import type { Context } from 'fabric-contract-api';
import {
  approveGrant,
  assertDetailsAttachable,
  buildGrant,
  countersignGrant,
  decideAccess,
  decideRecordedAccess,
  denyGrant,
  grantNotFound,
  revokeGrant,
  viewOf,
  withdrawGrant,
} from '../domain/grants';
import {
  AccessApproval,
  AccessRequest,
  authorize,
  Bookmark,
  canonicalJsonBytes,
  DecisionReason,
  FieldList,
  GovshareError,
  Grant,
  Identifier,
  MspId,
  PageSize,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  PrivateRequestDetails,
  Sha256Hex,
  sha256Hex,
  type AccessCheck,
  type AccessReceipt,
  type Action,
  type AuditType,
  type EventName,
  type GrantView,
  type Page,
  type PrivateRequestDetails as PrivateRequestDetailsType,
} from 'govshare-contract';
import type { TxInfo } from '../domain/tx';
import { parseArgument, parseJsonInput } from '../domain/validation';
import {
  deleteKey,
  emitEvent,
  getJson,
  getPrivate,
  grantKey,
  implicitCollectionOf,
  indexIds,
  key,
  ObjectType,
  pageOfKeys,
  parseJson,
  putIndex,
  putJson,
  putPrivate,
  transientValue,
} from '../ledger';
import { writeAudit } from './audit-trail';
import { readDataset } from './catalog';

/** Index entries of a grant in its stored state: PENDING is listed for the owner, PENDING/APPROVED are live. */
function grantIndexKeys(ctx: Context, grant: Grant): string[] {
  const keys = [
    key(ctx, ObjectType.GrantByDataset, [grant.datasetId, grant.requesterMsp, grant.id]),
    key(ctx, ObjectType.GrantByRequester, [grant.requesterMsp, grant.id]),
  ];
  if (grant.status === 'PENDING') keys.push(key(ctx, ObjectType.PendingGrantByOwner, [grant.ownerMsp, grant.id]));
  if (grant.status === 'PENDING' || grant.status === 'APPROVED') {
    keys.push(key(ctx, ObjectType.LiveGrant, [grant.datasetId, grant.requesterMsp, grant.id]));
  }
  return keys;
}

async function saveGrant(ctx: Context, before: Grant | undefined, after: Grant): Promise<void> {
  await putJson(ctx, grantKey(ctx, after.id), after);
  const next = grantIndexKeys(ctx, after);
  const old = before === undefined ? [] : grantIndexKeys(ctx, before);
  for (const indexKey of old.filter((k) => !next.includes(k))) await deleteKey(ctx, indexKey);
  for (const indexKey of next.filter((k) => !old.includes(k))) await putIndex(ctx, indexKey, after.id);
}

export async function readGrant(ctx: Context, id: string): Promise<Grant> {
  const grantId = parseArgument(Identifier, id);
  const grant = await getJson(ctx, grantKey(ctx, grantId), Grant);
  if (grant === undefined) throw grantNotFound(grantId);
  return grant;
}

async function grantsByIds(ctx: Context, ids: readonly string[]): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (const id of ids) grants.push(await readGrant(ctx, id));
  return grants;
}

async function auditAndEmit(
  ctx: Context,
  tx: TxInfo,
  grant: Grant,
  type: AuditType,
  event: EventName,
  details: Record<string, string | string[]>,
): Promise<void> {
  const audit = await writeAudit(ctx, tx, {
    type,
    outcome: 'SUCCESS',
    datasetId: grant.datasetId,
    subjectOwnerMsp: grant.ownerMsp,
    grantId: grant.id,
    details: { requesterMsp: grant.requesterMsp, status: grant.status, ...details },
  });
  emitEvent(ctx, event, {
    txId: tx.txId,
    auditId: audit.id,
    datasetId: grant.datasetId,
    ownerMsp: grant.ownerMsp,
    grantId: grant.id,
    requesterMsp: grant.requesterMsp,
  });
}

/** Sensitive details from the transient map, canonicalised so the hash does not depend on key order. */
function privateDetailsOf(ctx: Context): { details: PrivateRequestDetailsType; bytes: Uint8Array } | undefined {
  const raw = transientValue(ctx, PRIVATE_DETAILS_TRANSIENT_KEY);
  if (raw === undefined) return undefined;
  const details = parseJsonInput(PrivateRequestDetails, Buffer.from(raw).toString('utf8'), 'details');
  return { details, bytes: canonicalJsonBytes(details) };
}

function privateDetailsKey(ctx: Context, grantId: string): string {
  return key(ctx, ObjectType.GrantPrivateDetails, [grantId]);
}

export async function requestAccess(ctx: Context, tx: TxInfo, requestJson: string): Promise<GrantView> {
  authorize(tx.caller, 'REQUEST_ACCESS');
  const request = parseJsonInput(AccessRequest, requestJson, 'request');
  const dataset = await readDataset(ctx, request.datasetId);
  // Narrow, non-paginated lookup (pagination is evaluate-only): this requester's live grants on this dataset.
  const live = await grantsByIds(ctx, await indexIds(ctx, ObjectType.LiveGrant, [dataset.id, tx.caller.mspId]));
  const grant = buildGrant(request, dataset, live, tx);
  await saveGrant(ctx, undefined, grant);
  await auditAndEmit(ctx, tx, grant, 'ACCESS_REQUESTED', 'AccessRequested', {
    fields: grant.fields,
    purposeCode: grant.purpose.code,
    ...(grant.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: grant.privateDetailsSha256 }),
  });
  return viewOf(grant, tx.timestamp);
}

/**
 * AttachRequestDetails: the requester stores the sensitive details of its PENDING request in the
 * owner's and its own implicit collections. The transaction writes nothing public, so it needs only
 * those two orgs' endorsements (the implicit collections' policies): the client names them as the
 * endorsing organisations and the details never reach any other peer. Its audit trail is the
 * ACCESS_REQUESTED record, which already holds the details' hash.
 */
export async function attachRequestDetails(ctx: Context, tx: TxInfo, id: string): Promise<{ grantId: string; privateDetailsSha256: string }> {
  authorize(tx.caller, 'REQUEST_ACCESS');
  const privateDetails = privateDetailsOf(ctx);
  if (privateDetails === undefined) {
    throw new GovshareError('INVALID_ARGUMENT', `details: missing from the transient map (key '${PRIVATE_DETAILS_TRANSIENT_KEY}')`);
  }
  const grant = await readGrant(ctx, id);
  const detailsHash = sha256Hex(privateDetails.bytes);
  assertDetailsAttachable(grant, detailsHash, tx);
  await putPrivate(
    ctx,
    [implicitCollectionOf(grant.ownerMsp), implicitCollectionOf(grant.requesterMsp)],
    privateDetailsKey(ctx, grant.id),
    privateDetails.bytes,
  );
  emitEvent(ctx, 'AccessDetailsAttached', {
    txId: tx.txId,
    datasetId: grant.datasetId,
    ownerMsp: grant.ownerMsp,
    grantId: grant.id,
    requesterMsp: grant.requesterMsp,
  });
  return { grantId: grant.id, privateDetailsSha256: detailsHash };
}

async function transition(
  ctx: Context,
  tx: TxInfo,
  id: string,
  action: Action,
  apply: (grant: Grant) => Grant,
  type: AuditType,
  event: EventName,
): Promise<GrantView> {
  authorize(tx.caller, action);
  const before = await readGrant(ctx, id);
  const after = apply(before);
  await saveGrant(ctx, before, after);
  await auditAndEmit(ctx, tx, after, type, event, { fields: after.fields, notAfter: after.notAfter });
  return viewOf(after, tx.timestamp);
}

export function approveAccess(ctx: Context, tx: TxInfo, id: string, approvalJson: string): Promise<GrantView> {
  const approval = parseJsonInput(AccessApproval, approvalJson === '' ? '{}' : approvalJson, 'approval');
  return transition(ctx, tx, id, 'DECIDE_ACCESS', (g) => approveGrant(g, approval, tx), 'ACCESS_APPROVED', 'AccessApproved');
}

export function denyAccess(ctx: Context, tx: TxInfo, id: string, reasonText: string): Promise<GrantView> {
  const reason = parseArgument(DecisionReason, reasonText);
  return transition(ctx, tx, id, 'DECIDE_ACCESS', (g) => denyGrant(g, reason, tx), 'ACCESS_DENIED', 'AccessDenied');
}

export function withdrawRequest(ctx: Context, tx: TxInfo, id: string): Promise<GrantView> {
  return transition(ctx, tx, id, 'WITHDRAW_REQUEST', (g) => withdrawGrant(g, tx), 'ACCESS_WITHDRAWN', 'AccessWithdrawn');
}

export function revokeAccess(ctx: Context, tx: TxInfo, id: string, reasonText: string): Promise<GrantView> {
  const reason = parseArgument(DecisionReason, reasonText);
  return transition(ctx, tx, id, 'REVOKE_ACCESS', (g) => revokeGrant(g, reason, tx), 'ACCESS_REVOKED', 'AccessRevoked');
}

export function countersignAccess(ctx: Context, tx: TxInfo, id: string): Promise<GrantView> {
  return transition(ctx, tx, id, 'COUNTERSIGN_ACCESS', (g) => countersignGrant(g, tx), 'ACCESS_COUNTERSIGNED', 'AccessCountersigned');
}

export async function checkAccess(
  ctx: Context,
  tx: TxInfo,
  datasetIdText: string,
  requesterText: string,
  fieldsJson: string,
): Promise<AccessCheck> {
  const datasetId = parseArgument(Identifier, datasetIdText);
  const requesterMsp = parseArgument(MspId, requesterText);
  const fields = parseJsonInput(FieldList, fieldsJson, 'fields');
  const dataset = await readDataset(ctx, datasetId);
  const grants = await grantsByIds(ctx, await indexIds(ctx, ObjectType.GrantByDataset, [datasetId, requesterMsp]));
  return decideAccess(dataset, requesterMsp, grants, fields, tx.timestamp);
}

/**
 * RecordAccess: the requester's gateway records every fetch. The decision is written to the audit
 * trail and returned as a receipt either way: a denied attempt is a committed record, not an error.
 */
export async function recordAccess(
  ctx: Context,
  tx: TxInfo,
  grantIdText: string,
  payloadText: string,
  fieldsJson: string,
): Promise<AccessReceipt> {
  authorize(tx.caller, 'RECORD_ACCESS');
  const grantId = parseArgument(Identifier, grantIdText);
  const payloadSha256 = parseArgument(Sha256Hex, payloadText);
  const fields = parseJsonInput(FieldList, fieldsJson, 'fields');
  const grant = await getJson(ctx, grantKey(ctx, grantId), Grant);
  const dataset = grant === undefined ? undefined : await readDataset(ctx, grant.datasetId);
  const check: AccessCheck =
    grant === undefined
      ? { decision: 'DENIED', reason: 'NO_GRANT' }
      : decideRecordedAccess(grant, dataset, tx.caller.mspId, fields, tx.timestamp);
  const audit = await writeAudit(ctx, tx, {
    type: 'DATA_ACCESSED',
    outcome: check.decision,
    grantId,
    ...(grant === undefined ? {} : { datasetId: grant.datasetId, subjectOwnerMsp: grant.ownerMsp }),
    details: { fields: [...fields].sort(), payloadSha256, reason: check.reason },
  });
  emitEvent(ctx, 'AccessRecorded', {
    txId: tx.txId,
    auditId: audit.id,
    grantId,
    decision: check.decision,
    ...(grant === undefined ? {} : { datasetId: grant.datasetId, ownerMsp: grant.ownerMsp, requesterMsp: grant.requesterMsp }),
  });
  return { auditId: audit.id, txId: tx.txId, decision: check.decision, reason: check.reason, grantId };
}

type GrantList = 'dataset' | 'requester' | 'pending';
const LIST_INDEX: Record<GrantList, ObjectType> = {
  dataset: ObjectType.GrantByDataset,
  requester: ObjectType.GrantByRequester,
  pending: ObjectType.PendingGrantByOwner,
};

export async function listGrants(
  ctx: Context,
  tx: TxInfo,
  list: GrantList,
  value: string,
  pageSizeText: string,
  bookmarkText: string,
): Promise<Page<GrantView>> {
  const attribute = list === 'dataset' ? parseArgument(Identifier, value) : parseArgument(MspId, value);
  const pageSize = parseArgument(PageSize, pageSizeText);
  const bookmark = parseArgument(Bookmark, bookmarkText);
  const page = await pageOfKeys(ctx, LIST_INDEX[list], [attribute], pageSize, bookmark, (kv) =>
    Buffer.from(kv.value).toString('utf8'),
  );
  const grants = await grantsByIds(ctx, page.values);
  return {
    records: grants.map((grant) => viewOf(grant, tx.timestamp)),
    bookmark: page.bookmark,
    fetchedRecordsCount: page.fetchedRecordsCount,
  };
}

/**
 * The private request details, read from the caller's own implicit collection (so only the owner's
 * and requester's peers can answer) and checked against the hash on the public grant.
 */
export async function readGrantDetails(ctx: Context, tx: TxInfo, id: string): Promise<PrivateRequestDetailsType> {
  authorize(tx.caller, 'READ_PRIVATE_DETAILS');
  const grant = await readGrant(ctx, id);
  if (tx.caller.mspId !== grant.ownerMsp && tx.caller.mspId !== grant.requesterMsp) {
    throw new GovshareError('FORBIDDEN', `only ${grant.ownerMsp} and ${grant.requesterMsp} read the details of grant '${grant.id}'`);
  }
  if (grant.privateDetailsSha256 === undefined) {
    throw new GovshareError('GRANT_NOT_FOUND', `grant '${grant.id}' has no private details`);
  }
  const bytes = await getPrivate(ctx, implicitCollectionOf(tx.caller.mspId), privateDetailsKey(ctx, grant.id));
  if (bytes === undefined) {
    throw new GovshareError('GRANT_NOT_FOUND', `the private details of grant '${grant.id}' are not on this peer`);
  }
  if (sha256Hex(bytes) !== grant.privateDetailsSha256) {
    throw new GovshareError('INTERNAL', `the private details of grant '${grant.id}' do not match their public hash`);
  }
  return parseJson(bytes, PrivateRequestDetails, `private details of grant '${grant.id}'`);
}
