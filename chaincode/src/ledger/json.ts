import type { z } from 'zod';
import { GovshareError } from 'govshare-contract';

/*
 * Ledger values are written as canonicalJson / canonicalJsonBytes (govshare-contract): every endorsing peer
 * must write byte-identical values, whatever order a code path inserted the keys in.
 */

/** Parses ledger bytes against `schema`; a mismatch means corrupt state, not a bad request. */
export function parseJson<S extends z.ZodType>(bytes: Uint8Array, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new GovshareError('INTERNAL', `${what} is not valid JSON`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new GovshareError('INTERNAL', `${what} does not match its schema`);
  }
  return result.data;
}
