import type { ChaincodeEventSource, LedgerEvent, LedgerEventStream } from '../../src/fabric/chaincodeEvents';
import type { AuthenticatedUser } from '../../src/identity/user';

export interface Subscription {
  readonly userId: string;
  readonly startBlock: bigint | undefined;
  closed: boolean;
}

/**
 * A ledger's event history in memory. A stream replays the history from its start block (none without one, like
 * Fabric's "from the next block"), then delivers published events until it is closed.
 */
export class FakeEventSource implements ChaincodeEventSource {
  readonly history: LedgerEvent[] = [];
  readonly subscriptions: Subscription[] = [];
  readonly #listeners = new Set<() => void>();

  publish(event: { eventName: string; txId: string; blockNumber: bigint; payload: unknown }): void {
    this.history.push({ ...event, payload: Buffer.from(JSON.stringify(event.payload)) });
    for (const listener of this.#listeners) listener();
  }

  chaincodeEvents(user: AuthenticatedUser, startBlock?: bigint): Promise<LedgerEventStream> {
    const subscription: Subscription = { userId: user.id, startBlock, closed: false };
    this.subscriptions.push(subscription);
    let position =
      startBlock === undefined ? this.history.length : this.history.findIndex((e) => e.blockNumber >= startBlock);
    if (position < 0) position = this.history.length;
    let wake: (() => void) | undefined;
    const listener = (): void => {
      wake?.();
    };
    this.#listeners.add(listener);
    const history = this.history;
    const listeners = this.#listeners;
    const close = (): void => {
      subscription.closed = true;
      listeners.delete(listener);
      wake?.();
    };
    return Promise.resolve({
      close,
      async *[Symbol.asyncIterator]() {
        while (!subscription.closed) {
          const next = history[position];
          if (next !== undefined) {
            position++;
            yield next;
          } else {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        }
      },
    });
  }
}
