import type { Iterators } from 'fabric-shim-api';
import type { z } from 'zod';
import { parseJson } from './json';
import { printableKey } from './keys';

/**
 * Drains a state query iterator and always closes it: an unclosed iterator keeps a query open on
 * the peer until the transaction ends.
 */
export async function collect<T>(
  query: Promise<Iterators.StateQueryIterator>,
  map: (kv: Iterators.KV) => T,
): Promise<T[]> {
  const iterator = await query;
  const results: T[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        return results;
      }
      results.push(map(next.value));
    }
  } finally {
    await iterator.close();
  }
}

/** All values of a range / partial-composite-key query, parsed against `schema`, in key order. */
export async function collectJson<S extends z.ZodType>(
  query: Promise<Iterators.StateQueryIterator>,
  schema: S,
): Promise<z.output<S>[]> {
  return collect(query, (kv) => parseJson(kv.value, schema, `state at key '${printableKey(kv.key)}'`));
}
