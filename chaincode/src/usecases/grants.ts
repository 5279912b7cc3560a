import {
  canonicalJsonBytes,
  GovshareError,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  SaltedRequestDetails,
  sha256Hex,
  type AccessCheck,
  type AccessReceipt,
  type ApproveAccess,
  type ArgumentsOf,
  type AttachRequestDetails,
  type AuditType,
  type CheckAccess,
  type CountersignAccess,
  type Dataset,
  type DenyAccess,
  type EventName,
  type Grant,
  type GrantStatus,
  type GrantView,
  type ListGrantsByDataset,
  type ListGrantsByRequester,
  type ListPendingGrants,
  type Page,
  type ReadGrant,
  type ReadGrantDetails,
  type RecordDelivery,
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
  denyGrant,
  effectiveStatus,
  revokeGrant,
  type GrantGuards,
  viewOf,
  withdrawGrant,
} from '../domain/grants';
import { datasetNotFound } from '../domain/datasets';
import { parseJsonInput } from '../domain/validation';
import { emitEvent, parseJson, transientValue } from '../ledger';
import { repositoriesOf } from '../repositories';
import type { GrantList, GrantPart } from '../repositories/grants';

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
  // Also sets each party's endorsement policy on its part of the grant (GrantRepository).
  await grants.save(undefined, grant);
  await recordTransition(ctx, grant, 'ACCESS_REQUESTED', 'AccessRequested', {
    fields: grant.fields,
    purposeCode: grant.purpose.code,
    ...(grant.privateDetailsSha256 === undefined ? {} : { privateDetailsSha256: grant.privateDetailsSha256 }),
  });
  // A new request is PENDING: no register entry can make it active.
  return viewOf(grant, dataset, ctx.tx.timestamp, new Set());
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
  // Canonicalised, so the hash does not depend on the key order the client used. The details must carry a
  // 256-bit salt: the public hash of an unsalted case reference could be found by hashing guesses.
  const bytes = canonicalJsonBytes(parseJsonInput(SaltedRequestDetails, Buffer.from(raw).toString('utf8'), 'details'));
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

/** The grants the owner of `dataset` approved and has not revoked (its register; none without a dataset). */
async function approvedOn(ctx: GovshareContext, dataset: Dataset | undefined): Promise<ReadonlySet<string>> {
  return dataset === undefined ? new Set() : repositoriesOf(ctx).datasets.approvedGrantIds(dataset.id, dataset.ownerMsp);
}

/**
 * One party's change to its part of a grant (GrantPart), judged on the grant's dataset as it is now. An
 * approval adds the grant to the owner's register of approved grants and a revocation takes it out
 * (`register`); both are the owner's decisions, endorsed by its peer under the register's own policy.
 */
async function transition(
  ctx: GovshareContext,
  id: string,
  part: GrantPart,
  apply: (grant: Grant, dataset: Dataset | undefined, guards: GrantGuards) => Grant,
  type: AuditType,
  event: EventName,
  register?: 'add' | 'remove',
): Promise<GrantView> {
  const { datasets, grants } = repositoriesOf(ctx);
  const before = await grants.get(id);
  const dataset = await datasets.find(before.datasetId);
  const after = apply(before, dataset, await grants.guards(before));
  await grants.save(before, after, part);
  let approved: ReadonlySet<string>;
  if (register === undefined) {
    approved = await approvedOn(ctx, dataset);
  } else {
    if (dataset === undefined) throw datasetNotFound(before.datasetId);
    // One read of the register: setApproved checks it, writes the change and answers with the set it wrote.
    approved = await datasets.setApproved(dataset, after.id, register === 'add');
  }
  await recordTransition(ctx, after, type, event, { fields: after.fields, notAfter: after.notAfter });
  return viewOf(after, dataset, ctx.tx.timestamp, approved);
}

