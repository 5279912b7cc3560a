import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { sha256Hex } from 'govshare-contract';

import { canonicalPayload } from '../src/exchange/payload';
import { FilePayloadStore } from '../src/exchange/payloadStore';

describe('FilePayloadStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'payloads-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads what it saved under its digest, and nothing for a digest it does not hold', async () => {
    const store = new FilePayloadStore(dir);
    const bytes = canonicalPayload([{ school: 'S-1', pupils: 3 }]);
    await store.save('edu.pupils', sha256Hex(bytes), bytes);

    expect(await store.load('edu.pupils', sha256Hex(bytes))).toEqual(bytes);
    expect(await store.load('edu.pupils', 'f'.repeat(64))).toBeUndefined();
  });

  it('refuses a stored file whose content is not the digest it is stored under (never serves another version)', async () => {
    const store = new FilePayloadStore(dir);
    const bytes = canonicalPayload([{ school: 'S-1', pupils: 3 }]);
    const digest = sha256Hex(bytes);
    await store.save('edu.pupils', digest, bytes);
    writeFileSync(path.join(dir, 'edu.pupils', `${digest}.json`), canonicalPayload([{ school: 'S-1', pupils: 4 }]));

    await expect(store.load('edu.pupils', digest)).rejects.toThrow(/does not match its digest/);
  });
});
