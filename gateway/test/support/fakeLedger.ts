import { DatasetRegistration, type Dataset } from 'govshare-contract';

import { GovshareChaincodeError } from '../../src/fabric/errors';
import type { LedgerClient, SubmitOptions, SubmitResult } from '../../src/fabric/ledgerClient';
import type { AuthenticatedUser } from '../../src/identity/user';

export interface LedgerCall {
  readonly kind: 'submit' | 'evaluate';
  readonly userId: string;
  readonly txName: string;
  readonly args: readonly string[];
  /** Present only when the submit passed options (private data). */
  readonly options?: SubmitOptions;
}

/**
 * Answers one transaction: returns the chaincode's result (sent as JSON) or throws a GovshareChaincodeError.
 * `txId` is the id the fake gives the call.
 */
export type FakeTransaction = (args: readonly string[], user: AuthenticatedUser, txId: string) => unknown;

/** An in-memory stand-in for OUR facade (not for fabric-gateway), behaving like the govshare chaincode. */
export class FakeLedger implements LedgerClient {
  readonly calls: LedgerCall[] = [];
  readonly #transactions = new Map<string, FakeTransaction>();
  readonly datasets = new Map<string, Dataset>();
  ready = true;
  closed = false;
  #txCounter = 0;
  #block = 41n;

  /** Scripts a transaction (submit or evaluate) the built-in catalogue does not cover, or replaces it. */
  on(txName: string, transaction: FakeTransaction): this {
    this.#transactions.set(txName, transaction);
    return this;
  }

  #run(transaction: FakeTransaction, args: readonly string[], user: AuthenticatedUser, txId: string): Promise<Buffer> {
    try {
      return Promise.resolve(Buffer.from(JSON.stringify(transaction(args, user, txId))));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    this.calls.push({ kind: 'submit', userId: user.id, txName, args, ...(options === undefined ? {} : { options }) });
    const txId = `tx${String(++this.#txCounter).padStart(4, '0')}`;
    const scripted = this.#transactions.get(txName);
    if (scripted !== undefined) {
      return this.#run(scripted, args, user, txId).then((result) => {
        this.#block += 1n;
        return { result, txId, blockNumber: this.#block };
      });
    }
    if (txName !== 'RegisterDataset') {
      return Promise.reject(new Error(`FakeLedger: unsupported submit ${txName}`));
    }
    const registration = DatasetRegistration.parse(JSON.parse(args[0] ?? '{}'));
    const { id } = registration;
    if (this.datasets.has(id)) {
      return Promise.reject(
        new GovshareChaincodeError('DATASET_EXISTS', `dataset ${id} is already registered`, { txId }),
      );
    }
    const stamp = { txId, timestamp: '2026-01-01T00:00:00.000Z', actor: { mspId: user.mspId, id: user.id } };
    const dataset: Dataset = {
      ...registration,
      ownerMsp: user.mspId,
      version: 1,
      contentVersion: 1,
      status: 'ACTIVE',
      created: stamp,
      updated: stamp,
    };
    this.datasets.set(id, dataset);
    this.#block += 1n;
    return Promise.resolve({ result: Buffer.from(JSON.stringify(dataset)), txId, blockNumber: this.#block });
  }

  evaluate(user: AuthenticatedUser, txName: string, args: readonly string[]): Promise<Buffer> {
    this.calls.push({ kind: 'evaluate', userId: user.id, txName, args });
    const scripted = this.#transactions.get(txName);
    if (scripted !== undefined) {
      return this.#run(scripted, args, user, 'evaluate');
    }
    const [id = ''] = args;
    const dataset = this.datasets.get(id);
    if (txName !== 'ReadDataset') {
      return Promise.reject(new Error(`FakeLedger: unsupported evaluate ${txName}`));
    }
    if (dataset === undefined) {
      return Promise.reject(new GovshareChaincodeError('DATASET_NOT_FOUND', `dataset ${id} does not exist`));
    }
    return Promise.resolve(Buffer.from(JSON.stringify(dataset)));
  }

  checkReady(): Promise<void> {
    return this.ready ? Promise.resolve() : Promise.reject(new Error('peer down'));
  }

  close(): void {
    this.closed = true;
  }
}
