import {
  decodeArguments,
  FOUNDING_ORG_CONFIG,
  GovshareError,
  ReadDataset,
  ReadOrgConfig,
  RegisterDataset,
  transactionNamed,
  type AnyTransaction,
  type ArgumentsOf,
  type Dataset,
} from 'govshare-contract';

import { GovshareChaincodeError } from '../../src/fabric/errors';
import type { LedgerClient, SubmitOptions, SubmitResult } from '../../src/fabric/ledgerClient';
import type { AuthenticatedUser } from '../../src/identity/user';

export interface LedgerCall {
  readonly kind: 'submit' | 'evaluate';
  readonly userId: string;
  readonly txName: string;
  /** The arguments as they travel to the chaincode (strings). */
  readonly args: readonly string[];
  /** Present only when the submit passed options (private data). */
  readonly options?: SubmitOptions;
}

/**
 * Answers one transaction with its arguments decoded as the chaincode decodes them: returns the chaincode's
 * result (sent as JSON) or throws a GovshareChaincodeError. `txId` is the id the fake gives the call.
 */
export type FakeTransaction<T extends AnyTransaction = AnyTransaction> = (args: ArgumentsOf<T>, user: AuthenticatedUser, txId: string) => unknown;

/**
 * An in-memory stand-in for OUR facade (not for fabric-gateway), derived from the transaction table: it knows
 * each transaction's kind and arguments, refuses names the table does not have or a submit of an evaluate
 * (and the reverse), and rejects malformed arguments with the chaincode's own INVALID_ARGUMENT. RegisterDataset,
 * ReadDataset and ReadOrgConfig (the founding roles) behave like the chaincode; tests script the others with `on`.
 */
export class FakeLedger implements LedgerClient {
  readonly calls: LedgerCall[] = [];
  readonly #transactions = new Map<string, FakeTransaction>();
  readonly datasets = new Map<string, Dataset>();
  ready = true;
  closed = false;
  #txCounter = 0;
  #block = 41n;

  constructor() {
    this.on(RegisterDataset, ({ registration }, user, txId) => {
      if (this.datasets.has(registration.id)) {
        throw new GovshareChaincodeError('DATASET_EXISTS', `dataset ${registration.id} is already registered`, { txId });
      }
      const stamp = { txId, timestamp: '2026-01-01T00:00:00.000Z', actor: { mspId: user.mspId, id: user.id } };
      const dataset: Dataset = { ...registration, ownerMsp: user.mspId, version: 1, contentVersion: 1, status: 'ACTIVE', created: stamp, updated: stamp };
      this.datasets.set(registration.id, dataset);
      return dataset;
    });
    this.on(ReadDataset, ({ id }) => {
      const dataset = this.datasets.get(id);
      if (dataset === undefined) throw new GovshareChaincodeError('DATASET_NOT_FOUND', `dataset ${id} does not exist`);
      return dataset;
    });
    // Until a SetOrgConfig, the chaincode answers with the founding roles.
    this.on(ReadOrgConfig, () => ({ ...FOUNDING_ORG_CONFIG, updated: null }));
  }

  /** Scripts a transaction of the table, or replaces its behaviour. */
  on<T extends AnyTransaction>(tx: T, transaction: FakeTransaction<T>): this {
    this.#transactions.set(tx.name, transaction as FakeTransaction);
    return this;
  }

  #run(kind: 'submit' | 'evaluate', txName: string, args: readonly string[], user: AuthenticatedUser, txId: string): Promise<Buffer> {
    try {
      const tx = transactionNamed(txName);
      if (tx === undefined) throw new GovshareChaincodeError('INVALID_ARGUMENT', `unknown transaction '${txName}'`);
      // As on a real peer, any transaction may be evaluated (a simulation); only submits are checked.
      if (kind === 'submit' && tx.kind !== 'submit') throw new Error(`FakeLedger: ${txName} is an evaluate transaction, not a submit`);
      const transaction = this.#transactions.get(txName);
      if (transaction === undefined) throw new Error(`FakeLedger: ${kind} ${txName} is not scripted (use on())`);
      let decoded: unknown;
      try {
        decoded = decodeArguments(tx, args);
      } catch (err) {
        throw err instanceof GovshareError ? new GovshareChaincodeError(err.code, err.message, { txId }) : err;
      }
      return Promise.resolve(Buffer.from(JSON.stringify(transaction(decoded as never, user, txId))));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    this.calls.push({ kind: 'submit', userId: user.id, txName, args, ...(options === undefined ? {} : { options }) });
    const txId = `tx${String(++this.#txCounter).padStart(4, '0')}`;
    return this.#run('submit', txName, args, user, txId).then((result) => {
      this.#block += 1n;
      return { result, txId, blockNumber: this.#block };
    });
  }

  evaluate(user: AuthenticatedUser, txName: string, args: readonly string[]): Promise<Buffer> {
    this.calls.push({ kind: 'evaluate', userId: user.id, txName, args });
    return this.#run('evaluate', txName, args, user, 'evaluate');
  }

  checkReady(): Promise<void> {
    return this.ready ? Promise.resolve() : Promise.reject(new Error('peer down'));
  }

  close(): void {
    this.closed = true;
  }
}