export function approveAccess(ctx: GovshareContext, { grantId, approval }: ArgumentsOf<typeof ApproveAccess>): Promise<GrantView> {
  return transition(
    ctx,
    grantId,
    'decision',
    (g, _dataset, guards) => approveGrant(g, approval, ctx.tx, guards, ctx.orgConfig.supervisorMsp),
    'ACCESS_APPROVED',
    'AccessApproved',
    'add',
  );
}

export function denyAccess(ctx: GovshareContext, { grantId, reason }: ArgumentsOf<typeof DenyAccess>): Promise<GrantView> {
  return transition(ctx, grantId, 'decision', (g) => denyGrant(g, reason, ctx.tx), 'ACCESS_DENIED', 'AccessDenied');
}

export function withdrawRequest(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof WithdrawRequest>): Promise<GrantView> {
  return transition(ctx, grantId, 'withdrawal', (g) => withdrawGrant(g, ctx.tx), 'ACCESS_WITHDRAWN', 'AccessWithdrawn');
}

export function revokeAccess(ctx: GovshareContext, { grantId, reason }: ArgumentsOf<typeof RevokeAccess>): Promise<GrantView> {
  return transition(ctx, grantId, 'decision', (g) => revokeGrant(g, reason, ctx.tx), 'ACCESS_REVOKED', 'AccessRevoked', 'remove');
}

export function countersignAccess(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof CountersignAccess>): Promise<GrantView> {
  return transition(
    ctx,
    grantId,
    'countersignature',
    (g, dataset) => countersignGrant(g, dataset, ctx.tx, ctx.orgConfig.supervisorMsp),
    'ACCESS_COUNTERSIGNED',
    'AccessCountersigned',
  );
}

export async function checkAccess(ctx: GovshareContext, { datasetId, requesterMsp, fields }: ArgumentsOf<typeof CheckAccess>): Promise<AccessCheck> {
  const { datasets, grants } = repositoriesOf(ctx);
  const dataset = await datasets.get(datasetId);
  return decideAccess(dataset, requesterMsp, await grants.ofRequester(datasetId, requesterMsp), fields, ctx.tx.timestamp, await approvedOn(ctx, dataset));
}

/**
 * RecordDelivery: the owner's gateway records every request for data it answers, granted or refused, and waits
 * for the commit before anything leaves it. Only a gateway identity of the dataset's owner may record (no user,
 * no requester, no other organisation; the table's RECORD_DELIVERY admits gateway identities only): a delivery
 * on the ledger is the owner's statement that it released exactly `payloadSha256`, projected to `fields` from the
 * content `contentFingerprint`, to `requesterMsp`. The chaincode makes the access decision itself, from the
 * grants and the dataset as they are now; a refusal is a committed record, not an error.
 */
export async function recordDelivery(ctx: GovshareContext, { delivery }: ArgumentsOf<typeof RecordDelivery>): Promise<AccessReceipt> {
  const { datasets, grants, audit } = repositoriesOf(ctx);
  const dataset = await datasets.get(delivery.datasetId);
  if (ctx.tx.caller.mspId !== dataset.ownerMsp) {
    throw new GovshareError('FORBIDDEN', `only ${dataset.ownerMsp}'s gateway records deliveries of dataset '${dataset.id}'`);
  }
  if (delivery.contentFingerprint !== dataset.fingerprint) {
    throw new GovshareError(
      'CONTENT_CHANGED',
      `contentFingerprint: ${delivery.contentFingerprint} is not the current fingerprint of dataset '${dataset.id}'`,
    );
  }
  const fields = [...new Set(delivery.fields)].sort();
  const check = decideAccess(
    dataset,
    delivery.requesterMsp,
    await grants.ofRequester(dataset.id, delivery.requesterMsp),
    fields,
    ctx.tx.timestamp,
    await approvedOn(ctx, dataset),
  );
  const record = await audit.record(
    {
      type: 'DATA_ACCESSED',
      outcome: check.decision,
      datasetId: dataset.id,
      subjectOwnerMsp: dataset.ownerMsp,
      ...(check.grantId === undefined ? {} : { grantId: check.grantId }),
      details: {
        requesterMsp: delivery.requesterMsp,
        fields,
        contentFingerprint: delivery.contentFingerprint,
        payloadSha256: delivery.payloadSha256,
        reason: check.reason,
      },
      // The department it went to finds it under its own organisation too.
      alsoListedUnder: delivery.requesterMsp,
    },
    'AccessRecorded',
    {
      decision: check.decision,
      datasetId: dataset.id,
      ownerMsp: dataset.ownerMsp,
      requesterMsp: delivery.requesterMsp,
      ...(check.grantId === undefined ? {} : { grantId: check.grantId }),
    },
  );
  return {
    auditId: record.id,
    txId: ctx.tx.txId,
    timestamp: ctx.tx.timestamp,
    decision: check.decision,
    reason: check.reason,
    ...(check.grantId === undefined ? {} : { grantId: check.grantId }),
    datasetId: dataset.id,
    ownerMsp: dataset.ownerMsp,
    requesterMsp: delivery.requesterMsp,
    fields,
    contentFingerprint: delivery.contentFingerprint,
    payloadSha256: delivery.payloadSha256,
  };
}

