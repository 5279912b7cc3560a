import stringify from 'json-stringify-deterministic';

/**
 * The one canonical JSON of govshare: object keys sorted at every depth, `undefined` members left out (as
 * JSON.stringify does). Every endorsing peer must write byte-identical values, the gateway's hash of private
 * request details must equal the chaincode's, and an idempotent request's fingerprint must not depend on key
 * order: all three use this function. json-stringify-deterministic (a small, dependency-free, well-used
 * package) does the sorting; only top-level `undefined`, which has no JSON form, is mapped to `null` here.
 */
export function canonicalJson(value: unknown): string {
  return value === undefined ? 'null' : stringify(value);
}

/** canonicalJson as UTF-8 bytes (what is written to the ledger and hashed). */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}
