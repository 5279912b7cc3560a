import type { X509Certificate } from 'node:crypto';

import type { Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';

import type { AuthenticatedUser } from '../identity/user';
import type { FabricConnection } from './connection';
import { FabricUnavailableError } from './errors';
import type { BlockStream, LedgerArchive } from './ledgerArchive';
import { applicationMspRoots, parseProcessedTransaction, type ChannelRecords, type RecordedTransaction } from './ledgerRecords';
import { isUnknownTransaction } from './qscc';
import { translateFabricError } from './translateError';

/**
 * The block-archive adapter: the channel's blocks (deliver), transactions (qscc) and configuration (cscc) as the
 * gateway's own peer serves them, for the ledger verifier and for checking receipts.
 */
export class FabricBlockArchive implements LedgerArchive, ChannelRecords {
  readonly #connection: FabricConnection;

  constructor(connection: FabricConnection) {
    this.#connection = connection;
  }

  async chainHeight(user: AuthenticatedUser): Promise<bigint> {
    let info: Uint8Array;
    try {
      info = await this.#evaluateSystem(user, 'GetChainInfo', [this.#connection.channel]);
    } catch (err) {
      throw translateFabricError(err, 'evaluate');
    }
    return BigInt(common.BlockchainInfo.deserializeBinary(info).getHeight());
  }

  async blocks(user: AuthenticatedUser, count: bigint): Promise<BlockStream> {
    let events: Awaited<ReturnType<Network['getBlockEvents']>>;
    try {
      events = await this.#connection.networkFor(user).getBlockEvents({ startBlock: 0n });
    } catch (err) {
      throw new FabricUnavailableError('Cannot open the block stream', { cause: err });
    }
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        if (count <= 0n) return;
        try {
          for await (const block of events) {
            yield block;
            if (BigInt(block.getHeader()?.getNumber() ?? 0) >= count - 1n) return;
          }
        } finally {
          events.close();
        }
      },
    };
  }

  async validationCode(user: AuthenticatedUser, txId: string): Promise<number | undefined> {
    try {
      const processed = await this.#evaluateSystem(user, 'GetTransactionByID', [this.#connection.channel, txId]);
      return peer.ProcessedTransaction.deserializeBinary(processed).getValidationcode();
    } catch (err) {
      if (isUnknownTransaction(err)) return undefined;
      throw translateFabricError(err, 'evaluate', txId);
    }
  }

  /** The application organisations' CAs in the channel configuration in force (cscc GetChannelConfig on our peer). */
  async channelMspRoots(user: AuthenticatedUser): Promise<Map<string, X509Certificate[]>> {
    try {
      const config = await this.#connection.contractFor(user, 'cscc').evaluateTransaction('GetChannelConfig', this.#connection.channel);
      return applicationMspRoots(config);
    } catch (err) {
      throw translateFabricError(err, 'evaluate');
    }
  }

  /** The transaction `txId` as our peer's ledger has it (signer, validation code, chaincode result, block), or undefined. */
  async recordedTransaction(user: AuthenticatedUser, txId: string): Promise<(RecordedTransaction & { readonly blockNumber: bigint }) | undefined> {
    let processed: Uint8Array;
    let block: Uint8Array;
    try {
      processed = await this.#evaluateSystem(user, 'GetTransactionByID', [this.#connection.channel, txId]);
      block = await this.#evaluateSystem(user, 'GetBlockByTxID', [this.#connection.channel, txId]);
    } catch (err) {
      if (isUnknownTransaction(err)) return undefined;
      throw translateFabricError(err, 'evaluate', txId);
    }
    const header = common.Block.deserializeBinary(block).getHeader();
    return { ...parseProcessedTransaction(processed), blockNumber: BigInt(header?.getNumber() ?? 0) };
  }

  /** Evaluates a query of the peer's ledger query system chaincode (qscc) with `user`'s identity; errors untranslated. */
  async #evaluateSystem(user: AuthenticatedUser, txName: string, args: readonly string[]): Promise<Uint8Array> {
    return await this.#connection.contractFor(user, 'qscc').evaluateTransaction(txName, ...args);
  }
}
