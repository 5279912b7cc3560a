import { createHash } from 'node:crypto';

/** Bytes to hash; a string is hashed as its UTF-8 encoding. */
export type HashInput = string | Uint8Array;

/**
 * SHA-256 over the concatenation of `parts`: the one hash helper of govshare (content fingerprints, private
 * details hashes, token digests, idempotency keys, block hashes). Node's crypto is enough: no library needed.
 */
export function sha256(...parts: readonly HashInput[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') hash.update(part, 'utf8');
    else hash.update(part);
  }
  return hash.digest();
}

/** SHA-256 as 64 lowercase hex characters, the form the model's Sha256Hex schema stores. */
export function sha256Hex(...parts: readonly HashInput[]): string {
  return Buffer.from(sha256(...parts)).toString('hex');
}
