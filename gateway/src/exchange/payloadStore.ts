import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { ID_PATTERN } from 'govshare-contract';

/** Where an owner department keeps the payloads of its datasets: local storage only, never the ledger. */
export interface PayloadStore {
  /** Stores `bytes` as the content with digest `sha256` of dataset `datasetId` (atomically). */
  save(datasetId: string, sha256: string, bytes: Buffer): Promise<void>;
  /** The stored content with this digest, or undefined. */
  load(datasetId: string, sha256: string): Promise<Buffer | undefined>;
  /** Deletes one stored content (an upload the ledger refused). */
  remove(datasetId: string, sha256: string): Promise<void>;
  /** Deletes every other stored content of the dataset (after a new fingerprint is committed). */
  prune(datasetId: string, keepSha256: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * One directory per dataset, one file per content digest (`<sha256>.json`, mode 0600): a new upload never
 * overwrites the content the ledger still names, so a fetch racing an upload reads a consistent version.
 */
export class FilePayloadStore implements PayloadStore {
  constructor(readonly directory: string) {}

  #fileOf(datasetId: string, sha256: string): string {
    // Both are validated upstream; checked again because they become path segments.
    if (!ID_PATTERN.test(datasetId) || !SHA256.test(sha256)) {
      throw new Error('invalid dataset id or digest for the payload store');
    }
    return path.join(this.directory, datasetId, `${sha256}.json`);
  }

  async save(datasetId: string, sha256: string, bytes: Buffer): Promise<void> {
    const file = this.#fileOf(datasetId, sha256);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, file);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  /** Never another content than the digest names: a stored file that does not hash to it (damaged, or put back wrong) is an error. */
  async load(datasetId: string, sha256: string): Promise<Buffer | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#fileOf(datasetId, sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
      throw new Error(`the stored payload of dataset ${datasetId} does not match its digest ${sha256}`);
    }
    return bytes;
  }

  async remove(datasetId: string, sha256: string): Promise<void> {
    await rm(this.#fileOf(datasetId, sha256), { force: true });
  }

  async prune(datasetId: string, keepSha256: string): Promise<void> {
    const keep = path.basename(this.#fileOf(datasetId, keepSha256));
    const directory = path.join(this.directory, datasetId);
    const names = await readdir(directory).catch(() => []);
    await Promise.all(
      names.filter((name) => name !== keep && /^[0-9a-f]{64}\.json$/.test(name)).map((name) => rm(path.join(directory, name), { force: true })),
    );
  }
}
