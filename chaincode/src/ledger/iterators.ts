import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim-api';
import type { z } from 'zod';
import { parseJson } from './json';
import { printableKey, type ObjectType } from './keys';

/** The shim's state and history iterators. */
export interface ClosableIterator<V> {
  next(): Promise<Iterators.NextResult<V>>;
  close(): Promise<void>;
}

/**
 * Drains a state query iterator and always closes it: an unclosed iterator keeps a query open on
 * the peer until the transaction ends.
 */
export async function collect<V, T>(
  query: Promise<ClosableIterator<V>>,
  map: (value: V) => T,
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
  return collect(query, (kv: Iterators.KV) => parseJson(kv.value, schema, `state at key '${printableKey(kv.key)}'`));
}

/** Record ids stored as values of an index, for a partial key. Non-paginated: use only on narrow indexes. */
export async function indexIds(ctx: Context, index: ObjectType, attributes: readonly string[]): Promise<string[]> {
  return collect(ctx.stub.getStateByPartialCompositeKey(index, [...attributes]), (kv: Iterators.KV) =>
    Buffer.from(kv.value).toString('utf8'),
  );
}

export interface IdPage {
  readonly ids: string[];
  readonly bookmark: string;
  readonly fetchedRecordsCount: number;
}

/**
 * One page of an index (or of a record type, whose values are then the records themselves).
 * Fabric allows paginated queries only in read-only (evaluate) transactions.
 */
export async function pageOfKeys<T>(
  ctx: Context,
  type: ObjectType,
  attributes: readonly string[],
  pageSize: number,
  bookmark: string,
  map: (kv: Iterators.KV) => T,
): Promise<{ values: T[]; bookmark: string; fetchedRecordsCount: number }> {
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
    type,
    [...attributes],
    pageSize,
    bookmark,
  );
  const values = await collect<Iterators.KV, T>(Promise.resolve(iterator), map);
  // The shim leaves metadata out when the peer's metadata is all defaults: an empty last page.
  const { bookmark: next = '', fetchedRecordsCount = values.length } = (metadata as Partial<typeof metadata> | undefined) ?? {};
  return { values, bookmark: next, fetchedRecordsCount };
}

/**
 * One page of the index entries whose record `keep`s: walks Fabric pages from `bookmark` until `pageSize` records
 * are kept, the index ends, or `scanLimit` entries were read. The bookmark returned is the first entry not read
 * (Fabric's own bookmark on LevelDB is that key too), so the next page starts exactly there: a filtered page is
 * full unless the index ended or the scan limit was hit, and never skips or repeats an entry.
 */
export async function filteredPageOfKeys<T>(
  ctx: Context,
  type: ObjectType,
  attributes: readonly string[],
  pageSize: number,
  bookmark: string,
  load: (kv: Iterators.KV) => Promise<T>,
  keep: (value: T) => boolean,
  scanLimit: number,
): Promise<{ values: T[]; bookmark: string; fetchedRecordsCount: number }> {
  const values: T[] = [];
  let cursor = bookmark;
  let scanned = 0;
  for (;;) {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(type, [...attributes], pageSize, cursor);
    const entries = await collect<Iterators.KV, Iterators.KV>(Promise.resolve(iterator), (kv) => kv);
    for (const entry of entries) {
      if (values.length === pageSize || scanned === scanLimit) return { values, bookmark: entry.key, fetchedRecordsCount: scanned };
      scanned += 1;
      const value = await load(entry);
      if (keep(value)) values.push(value);
    }
    const { bookmark: next = '' } = (metadata as Partial<typeof metadata> | undefined) ?? {};
    if (next === '' || values.length === pageSize || scanned >= scanLimit) return { values, bookmark: next, fetchedRecordsCount: scanned };
    cursor = next;
  }
}
