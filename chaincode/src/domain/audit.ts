import {
  isAllowed,
  type AuditDetails,
  type AuditOutcome,
  type AuditRecord,
  type AuditType,
} from 'govshare-contract';
import type { TxInfo } from './tx';

/** What a transaction says about itself in the audit trail (the rest comes from the transaction). */
export interface AuditEntry {
  readonly type: AuditType;
  readonly outcome: AuditOutcome;
  readonly datasetId?: string;
  readonly subjectOwnerMsp?: string;
  readonly grantId?: string;
  readonly certificateId?: string;
  readonly details?: AuditDetails;
  /** Another organisation whose own trail lists the record too (a delivery: the department it went to). */
  readonly alsoListedUnder?: string;
}

/** One audit record per transaction, so its id is the transaction id. */
export function buildAuditRecord(entry: AuditEntry, tx: TxInfo): AuditRecord {
  return {
    id: tx.txId,
    type: entry.type,
    ...(entry.datasetId === undefined ? {} : { datasetId: entry.datasetId }),
    ...(entry.subjectOwnerMsp === undefined ? {} : { subjectOwnerMsp: entry.subjectOwnerMsp }),
    ...(entry.grantId === undefined ? {} : { grantId: entry.grantId }),
    ...(entry.certificateId === undefined ? {} : { certificateId: entry.certificateId }),
    actorMsp: tx.caller.mspId,
    actorId: tx.caller.id,
    role: tx.caller.role ?? '',
    txId: tx.txId,
    timestamp: tx.timestamp,
    outcome: entry.outcome,
    details: entry.details ?? {},
  };
}

/**
 * The supervisor's auditors read everything; anyone else reads records about its own datasets or its own actions,
 * and the deliveries made to it (recorded by the owner's gateway).
 */
export function canReadAudit(caller: TxInfo['caller'], record: AuditRecord, supervisorMsp: string): boolean {
  const deliveredTo = record.type === 'DATA_ACCESSED' ? record.details.requesterMsp : undefined;
  return (
    isAllowed(caller, 'READ_ALL_AUDIT', supervisorMsp) ||
    record.actorMsp === caller.mspId ||
    record.subjectOwnerMsp === caller.mspId ||
    deliveredTo === caller.mspId
  );
}
