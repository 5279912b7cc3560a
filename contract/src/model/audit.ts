import { z } from 'zod';
import { Bookmark, Identifier, Instant, MspId, PageSize } from './common';

export const AUDIT_TYPES = [
  'DATASET_REGISTERED',
  'DATASET_UPDATED',
  'DATASET_RETIRED',
  'ACCESS_REQUESTED',
  'ACCESS_APPROVED',
  'ACCESS_DENIED',
  'ACCESS_WITHDRAWN',
  'ACCESS_REVOKED',
  'ACCESS_COUNTERSIGNED',
  'DATA_ACCESSED',
  'CERTIFICATE_ISSUED',
  'CERTIFICATE_REVOKED',
  'ORG_CONFIG_CHANGED',
] as const;
export const AuditType = z.enum(AUDIT_TYPES);
export type AuditType = z.infer<typeof AuditType>;

export const AuditOutcome = z.enum(['SUCCESS', 'GRANTED', 'DENIED']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** Scalar details only (ids, codes, digests): an audit record never holds free text about a person. */
export const AuditDetails = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));
export type AuditDetails = z.infer<typeof AuditDetails>;

export const AuditRecord = z.object({
  id: z.string().min(1),
  type: AuditType,
  datasetId: z.string().optional(),
  /** Owner of the dataset (or issuer of the certificate) the record is about: decides department visibility. */
  subjectOwnerMsp: MspId.optional(),
  grantId: z.string().optional(),
  certificateId: z.string().optional(),
  actorMsp: MspId,
  actorId: z.string().min(1),
  role: z.string(),
  txId: z.string().min(1),
  timestamp: z.iso.datetime(),
  outcome: AuditOutcome,
  details: AuditDetails,
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** Input of QueryAudit: one index (dataset, actor org, or time only) over a time window of at most 92 days. */
export const AuditQuery = z
  .strictObject({
    datasetId: Identifier.optional(),
    actorMsp: MspId.optional(),
    from: Instant,
    to: Instant,
    pageSize: PageSize.default(50),
    bookmark: Bookmark.default(''),
  })
  .refine((q) => q.datasetId === undefined || q.actorMsp === undefined, {
    error: 'give datasetId or actorMsp, not both',
    path: ['actorMsp'],
  })
  .refine((q) => q.from < q.to, { error: 'must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 92 * 86_400_000, {
    error: 'the window must be at most 92 days',
    path: ['to'],
  });
export type AuditQueryInput = z.input<typeof AuditQuery>;
export type AuditQuery = z.output<typeof AuditQuery>;
