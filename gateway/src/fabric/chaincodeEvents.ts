import type { AuthenticatedUser } from '../identity/user';

/** A chaincode event as committed on the ledger (one per transaction at most: Fabric keeps the last setEvent). */
export interface LedgerEvent {
  readonly eventName: string;
  readonly txId: string;
  readonly blockNumber: bigint;
  readonly payload: Uint8Array;
}

/** Events in ledger order; iteration ends (or throws) after close() or when the peer ends the stream. */
export interface LedgerEventStream extends AsyncIterable<LedgerEvent> {
  close(): void;
}

/**
 * The events side of the ledger facade, kept apart from LedgerClient so that a submit/evaluate-only fake
 * still satisfies LedgerClient. The events adapter (eventAdapter.ts) implements it.
 */
export interface ChaincodeEventSource {
  /** Events of the configured chaincode from `startBlock` (default: the next block), read with `user`'s identity. */
  chaincodeEvents(user: AuthenticatedUser, startBlock?: bigint): Promise<LedgerEventStream>;
}
