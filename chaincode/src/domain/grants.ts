import {
  GovshareError,
  type AccessApproval,
  type AccessCheck,
  type AccessReason,
  type AccessRequest,
  type Dataset,
  type Grant,
  type GrantStatus,
  type GrantView,
} from 'govshare-contract';
import { stampOf, type TxInfo } from './tx';

/** Rules for access grants; pure functions of the stored records and the transaction. */

/** EXPIRED is never stored: an APPROVED grant whose validity ended before `now` (the tx timestamp) is EXPIRED. */
export function effectiveStatus(grant: Grant, now: string): GrantStatus {
  return grant.status === 'APPROVED' && now >= grant.notAfter ? 'EXPIRED' : grant.status;
}

/** Live grants block a second request for the same dataset by the same requester. */
export function isLive(grant: Grant, now: string): boolean {
  return (grant.status === 'PENDING' || grant.status === 'APPROVED') && now < grant.notAfter;
}

/**
 * The grant as clients see it at `now`; `active` judged on its dataset as it is now (its current classification)
 * and on its owner's register of approved grants (`approvedByOwner`, see accessReasonOn).
 */
export function viewOf(grant: Grant, dataset: Dataset | undefined, now: string, approvedByOwner: ReadonlySet<string>): GrantView {
  return { ...grant, status: effectiveStatus(grant, now), active: accessReasonOn(grant, dataset, now, approvedByOwner) === 'ACTIVE' };
}

/** Whether each part of a stored grant carries its party's endorsement policy, as RequestAccess leaves them. */
export interface GrantGuards {
  readonly decision: boolean;
  readonly withdrawal: boolean;
  readonly countersignature: boolean;
}

/**
 * Whether the grant waits for the supervisor's countersignature: one requested on a SECRET dataset, or one on a
 * dataset that is SECRET now. Raising a dataset to SECRET suspends its grants nobody countersigned, so an owner
 * cannot lower the classification, approve, and raise it back.
 */
export function awaitsCountersignature(grant: Grant, dataset: Dataset | undefined): boolean {
  return grant.countersigned === undefined && (grant.countersignatureRequired || dataset?.classification === 'SECRET');
}

/**
 * The grant's reason as an access decision on `dataset` as it is now. `approvedByOwner` is the owner's register
 * of the grants it approved (owner-endorsed keys only): an APPROVED grant missing from it was written by a
 * transaction the owner's peer never endorsed (a colluding majority can create new keys), and gives no access.
 */
export function accessReasonOn(grant: Grant, dataset: Dataset | undefined, now: string, approvedByOwner: ReadonlySet<string>): AccessReason {
  if (grant.status === 'APPROVED' && !approvedByOwner.has(grant.id)) return 'NOT_APPROVED_BY_OWNER';
  const reason = accessReason(grant, now);
  return reason === 'ACTIVE' && awaitsCountersignature(grant, dataset) ? 'AWAITING_COUNTERSIGNATURE' : reason;
}

/** Why a grant does or does not give access at `now`, before looking at fields. */
export function accessReason(grant: Grant, now: string): AccessReason {
  switch (grant.status) {
    case 'PENDING':
      return 'PENDING';
    case 'DENIED':
    case 'WITHDRAWN':
    case 'REVOKED':
      return 'ENDED';
    case 'APPROVED':
      if (now >= grant.notAfter) return 'EXPIRED';
      if (now < grant.notBefore) return 'NOT_YET_VALID';
      if (grant.countersignatureRequired && grant.countersigned === undefined) return 'AWAITING_COUNTERSIGNATURE';
      return 'ACTIVE';
  }
}

function unknownFields(requested: readonly string[], allowed: readonly string[]): string[] {
  const known = new Set(allowed);
  return requested.filter((field) => !known.has(field));
}