export async function readGrant(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof ReadGrant>): Promise<GrantView> {
  const { datasets, grants } = repositoriesOf(ctx);
  const grant = await grants.get(grantId);
  const dataset = await datasets.find(grant.datasetId);
  return viewOf(grant, dataset, ctx.tx.timestamp, await approvedOn(ctx, dataset));
}

async function listGrants(
  ctx: GovshareContext,
  list: GrantList,
  attributes: readonly string[],
  pageSize: number,
  bookmark: string,
  status: GrantStatus | '' = '',
): Promise<Page<GrantView>> {
  const { datasets, grants } = repositoriesOf(ctx);
  const now = ctx.tx.timestamp;
  const page = await grants.page(list, attributes, pageSize, bookmark, status === '' ? undefined : (grant) => effectiveStatus(grant, now) === status);
  // Each grant judged on its dataset's current classification; a page names few datasets, each read once.
  const byId = new Map<string, { dataset: Dataset | undefined; approved: ReadonlySet<string> }>();
  const records: GrantView[] = [];
  for (const grant of page.records) {
    let seen = byId.get(grant.datasetId);
    if (seen === undefined) {
      const dataset = await datasets.find(grant.datasetId);
      seen = { dataset, approved: await approvedOn(ctx, dataset) };
      byId.set(grant.datasetId, seen);
    }
    records.push(viewOf(grant, seen.dataset, ctx.tx.timestamp, seen.approved));
  }
  return { ...page, records };
}

/** A dataset's grants; a requester narrows the index itself (its second attribute), a status filters the walk. */
export function listGrantsByDataset(
  ctx: GovshareContext,
  { datasetId, requesterMsp, status, pageSize, bookmark }: ArgumentsOf<typeof ListGrantsByDataset>,
): Promise<Page<GrantView>> {
  return listGrants(ctx, 'dataset', requesterMsp === '' ? [datasetId] : [datasetId, requesterMsp], pageSize, bookmark, status);
}

export function listGrantsByRequester(
  ctx: GovshareContext,
  { requesterMsp, status, pageSize, bookmark }: ArgumentsOf<typeof ListGrantsByRequester>,
): Promise<Page<GrantView>> {
  return listGrants(ctx, 'requester', [requesterMsp], pageSize, bookmark, status);
}

export function listPendingGrants(ctx: GovshareContext, { ownerMsp, pageSize, bookmark }: ArgumentsOf<typeof ListPendingGrants>): Promise<Page<GrantView>> {
  return listGrants(ctx, 'pending', [ownerMsp], pageSize, bookmark);
}

/**
 * The private request details, read from the caller's own implicit collection (so only the owner's
 * and requester's peers can answer) and checked against the hash on the public grant.
 */
export async function readGrantDetails(ctx: GovshareContext, { grantId }: ArgumentsOf<typeof ReadGrantDetails>): Promise<SaltedRequestDetails> {
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
  return parseJson(bytes, SaltedRequestDetails, `private details of grant '${grant.id}'`);
}
