import type { Caller, TxStamp } from 'govshare-contract';

export type { Caller };

/** Everything a domain rule may know about the current transaction; all of it is deterministic. */
export interface TxInfo {
  readonly txId: string;
  /** ISO 8601 UTC, from the proposal's timestamp (identical on every endorser). */
  readonly timestamp: string;
  readonly caller: Caller;
}

export function stampOf(tx: TxInfo): TxStamp {
  return { txId: tx.txId, timestamp: tx.timestamp, actor: { mspId: tx.caller.mspId, id: tx.caller.id } };
}

/** ISO 8601 from a protobuf Timestamp; JS dates hold milliseconds, so sub-millisecond nanos are dropped. */
export function isoFromTimestamp(seconds: number, nanos: number): string {
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
}

/**
 * The CN from a fabric-shim ClientIdentity id, `x509::/C=US/.../CN=name::/C=US/.../CN=ca`.
 * Only the subject (before the issuer) is searched; the shim escapes '/' inside values as '\/'.
 * Falls back to the whole id when the subject has no CN, so the actor is never empty.
 */
export function enrolmentIdFromX509Id(x509Id: string): string {
  const subject = x509Id.startsWith('x509::') ? x509Id.slice('x509::'.length).split('::')[0] ?? '' : '';
  const match = /(?:^|\/)CN=((?:\\\/|[^/])+)/.exec(subject);
  const cn = match?.[1];
  return cn === undefined ? x509Id : cn.replace(/\\\//g, '/');
}
