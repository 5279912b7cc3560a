import stringify from 'json-stringify-deterministic';
import type { z } from 'zod';
import { GovshareError } from '../errors';

/**
 * Every endorsing peer must write byte-identical values, so ledger JSON is always serialised with
 * object keys sorted (insertion order may differ between code paths and versions).
 */
export function sortedJson(value: unknown): string {
  return stringify(value);
}

export function toJsonBytes(value: unknown): Buffer {
  return Buffer.from(sortedJson(value), 'utf8');
}

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