/** Checks a request against the dataset; `live` are the requester's live grants on it. */
export function buildGrant(
  request: AccessRequest,
  dataset: Dataset,
  live: readonly Grant[],
  tx: TxInfo,
): Grant {
  if (dataset.ownerMsp === tx.caller.mspId) {
    throw new GovshareError('OWN_DATASET', `${tx.caller.mspId} owns dataset '${dataset.id}' and cannot request access to it`);
  }
  if (dataset.status === 'RETIRED') {
    throw new GovshareError('DATASET_RETIRED', `dataset '${dataset.id}' is retired`);
  }
  const unknown = unknownFields(request.fields, dataset.fields.map((f) => f.name));
  if (unknown.length > 0) {
    throw new GovshareError('UNKNOWN_FIELDS', `dataset '${dataset.id}' has no field(s) ${unknown.join(', ')}`);
  }
  if (request.notAfter <= tx.timestamp) {
    throw new GovshareError('INVALID_ARGUMENT', 'notAfter: must be after the transaction time');
  }
  const conflicting = live.find((grant) => isLive(grant, tx.timestamp));
  if (conflicting !== undefined) {
    throw new GovshareError(
      'GRANT_CONFLICT',
      `${tx.caller.mspId} already has live grant '${conflicting.id}' (${conflicting.status}) on dataset '${dataset.id}'`,
    );
  }
  const stamp = stampOf(tx);
  return {
    id: tx.txId,
    datasetId: dataset.id,
    ownerMsp: dataset.ownerMsp,
    requesterMsp: tx.caller.mspId,
    purpose: request.purpose,
    legalBasis: request.legalBasis,
    fields: [...request.fields].sort(),
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    status: 'PENDING',
    countersignatureRequired: dataset.classification === 'SECRET',
    ...(request.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: request.privateDetailsSha256 }),
    requested: stamp,
    updated: stamp,
  };
}

function assertOrg(grant: Grant, mspId: string, party: 'owner' | 'requester', tx: TxInfo): void {
  if (tx.caller.mspId !== mspId) {
    throw new GovshareError('FORBIDDEN', `only the ${party} (${mspId}) may do this to grant '${grant.id}'`);
  }
}

function assertStatus(grant: Grant, expected: GrantStatus, tx: TxInfo): void {
  const status = effectiveStatus(grant, tx.timestamp);
  if (status !== expected) {
    throw new GovshareError('INVALID_STATE', `grant '${grant.id}' is ${status}, not ${expected}`);
  }
}

/**
 * The owner approves only a grant as RequestAccess wrote it: each part guarded by its party's peer (`guards`) and
 * not yet countersigned. A grant hand-made by other organisations could otherwise be changed after the approval
 * without the owner (its decision part), or be countersigned without the supervisor.
 */
function assertAsRequested(grant: Grant, guards: GrantGuards, supervisorMsp: string): void {
  const unguarded = [
    ...(guards.decision ? [] : [`its decision would not need ${grant.ownerMsp}'s peer`]),
    ...(guards.withdrawal ? [] : [`its withdrawal would not need ${grant.requesterMsp}'s peer`]),
    ...(guards.countersignature ? [] : [`its countersignature would not need ${supervisorMsp}'s peer (the supervisor now)`]),
    ...(grant.countersigned === undefined ? [] : ['it is countersigned before any approval']),
  ];
  if (unguarded.length > 0) {
    throw new GovshareError(
      'INVALID_STATE',
      `grant '${grant.id}' is not as a RequestAccess writes it: ${unguarded.join('; ')}. The requester must request again`,
    );
  }
}

/** The owner's approver approves a PENDING request, optionally narrowing fields and shortening validity. */
export function approveGrant(grant: Grant, approval: AccessApproval, tx: TxInfo, guards: GrantGuards, supervisorMsp: string): Grant {
  assertOrg(grant, grant.ownerMsp, 'owner', tx);
  assertStatus(grant, 'PENDING', tx);
  assertAsRequested(grant, guards, supervisorMsp);
  const fields = approval.fields === undefined ? grant.fields : [...approval.fields].sort();
  const outside = unknownFields(fields, grant.fields);
  if (outside.length > 0) {
    throw new GovshareError('UNKNOWN_FIELDS', `approval may only narrow the requested fields; not requested: ${outside.join(', ')}`);
  }
  const notAfter = approval.notAfter ?? grant.notAfter;
  if (notAfter > grant.notAfter) {
    throw new GovshareError('INVALID_ARGUMENT', 'notAfter: approval may only shorten the requested validity');
  }
  if (notAfter <= tx.timestamp || notAfter <= grant.notBefore) {
    throw new GovshareError('INVALID_ARGUMENT', 'notAfter: must be after notBefore and the transaction time');
  }
  const stamp = stampOf(tx);
  return { ...grant, fields, notAfter, status: 'APPROVED', decided: { stamp }, updated: stamp };
}

