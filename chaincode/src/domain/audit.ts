import {
  GovshareError,
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

/** The Audit org's auditors read everything; anyone else reads records about its own datasets or its own actions. */
export function canReadAudit(caller: TxInfo['caller'], record: AuditRecord): boolean {
  return isAllowed(caller, 'READ_ALL_AUDIT') || record.actorMsp === caller.mspId || record.subjectOwnerMsp === caller.mspId;
}

/** UTC day (YYYY-MM-DD) of an ISO timestamp: the time bucket of the audit indexes. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** Every UTC day touched by the window [from, to), in order. */
export function daysOfWindow(from: string, to: string): string[] {
  const days: string[] = [];
  const last = dayOf(new Date(Date.parse(to) - 1).toISOString());
  for (let day = dayOf(from); day <= last; day = dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString())) {
    days.push(day);
  }
  return days;
}

/** Position in a multi-day audit query: the day bucket and Fabric's bookmark inside it. */
export interface AuditCursor {
  readonly day: string;
  readonly inner: string;
}

export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.day, cursor.inner]), 'utf8').toString('base64url');
}

export function decodeAuditCursor(bookmark: string): AuditCursor | undefined {
  if (bookmark === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bookmark, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed[0]) && typeof parsed[1] === 'string') {
      return { day: parsed[0], inner: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new GovshareError('INVALID_ARGUMENT', 'bookmark: is not a bookmark returned by QueryAudit');
}
