import type { common } from '@hyperledger/fabric-protos';

import type { AuthenticatedUser } from '../identity/user';

/** Blocks in ledger order; iteration ends after the requested count, or throws when the peer ends the stream. */
export interface BlockStream extends AsyncIterable<common.Block> {
  close(): void;
}

/**
 * The channel's blocks and transactions as the gateway's own peer serves them to `user` (the deliver
 * service and qscc), for verifying the ledger without trusting that peer. Kept apart from LedgerClient
 * so that fakes of the transaction facade need not implement it; the block-archive adapter (archiveAdapter.ts) implements it.
 */
export interface LedgerArchive {
  /** The number of blocks the peer has committed on the channel (qscc GetChainInfo). */
  chainHeight(user: AuthenticatedUser): Promise<bigint>;
  /** Blocks 0 … count-1, in order. */
  blocks(user: AuthenticatedUser, count: bigint): Promise<BlockStream>;
  /** The validation code the peer recorded for a transaction (qscc GetTransactionByID); undefined if it knows none. */
  validationCode(user: AuthenticatedUser, txId: string): Promise<number | undefined>;
}