export function denyGrant(grant: Grant, reason: string, tx: TxInfo): Grant {
  assertOrg(grant, grant.ownerMsp, 'owner', tx);
  assertStatus(grant, 'PENDING', tx);
  const stamp = stampOf(tx);
  return { ...grant, status: 'DENIED', decided: { stamp, reason }, updated: stamp };
}

export function withdrawGrant(grant: Grant, tx: TxInfo): Grant {
  assertOrg(grant, grant.requesterMsp, 'requester', tx);
  assertStatus(grant, 'PENDING', tx);
  const stamp = stampOf(tx);
  return { ...grant, status: 'WITHDRAWN', closed: { stamp }, updated: stamp };
}

export function revokeGrant(grant: Grant, reason: string, tx: TxInfo): Grant {
  assertOrg(grant, grant.ownerMsp, 'owner', tx);
  assertStatus(grant, 'APPROVED', tx);
  const stamp = stampOf(tx);
  return { ...grant, status: 'REVOKED', closed: { stamp, reason }, updated: stamp };
}

/**
 * The supervisor countersigns an APPROVED grant on a SECRET dataset (SECRET when requested or now); only then it
 * becomes active.
 */
export function countersignGrant(grant: Grant, dataset: Dataset | undefined, tx: TxInfo, supervisorMsp: string): Grant {
  if (tx.caller.mspId !== supervisorMsp) {
    throw new GovshareError('FORBIDDEN', `only ${supervisorMsp} countersigns grants`);
  }
  if (!grant.countersignatureRequired && dataset?.classification !== 'SECRET') {
    throw new GovshareError('INVALID_STATE', `grant '${grant.id}' is not on a SECRET dataset and needs no countersignature`);
  }
  if (grant.countersigned !== undefined) {
    throw new GovshareError('INVALID_STATE', `grant '${grant.id}' is already countersigned`);
  }
  assertStatus(grant, 'APPROVED', tx);
  const stamp = stampOf(tx);
  return { ...grant, countersigned: stamp, updated: stamp };
}

/**
 * The access decision for `requesterMsp` reading `fields` of `dataset` at `now`, given that
 * requester's grants on it: the first active grant covering the fields wins; otherwise the most
 * telling reason of the newest grant.
 */
export function decideAccess(
  dataset: Dataset | undefined,
  requesterMsp: string,
  grants: readonly Grant[],
  fields: readonly string[],
  now: string,
  approvedByOwner: ReadonlySet<string>,
): AccessCheck {
  if (dataset === undefined) return { decision: 'DENIED', reason: 'NO_GRANT' };
  if (dataset.status === 'RETIRED') return { decision: 'DENIED', reason: 'DATASET_RETIRED' };
  const mine = grants.filter((grant) => grant.requesterMsp === requesterMsp && grant.datasetId === dataset.id);
  for (const grant of mine) {
    if (accessReasonOn(grant, dataset, now, approvedByOwner) === 'ACTIVE' && unknownFields(fields, grant.fields).length === 0) {
      return { decision: 'GRANTED', reason: 'ACTIVE', grantId: grant.id };
    }
  }
  const newest = [...mine].sort((a, b) => (a.requested.timestamp < b.requested.timestamp ? 1 : -1))[0];
  if (newest === undefined) return { decision: 'DENIED', reason: 'NO_GRANT' };
  const reason = accessReasonOn(newest, dataset, now, approvedByOwner);
  return { decision: 'DENIED', reason: reason === 'ACTIVE' ? 'FIELDS_OUT_OF_SCOPE' : reason, grantId: newest.id };
}

/** Private details may be attached by the requester to its PENDING request, and must match the declared hash. */
export function assertDetailsAttachable(grant: Grant, detailsSha256: string, tx: TxInfo): void {
  assertOrg(grant, grant.requesterMsp, 'requester', tx);
  assertStatus(grant, 'PENDING', tx);
  if (grant.privateDetailsSha256 === undefined) {
    throw new GovshareError('INVALID_STATE', `grant '${grant.id}' was requested without private details`);
  }
  if (grant.privateDetailsSha256 !== detailsSha256) {
    throw new GovshareError('INVALID_ARGUMENT', `details: SHA-256 ${detailsSha256} does not match the hash declared in grant '${grant.id}'`);
  }
}

export function grantNotFound(id: string): GovshareError {
  return new GovshareError('GRANT_NOT_FOUND', `grant '${id}' does not exist`);
}
