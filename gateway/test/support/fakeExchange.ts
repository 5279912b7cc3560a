import type { PayloadFetch, PayloadFetcher } from '../../src/exchange/exchangeClient';
import type { PayloadStore } from '../../src/exchange/payloadStore';

/** The owner's local store, in memory. */
export class MemoryPayloadStore implements PayloadStore {
  readonly files = new Map<string, Buffer>();

  save(datasetId: string, sha256: string, bytes: Buffer): Promise<void> {
    this.files.set(`${datasetId}/${sha256}`, bytes);
    return Promise.resolve();
  }

  load(datasetId: string, sha256: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.files.get(`${datasetId}/${sha256}`));
  }

  prune(datasetId: string, keepSha256: string): Promise<void> {
    for (const key of [...this.files.keys()]) {
      if (key.startsWith(`${datasetId}/`) && key !== `${datasetId}/${keepSha256}`) this.files.delete(key);
    }
    return Promise.resolve();
  }
}

/** Another department's gateway: answers every payload request with `answer`. */
export class FakeFetcher implements PayloadFetcher {
  readonly requests: { ownerMsp: string; datasetId: string; fields: readonly string[] }[] = [];

  constructor(public answer: PayloadFetch = { kind: 'failed', status: 0, detail: 'not scripted' }) {}

  fetch(ownerMsp: string, datasetId: string, fields: readonly string[]): Promise<PayloadFetch> {
    this.requests.push({ ownerMsp, datasetId, fields });
    return Promise.resolve(this.answer);
  }
}
