import {
  canonicalJsonBytes,
  GovshareError,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  PrivateRequestDetails,
  sha256Hex,
  type AccessCheck,
  type AccessReceipt,
  type ApproveAccess,
  type ArgumentsOf,
  type AttachRequestDetails,
  type AuditType,
  type CheckAccess,
  type CountersignAccess,
  type DenyAccess,
  type EventName,
  type Grant,
  type GrantView,
  type ListGrantsByDataset,
  type ListGrantsByRequester,
  type ListPendingGrants,
  type Page,
  type ReadGrant,
  type ReadGrantDetails,
  type RecordAccess,
  type RequestAccess,
  type RevokeAccess,
  type WithdrawRequest,
} from 'govshare-contract';
import type { GovshareContext } from '../contracts/context';
import {
  approveGrant,
  assertDetailsAttachable,
  buildGrant,
  countersignGrant,
  decideAccess,
  decideRecordedAccess,
  denyGrant,
  revokeGrant,
  viewOf,
  withdrawGrant,
} from '../domain/grants';
import { parseJsonInput } from '../domain/validation';
import { emitEvent, parseJson, transientValue } from '../ledger';
import { repositoriesOf } from '../repositories';
import type { GrantList } from '../repositories/grants';

/** The audit record and event of a grant transition. */
async function recordTransition(ctx: GovshareContext, grant: Grant, type: AuditType, event: EventName, details: Record<string, string | string[]>): Promise<void> {
  await repositoriesOf(ctx).audit.record(
    {
      type,
      outcome: 'SUCCESS',
      datasetId: grant.datasetId,
      subjectOwnerMsp: grant.ownerMsp,
      grantId: grant.id,
      details: { requesterMsp: grant.requesterMsp, status: grant.status, ...details },
    },
    event,
    { datasetId: grant.datasetId, ownerMsp: grant.ownerMsp, grantId: grant.id, requesterMsp: grant.requesterMsp },
  );
}

export async function requestAccess(ctx: GovshareContext, { request }: ArgumentsOf<typeof RequestAccess>): Promise<GrantView> {
  const { datasets, grants } = repositoriesOf(ctx);
  const dataset = await datasets.get(request.datasetId);
  const grant = buildGrant(request, dataset, await grants.live(dataset.id, ctx.tx.caller.mspId), ctx.tx);
  await grants.save(undefined, grant);
  await recordTransition(ctx, grant, 'ACCESS_REQUESTED', 'AccessRequested', {
    fields: grant.fields,
    purposeCode: grant.purpose.code,
    ...(grant.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: grant.privateDetailsSha256 }),
  });
  return viewOf(grant, ctx.tx.timestamp);
}

/**
 * AttachRequestDetails: the requester stores the sensitive details of its PENDING request in the
 * owner's and its own implicit collections. The transaction writes nothing public, so it needs only
 * those two orgs' endorsements (the implicit collections' policies): the client names them as the
 * endorsing organisations and the details never reach any other peer. Its audit trail is the
 * ACCESS_REQUESTED record, which already holds the details' hash.
 */
export async function attachRequestDetails(
  ctx: GovshareContext,
  { grantId }: ArgumentsOf<typeof AttachRequestDetails>,
): Promise<{ grantId: string; privateDetailsSha256: string }> {
  const raw = transientValue(ctx, PRIVATE_DETAILS_TRANSIENT_KEY);
  if (raw === undefined) {
    throw new GovshareError('INVALID_ARGUMENT', `details: missing from the transient map (key '${PRIVATE_DETAILS_TRANSIENT_KEY}')`);
  }
  // Canonicalised, so the hash does not depend on the key order the client used.
  const bytes = canonicalJsonBytes(parseJsonInput(PrivateRequestDetails, Buffer.from(raw).toString('utf8'), 'details'));
  const { grants } = repositoriesOf(ctx);
  const grant = await grants.get(grantId);
  const detailsHash = sha256Hex(bytes);
  assertDetailsAttachable(grant, detailsHash, ctx.tx);
  await grants.savePrivateDetails(grant, bytes);
  emitEvent(ctx, 'AccessDetailsAttached', {
    txId: ctx.tx.txId,
    datasetId: grant.datasetId,
    ownerMsp: grant.ownerMsp,
    grantId: grant.id,
    requesterMsp: grant.requesterMsp,
  });
  return { grantId: grant.id, privateDetailsSha256: detailsHash };
}

async function transition(
  ctx: GovshareContext,
  id: string,
  apply: (grant: Grant) => Grant,
  type: AuditType,
  event: EventName,
): Promise<GrantView> {
  const { grants } = repositoriesOf(ctx);
  const before = await grants.get(id);
  const after = apply(before);
  await grants.save(before, after);
  await recordTransition(ctx, after, type, event, { fields: after.fields, notAfter: after.notAfter });
  return viewOf(after, ctx.tx.timestamp);
}

export function approveAccess(ctx: GovshareContext, { grantId, approval }: ArgumentsOf<typeof ApproveAccess>): Promise<GrantView> {
  return transition(ctx, grantId, (g) => approveGrant(g, approval, ctx.tx), 'ACCESS_APPROVED', 'AccessApproved');
}

export function denyAccess(ctx: GovshareContext, { grantId, reason }: ArgumentsOf<typeof DenyAccess>): Promise<GrantView> {
  return transition(ctx, grantId, (g) => denyGrant(g, reason, ctx.tx), 'ACCESS_DENIED', 'AccessDenied');
}

