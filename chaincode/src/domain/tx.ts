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
