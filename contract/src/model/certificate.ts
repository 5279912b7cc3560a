import { z } from 'zod';
import { Instant, Sha256Hex, TxStamp, MspId } from './common';

export const CertificateType = z.enum(['DIPLOMA', 'TRANSCRIPT', 'TAX_CLEARANCE', 'NO_CRIMINAL_RECORD'], {
  error: 'must be one of DIPLOMA, TRANSCRIPT, TAX_CLEARANCE, NO_CRIMINAL_RECORD',
});
export type CertificateType = z.infer<typeof CertificateType>;

/** Revocation reasons are codes, not free text: a revocation must not carry personal details. */
export const RevocationReason = z.enum(['ISSUED_IN_ERROR', 'SUPERSEDED', 'FRAUD', 'COURT_ORDER', 'OTHER'], {
  error: 'must be one of ISSUED_IN_ERROR, SUPERSEDED, FRAUD, COURT_ORDER, OTHER',
});
export type RevocationReason = z.infer<typeof RevocationReason>;

export const CertificateIssue = z.strictObject({
  type: CertificateType,
  documentSha256: Sha256Hex,
  /** Salted hash of the subject computed off chain; never a name or national id. */
  subjectPseudonym: Sha256Hex,
  notAfter: Instant,
});
export type CertificateIssue = z.output<typeof CertificateIssue>;

export const Certificate = z.object({
  documentSha256: Sha256Hex,
  type: CertificateType,
  issuerMsp: MspId,
  subjectPseudonym: Sha256Hex,
  notAfter: z.iso.datetime(),
  status: z.enum(['ISSUED', 'REVOKED']),
  issued: TxStamp,
  revoked: z.object({ stamp: TxStamp, reason: RevocationReason }).optional(),
});
export type Certificate = z.infer<typeof Certificate>;

export const VerificationStatus = z.enum(['VALID', 'REVOKED', 'EXPIRED', 'UNKNOWN']);
export const CertificateVerification = z.object({
  documentSha256: Sha256Hex,
  status: VerificationStatus,
  type: CertificateType.optional(),
  issuerMsp: MspId.optional(),
  notAfter: z.iso.datetime().optional(),
  revokedAt: z.iso.datetime().optional(),
  revocationReason: RevocationReason.optional(),
});
export type CertificateVerification = z.infer<typeof CertificateVerification>;
