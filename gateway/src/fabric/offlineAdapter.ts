import type { Gateway } from '@hyperledger/fabric-gateway';

import type { FabricConnection } from './connection';
import { InvalidMessageError } from './errors';
import type { OfflineCommitStatus, OfflineIdentity, OfflineTransactions, Unsigned } from './offlineSigning';
import { validationCodeName } from './transactions';
import { translateFabricError, type FabricStage } from './translateError';

/** Deserialises a message an app sent back; anything that does not parse is the app's error, not Fabric's. */
function parseMessage<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidMessageError(`the ${what} bytes are not a ${what} prepared by this gateway`, { cause: err });
  }
}

/**
 * The offline-signing adapter: builds each message of the transaction flow for an app's own identity and relays
 * the messages the app signed, through a Gateway that holds no key (FabricConnection.offlineGateway).
 */
export class FabricOfflineSigning implements OfflineTransactions {
  readonly #connection: FabricConnection;

  constructor(connection: FabricConnection) {
    this.#connection = connection;
  }

  prepare(identity: OfflineIdentity, txName: string, args: readonly string[]): Unsigned {
    const gateway = this.#connection.offlineGateway(identity);
    try {
      const proposal = gateway
        .getNetwork(this.#connection.channel)
        .getContract(this.#connection.chaincode)
        .newProposal(txName, { arguments: [...args] });
      return { txId: proposal.getTransactionId(), bytes: proposal.getBytes(), digest: proposal.getDigest() };
    } finally {
      gateway.close();
    }
  }

  async endorseSigned(identity: OfflineIdentity, proposalBytes: Uint8Array, signature: Uint8Array): Promise<Unsigned & { readonly result: Uint8Array }> {
    return await this.#withGateway(identity, 'endorse', async (gateway) => {
      const proposal = parseMessage('proposal', () => gateway.newSignedProposal(proposalBytes, signature));
      const transaction = await proposal.endorse();
      return {
        txId: transaction.getTransactionId(),
        bytes: transaction.getBytes(),
        digest: transaction.getDigest(),
        result: transaction.getResult(),
      };
    });
  }

  async submitSigned(identity: OfflineIdentity, transactionBytes: Uint8Array, signature: Uint8Array): Promise<Unsigned> {
    return await this.#withGateway(identity, 'submit', async (gateway) => {
      const commit = await parseMessage('transaction', () => gateway.newSignedTransaction(transactionBytes, signature)).submit();
      return { txId: commit.getTransactionId(), bytes: commit.getBytes(), digest: commit.getDigest() };
    });
  }

  async commitStatusSigned(identity: OfflineIdentity, commitBytes: Uint8Array, signature: Uint8Array): Promise<OfflineCommitStatus> {
    return await this.#withGateway(identity, 'commitStatus', async (gateway) => {
      const commit = parseMessage('commit', () => gateway.newSignedCommit(commitBytes, signature));
      const status = await commit.getStatus();
      return {
        txId: commit.getTransactionId(),
        blockNumber: status.blockNumber,
        successful: status.successful,
        validationCode: validationCodeName(status.code),
      };
    });
  }

  async #withGateway<T>(identity: OfflineIdentity, stage: FabricStage, call: (gateway: Gateway) => Promise<T>): Promise<T> {
    const gateway = this.#connection.offlineGateway(identity);
    try {
      return await call(gateway);
    } catch (err) {
      throw err instanceof InvalidMessageError ? err : translateFabricError(err, stage);
    } finally {
      gateway.close();
    }
  }
}
