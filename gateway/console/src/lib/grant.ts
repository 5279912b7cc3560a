/** A grant's lifecycle (request → decision → countersignature → close or expiry) from the grant and its audit records. */
import { MAX_WINDOW_MS } from './timeline';
import type { AuditRecord, GrantView as Grant } from 'govshare-contract';

export interface Stage {
  readonly label: string;
  readonly at: string;
  readonly by?: string;
  readonly txId?: string;
  readonly note?: string;
}

const DECIDED: Readonly<Record<string, string>> = { DENIED: 'Denied' };
const CLOSED: Readonly<Record<string, string>> = { WITHDRAWN: 'Withdrawn', REVOKED: 'Revoked' };

/** The stages recorded in the grant itself, in time order; expiry is derived from notAfter. */
export function grantStages(grant: Grant): Stage[] {
  const stages: Stage[] = [];
  const stamp = (label: string, value: { txId: string; timestamp: string; actor: { mspId: string; id: string } }, note?: string): Stage => ({
    label,
    at: value.timestamp,
    by: `${value.actor.id} (${value.actor.mspId})`,
    txId: value.txId,
    ...(note === undefined ? {} : { note }),
  });
  stages.push(stamp('Requested', grant.requested, `${grant.purpose.code}: ${grant.purpose.text}`));
  if (grant.decided !== undefined) {
    stages.push(stamp(DECIDED[grant.status] ?? 'Approved', grant.decided.stamp, grant.decided.reason));
  }
  if (grant.countersigned !== undefined) stages.push(stamp('Countersigned by Audit', grant.countersigned));
  if (grant.closed !== undefined) {
    stages.push(stamp(CLOSED[grant.status] ?? 'Closed', grant.closed.stamp, grant.closed.reason));
  }
  if (grant.status === 'EXPIRED') {
    stages.push({ label: 'Expired', at: grant.notAfter, note: 'validity ended at notAfter (derived: no transaction records it)' });
  }
  return stages.sort((a, b) => a.at.localeCompare(b.at));
}

/** The audit window to read a grant's records from: its request up to now, at most the 92 days the API allows. */
export function grantAuditWindow(grant: Grant, now: number): { from: string; to: string; truncated: boolean } {
  const to = now + 60_000;
  const requested = Date.parse(grant.requested.timestamp) - 1_000;
  const from = Math.max(requested, to - MAX_WINDOW_MS);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), truncated: from > requested };
}

export function recordsOfGrant(records: readonly AuditRecord[], grantId: string): AuditRecord[] {
  return records.filter((record) => record.grantId === grantId);
}