export function withdrawRequest(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof WithdrawRequest>): Promise<GrantView> {
  return transition(ctx, grantId, (g) => withdrawGrant(g, ctx.tx), 'ACCESS_WITHDRAWN', 'AccessWithdrawn');
}

export function revokeAccess(ctx: GovshareContext, { grantId, reason }: ArgumentsOf<typeof RevokeAccess>): Promise<GrantView> {
  return transition(ctx, grantId, (g) => revokeGrant(g, reason, ctx.tx), 'ACCESS_REVOKED', 'AccessRevoked');
}

export function countersignAccess(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof CountersignAccess>): Promise<GrantView> {
  return transition(ctx, grantId, (g) => countersignGrant(g, ctx.tx, ctx.orgConfig.supervisorMsp), 'ACCESS_COUNTERSIGNED', 'AccessCountersigned');
}

export async function checkAccess(ctx: GovshareContext, { datasetId, requesterMsp, fields }: ArgumentsOf<typeof CheckAccess>): Promise<AccessCheck> {
  const { datasets, grants } = repositoriesOf(ctx);
  const dataset = await datasets.get(datasetId);
  return decideAccess(dataset, requesterMsp, await grants.ofRequester(datasetId, requesterMsp), fields, ctx.tx.timestamp);
}

/**
 * RecordAccess: the requester's gateway records every fetch. The decision is written to the audit
 * trail and returned as a receipt either way: a denied attempt is a committed record, not an error.
 */
export async function recordAccess(ctx: GovshareContext, { grantId, payloadSha256, fields }: ArgumentsOf<typeof RecordAccess>): Promise<AccessReceipt> {
  const { datasets, grants, audit } = repositoriesOf(ctx);
  const grant = await grants.find(grantId);
  const dataset = grant === undefined ? undefined : await datasets.get(grant.datasetId);
  const check: AccessCheck =
    grant === undefined
      ? { decision: 'DENIED', reason: 'NO_GRANT' }
      : decideRecordedAccess(grant, dataset, ctx.tx.caller.mspId, fields, ctx.tx.timestamp);
  const record = await audit.record(
    {
      type: 'DATA_ACCESSED',
      outcome: check.decision,
      grantId,
      ...(grant === undefined ? {} : { datasetId: grant.datasetId, subjectOwnerMsp: grant.ownerMsp }),
      details: { fields: [...fields].sort(), payloadSha256, reason: check.reason },
    },
    'AccessRecorded',
    {
      grantId,
      decision: check.decision,
      ...(grant === undefined ? {} : { datasetId: grant.datasetId, ownerMsp: grant.ownerMsp, requesterMsp: grant.requesterMsp }),
    },
  );
  return { auditId: record.id, txId: ctx.tx.txId, decision: check.decision, reason: check.reason, grantId };
}

export async function readGrant(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof ReadGrant>): Promise<GrantView> {
  return viewOf(await repositoriesOf(ctx).grants.get(grantId), ctx.tx.timestamp);
}

async function listGrants(ctx: GovshareContext, list: GrantList, attribute: string, pageSize: number, bookmark: string): Promise<Page<GrantView>> {
  const page = await repositoriesOf(ctx).grants.page(list, attribute, pageSize, bookmark);
  return { ...page, records: page.records.map((grant) => viewOf(grant, ctx.tx.timestamp)) };
}

export function listGrantsByDataset(ctx: GovshareContext, { datasetId, pageSize, bookmark }: ArgumentsOf<typeof ListGrantsByDataset>): Promise<Page<GrantView>> {
  return listGrants(ctx, 'dataset', datasetId, pageSize, bookmark);
}

export function listGrantsByRequester(ctx: GovshareContext, { requesterMsp, pageSize, bookmark }: ArgumentsOf<typeof ListGrantsByRequester>): Promise<Page<GrantView>> {
  return listGrants(ctx, 'requester', requesterMsp, pageSize, bookmark);
}

export function listPendingGrants(ctx: GovshareContext, { ownerMsp, pageSize, bookmark }: ArgumentsOf<typeof ListPendingGrants>): Promise<Page<GrantView>> {
  return listGrants(ctx, 'pending', ownerMsp, pageSize, bookmark);
}

/**
 * The private request details, read from the caller's own implicit collection (so only the owner's
 * and requester's peers can answer) and checked against the hash on the public grant.
 */
export async function readGrantDetails(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof ReadGrantDetails>): Promise<PrivateRequestDetails> {
  const { grants } = repositoriesOf(ctx);
  const grant = await grants.get(grantId);
  const { mspId } = ctx.tx.caller;
  if (mspId !== grant.ownerMsp && mspId !== grant.requesterMsp) {
    throw new GovshareError('FORBIDDEN', `only ${grant.ownerMsp} and ${grant.requesterMsp} read the details of grant '${grant.id}'`);
  }
  if (grant.privateDetailsSha256 === undefined) {
    throw new GovshareError('GRANT_NOT_FOUND', `grant '${grant.id}' has no private details`);
  }
  const bytes = await grants.privateDetails(grant, mspId);
  if (bytes === undefined) {
    throw new GovshareError('GRANT_NOT_FOUND', `the private details of grant '${grant.id}' are not on this peer`);
  }
  if (sha256Hex(bytes) !== grant.privateDetailsSha256) {
    throw new GovshareError('INTERNAL', `the private details of grant '${grant.id}' do not match their public hash`);
  }
  return parseJson(bytes, PrivateRequestDetails, `private details of grant '${grant.id}'`);
}
