import { DatasetRegistration, type Dataset } from 'govshare-chaincode/model';

import { GovshareChaincodeError } from '../../src/fabric/errors';
import type { LedgerClient, SubmitResult } from '../../src/fabric/ledgerClient';
import type { AuthenticatedUser } from '../../src/identity/user';

export interface LedgerCall {
  readonly kind: 'submit' | 'evaluate';
  readonly userId: string;
  readonly txName: string;
  readonly args: readonly string[];
}

/** An in-memory stand-in for OUR facade (not for fabric-gateway), behaving like the govshare chaincode. */
export class FakeLedger implements LedgerClient {
  readonly calls: LedgerCall[] = [];
  readonly datasets = new Map<string, Dataset>();
  ready = true;
  closed = false;
  #txCounter = 0;
  #block = 41n;

  submit(user: AuthenticatedUser, txName: string, args: readonly string[]): Promise<SubmitResult> {
    this.calls.push({ kind: 'submit', userId: user.id, txName, args });
    const txId = `tx${String(++this.#txCounter).padStart(4, '0')}`;
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
