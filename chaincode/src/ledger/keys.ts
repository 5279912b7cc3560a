import type { Context } from 'fabric-contract-api';

/**
 * Every ledger key is built here. Records live under composite keys
 * (`\u0000<objectType>\u0000<attr>\u0000...`) so each record type is a separate, range-scannable
 * namespace and later secondary indexes (e.g. grants by dataset) cannot collide with records.
 */
export const ObjectType = {
  Dataset: 'dataset',
} as const;
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

export function datasetKey(ctx: Context, datasetId: string): string {
  return ctx.stub.createCompositeKey(ObjectType.Dataset, [datasetId]);
}

/** Composite keys contain U+0000 separators; make them readable in error messages. */
export function printableKey(key: string): string {
  return key.split('\u0000').filter((part) => part !== '').join('/');
}
