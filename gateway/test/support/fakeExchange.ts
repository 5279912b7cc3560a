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

  remove(datasetId: string, sha256: string): Promise<void> {
    this.files.delete(`${datasetId}/${sha256}`);
    return Promise.resolve();
  }

  prune(datasetId: string, keepSha256: string): Promise<void> {
    for (const key of [...this.files.keys()]) {
      if (key.startsWith(`${datasetId}/`) && key !== `${datasetId}/${keepSha256}`) this.files.delete(key);
    }
    return Promise.resolve();
  }
}

export interface FetchRequest {
  readonly ownerMsp: string;
  readonly datasetId: string;
  readonly fields: readonly string[];
}

/** Another department's gateway: answers every payload request with `answer` (or what it computes from the request). */
export class FakeFetcher implements PayloadFetcher {
  readonly requests: FetchRequest[] = [];

  constructor(public answer: PayloadFetch | ((request: FetchRequest) => PayloadFetch) = { kind: 'failed', status: 0, detail: 'not scripted' }) {}

  fetch(ownerMsp: string, datasetId: string, fields: readonly string[]): Promise<PayloadFetch> {
    const request = { ownerMsp, datasetId, fields };
    this.requests.push(request);
    return Promise.resolve(typeof this.answer === 'function' ? this.answer(request) : this.answer);
  }
}
