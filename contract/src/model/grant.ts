import { z } from 'zod';
import { Identifier, Instant, MspId, Sha256Hex, TxStamp } from './common';
import { FieldName } from './dataset';

export const PurposeCode = z.enum(
  ['OFFICIAL_STATISTICS', 'POLICY_EVALUATION', 'PUBLIC_SERVICE_DELIVERY', 'LAW_ENFORCEMENT', 'AUDIT', 'SCIENTIFIC_RESEARCH'],
  {
    error:
      'must be one of OFFICIAL_STATISTICS, POLICY_EVALUATION, PUBLIC_SERVICE_DELIVERY, LAW_ENFORCEMENT, AUDIT, SCIENTIFIC_RESEARCH',
  },
);
export type PurposeCode = z.infer<typeof PurposeCode>;

/** Why the data is needed. The text is public: case references and other personal details go in private details. */
export const Purpose = z.strictObject({
  code: PurposeCode,
  text: z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters').regex(/\S/, 'must not be blank'),
});

const GrantFields = z
  .array(FieldName)
  .min(1, 'must name at least one field')
  .max(200, 'must have at most 200 entries')
  .refine((values) => new Set(values).size === values.length, 'must not contain duplicates');

/** Input of RequestAccess. The requester is the caller's organisation. */
export const AccessRequest = z
  .strictObject({
    datasetId: Identifier,
    purpose: Purpose,
    legalBasis: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(/\S/, 'must not be blank'),
    fields: GrantFields,
    notBefore: Instant,
    notAfter: Instant,
    /** SHA-256 of the private details JSON (keys sorted), attached afterwards with AttachRequestDetails. */
    privateDetailsSha256: Sha256Hex.optional(),
  })
  .refine((r) => r.notBefore < r.notAfter, { error: 'must be after notBefore', path: ['notAfter'] });
export type AccessRequestInput = z.input<typeof AccessRequest>;
export type AccessRequest = z.output<typeof AccessRequest>;

/**
 * Sensitive request details (e.g. a justice case reference). The public request carries only their
 * SHA-256; the details travel in the transient map under `details` of AttachRequestDetails, endorsed
 * by the owner's and requester's peers only, and are stored only in those two orgs' implicit private
 * data collections.
 */
export const PrivateRequestDetails = z.strictObject({
  caseReference: z.string().min(1).max(200).optional(),
  notes: z.string().max(2000).optional(),
});
export type PrivateRequestDetails = z.infer<typeof PrivateRequestDetails>;

/**
 * The details as hashed and stored in the two implicit collections: with a random 256-bit salt, so that the
 * public hash of a low-entropy value (a case reference such as JUS/2026/0042) cannot be found by hashing guesses.
 * The salt never leaves the collections; the requester's gateway draws it.
 */
export const SaltedRequestDetails = PrivateRequestDetails.extend({
  salt: z.string().regex(/^[0-9a-f]{64}$/, 'must be 32 random bytes in lowercase hex'),
});
export type SaltedRequestDetails = z.infer<typeof SaltedRequestDetails>;
export const PRIVATE_DETAILS_TRANSIENT_KEY = 'details';

/** Input of ApproveAccess: the approver may narrow the fields and shorten the validity. */
export const AccessApproval = z.strictObject({
  fields: GrantFields.optional(),
  notAfter: Instant.optional(),
});
export type AccessApprovalInput = z.input<typeof AccessApproval>;
export type AccessApproval = z.output<typeof AccessApproval>;

/** A short reason for a decision; free text is public, so it must not carry personal data. */
export const DecisionReason = z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters').regex(/\S/, 'must not be blank');

/** Stored statuses. EXPIRED is never stored: it is derived from the transaction timestamp. */
export const StoredGrantStatus = z.enum(['PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN', 'REVOKED']);
export type StoredGrantStatus = z.infer<typeof StoredGrantStatus>;
export const GrantStatus = z.enum(['PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN', 'REVOKED', 'EXPIRED']);
export type GrantStatus = z.infer<typeof GrantStatus>;

export const Decision = z.object({ stamp: TxStamp, reason: z.string().optional() });

/** A grant as stored on the ledger. */
export const Grant = z.object({
  id: Identifier,
  datasetId: Identifier,
  ownerMsp: MspId,
  requesterMsp: MspId,
  purpose: Purpose,
  legalBasis: z.string(),
  fields: z.array(FieldName),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  status: StoredGrantStatus,
  /** SECRET datasets: the Audit org must countersign before the grant is active. */
  countersignatureRequired: z.boolean(),
  countersigned: TxStamp.optional(),
  privateDetailsSha256: Sha256Hex.optional(),
  requested: TxStamp,
  decided: Decision.optional(),
  closed: Decision.optional(),
  updated: TxStamp,
});
export type Grant = z.infer<typeof Grant>;

/** A grant as returned to clients: the stored record plus its status at the transaction's time. */
export const GrantView = Grant.extend({ status: GrantStatus, active: z.boolean() });
export type GrantView = z.infer<typeof GrantView>;

export const AccessDecision = z.enum(['GRANTED', 'DENIED']);
export type AccessDecision = z.infer<typeof AccessDecision>;

export const AccessReason = z.enum([
  'ACTIVE',
  'NO_GRANT',
  'NOT_GRANTEE',
  'PENDING',
  'AWAITING_COUNTERSIGNATURE',
  'NOT_YET_VALID',
  'EXPIRED',
  'ENDED',
  'FIELDS_OUT_OF_SCOPE',
  'DATASET_RETIRED',
  // The grant reads APPROVED, but its owner's register of approved grants does not list it: no transaction the
  // owner's peer endorsed approved it (it was written by other organisations), so it gives no access.
  'NOT_APPROVED_BY_OWNER',
]);
export type AccessReason = z.infer<typeof AccessReason>;

/** Result of CheckAccess. */
export const AccessCheck = z.object({
  decision: AccessDecision,
  reason: AccessReason,
  grantId: Identifier.optional(),
});
export type AccessCheck = z.infer<typeof AccessCheck>;

export const FieldList = z
  .array(FieldName)
  .min(1, 'must name at least one field')
  .max(200, 'must have at most 200 entries');

/**
 * Input of RecordDelivery: what the owner's gateway is about to release (or refuse) to `requesterMsp`. The
 * requester comes from the verified TLS certificate of its gateway; the chaincode makes the decision itself.
 */
export const DeliveryRequest = z.strictObject({
  datasetId: Identifier,
  requesterMsp: MspId,
  fields: FieldList,
  /** The dataset content projected: must be the dataset's current fingerprint. */
  contentFingerprint: Sha256Hex,
  /** SHA-256 of the projected payload released if the delivery is granted (of the empty payload if refused). */
  payloadSha256: Sha256Hex,
});
export type DeliveryRequest = z.infer<typeof DeliveryRequest>;

/** Result of RecordDelivery: the decision as written to the audit trail, committed before anything is released. */
export const AccessReceipt = z.object({
  auditId: z.string(),
  txId: z.string(),
  timestamp: z.iso.datetime(),
  decision: AccessDecision,
  reason: AccessReason,
  grantId: Identifier.optional(),
  datasetId: Identifier,
  ownerMsp: MspId,
  requesterMsp: MspId,
  fields: z.array(FieldName),
  contentFingerprint: Sha256Hex,
  payloadSha256: Sha256Hex,
});
export type AccessReceipt = z.infer<typeof AccessReceipt>;
