import type { Context } from 'fabric-contract-api';

/**
 * Every ledger key is built here. Records live under composite keys
 * (`\u0000<objectType>\u0000<attr>\u0000...`) so each record type is a separate, range-scannable
 * namespace. Secondary indexes are composite keys too (`<record>~<index>`), whose value is the
 * record id; LevelDB has no rich queries, so every list is a partial-composite-key query over one.
 */
export const ObjectType = {
  Dataset: 'dataset',
  DatasetByOwner: 'dataset~owner',
  DatasetByTheme: 'dataset~theme',
  DatasetByClassification: 'dataset~classification',
  /**
   * The owner's register of the grants it approved on a dataset: created with the dataset, under the owner-only
   * endorsement policy, so only a transaction the owner's peer endorsed changes it. A new key falls under the
   * chaincode's MAJORITY policy, so a grant record alone proves nothing; an access decision needs the grant here.
   */
  ApprovedGrants: 'dataset~approved',
  Grant: 'grant',
  GrantByDataset: 'grant~dataset',
  GrantByRequester: 'grant~requester',
  PendingGrantByOwner: 'grant~pending',
  LiveGrant: 'grant~live',
  /** The requester's part of a grant (its withdrawal), endorsed by the requester's peer. */
  GrantWithdrawal: 'grant~withdrawal',
  /** The supervisor's part of a grant (its countersignature), endorsed by the supervisor's peer. */
  GrantCountersignature: 'grant~countersignature',
  Audit: 'audit',
  AuditByDataset: 'audit~dataset',
  AuditByActor: 'audit~actor',
  AuditByTime: 'audit~time',
  Certificate: 'certificate',
  GrantPrivateDetails: 'grant~details',
  /** Subject pseudonyms already on a certificate: each certificate must carry its own (docs/security.md). */
  CertificatePseudonym: 'certificate~pseudonym',
  /** The one organisation-roles record (OrgConfig). */
  OrgConfig: 'config~orgs',
} as const;
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

export function key(ctx: Context, type: ObjectType, attributes: readonly string[]): string {
  return ctx.stub.createCompositeKey(type, [...attributes]);
}

export function datasetKey(ctx: Context, datasetId: string): string {
  return key(ctx, ObjectType.Dataset, [datasetId]);
}

export function grantKey(ctx: Context, grantId: string): string {
  return key(ctx, ObjectType.Grant, [grantId]);
}

export function auditKey(ctx: Context, auditId: string): string {
  return key(ctx, ObjectType.Audit, [auditId]);
}

export function certificateKey(ctx: Context, documentSha256: string): string {
  return key(ctx, ObjectType.Certificate, [documentSha256]);
}

/** Implicit per-org private data collections need no collections config; each org's peers hold their own. */
export function implicitCollectionOf(mspId: string): string {
  return `_implicit_org_${mspId}`;
}

/** Composite keys contain U+0000 separators; make them readable in error messages. */
export function printableKey(compositeKey: string): string {
  return compositeKey.split('\u0000').filter((part) => part !== '').join('/');
}
