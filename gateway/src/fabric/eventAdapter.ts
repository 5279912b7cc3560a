import type { Network } from '@hyperledger/fabric-gateway';

import type { AuthenticatedUser } from '../identity/user';
import type { ChaincodeEventSource, LedgerEventStream } from './chaincodeEvents';
import type { FabricConnection } from './connection';
import { FabricUnavailableError } from './errors';

/** The events adapter: the govshare chaincode's events from the peer's deliver service, read as each caller. */
export class FabricChaincodeEvents implements ChaincodeEventSource {
  readonly #connection: FabricConnection;

  constructor(connection: FabricConnection) {
    this.#connection = connection;
  }

  async chaincodeEvents(user: AuthenticatedUser, startBlock?: bigint): Promise<LedgerEventStream> {
    let events: Awaited<ReturnType<Network['getChaincodeEvents']>>;
    try {
      events = await this.#connection
        .networkFor(user)
        .getChaincodeEvents(this.#connection.chaincode, startBlock === undefined ? {} : { startBlock });
    } catch (err) {
      throw new FabricUnavailableError('Cannot open the chaincode event stream', { cause: err });
    }
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const event of events) {
          yield {
            eventName: event.eventName,
            txId: event.transactionId,
            blockNumber: event.blockNumber,
            payload: event.payload,
          };
        }
      },
    };
  }
}
