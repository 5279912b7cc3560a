/** The API's JSON as the console reads it (see GET /openapi.json of any gateway). */

export const OUTCOMES = ['SUCCESS', 'GRANTED', 'DENIED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Caller {
  readonly id: string;
  readonly role: string;
  readonly mspId: string;
}

export interface Actor {
  readonly mspId: string;
  readonly id: string;
}

export interface TxStamp {
  readonly txId: string;
  readonly timestamp: string;
  readonly actor: Actor;
}

export type AuditDetailValue = string | number | boolean | readonly string[];

export interface AuditRecord {
  readonly id: string;
  readonly type: string;
  readonly datasetId?: string;
  readonly subjectOwnerMsp?: string;
  readonly grantId?: string;
  readonly certificateId?: string;
  readonly actorMsp: string;
  readonly actorId: string;
  readonly role: string;
  readonly txId: string;
  readonly timestamp: string;
  readonly outcome: Outcome;
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface DatasetField {
  readonly name: string;
  readonly type: string;
  readonly sensitivity: string;
}

export interface Dataset {
  readonly id: string;
  readonly ownerMsp: string;
  readonly title: string;
  readonly description: string;
  readonly themes: readonly string[];
  readonly keywords: readonly string[];
  readonly classification: string;
  readonly fields: readonly DatasetField[];
  readonly fingerprint: string;
  readonly version: number;
  readonly contentVersion: number;
  readonly updateFrequency: string;
  readonly license: string;
  readonly contactUnit: string;
  readonly status: string;
  readonly created: TxStamp;
  readonly updated: TxStamp;
}

export interface DatasetHistoryEntry {
  readonly txId: string;
  readonly timestamp: string;
  readonly isDelete: boolean;
  readonly value: Dataset | null;
}

export interface Decision {
  readonly stamp: TxStamp;
  readonly reason?: string;
}

export interface Grant {
  readonly id: string;
  readonly datasetId: string;
  readonly ownerMsp: string;
  readonly requesterMsp: string;
  readonly purpose: { readonly code: string; readonly text: string };
  readonly legalBasis: string;
  readonly fields: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: string;
  readonly active: boolean;
  readonly countersignatureRequired: boolean;
  readonly countersigned?: TxStamp;
  readonly requested: TxStamp;
  readonly decided?: Decision;
  readonly closed?: Decision;
  readonly updated: TxStamp;
}

export type VerificationStatus = 'VALID' | 'REVOKED' | 'EXPIRED' | 'UNKNOWN';

export interface CertificateVerification {
  readonly documentSha256: string;
  readonly status: VerificationStatus;
  readonly type?: string;
  readonly issuerMsp?: string;
  readonly notAfter?: string;
  readonly revokedAt?: string;
  readonly revocationReason?: string;
}

/** GET /audit/ledger/verify: the verdict on the ledger as the gateway's peer serves it. */
export interface LedgerVerification {
  readonly verdict: 'INTACT' | 'BROKEN';
  readonly channel: string;
  readonly servedBy: string;
  readonly height: number;
  readonly verifiedBlocks: number;
  readonly signatures: number;
  readonly configBlocks: number;
  readonly transactions: number;
  readonly genesisTrusted: boolean;
  readonly firstBreak?: { readonly block: number; readonly reason: string };
  readonly auditTrail: {
    readonly checked: boolean;
    readonly records: number;
    readonly transactions: number;
    readonly newerThanChain: number;
    readonly mismatches: number;
    readonly firstMismatch?: { readonly recordId: string; readonly recordType: string; readonly txId: string; readonly reason: string };
  };
  readonly startedAt: string;
  readonly durationMs: number;
}
