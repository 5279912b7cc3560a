import type { ApiPage } from 'govshare-contract';
import type { z } from 'zod';

import type { SubmitResult } from '../fabric/ledgerClient';

/** A value written by a committed transaction: the chaincode's reply plus where it was committed. */
export interface Committed<T> {
  readonly value: T;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** One page of a list: `nextCursor` is the chaincode's bookmark, null on the last page. */
export type PageResult<T> = ApiPage<T>;

/** Where a list starts and how long a page is (cursor '' = first page). */
export interface PageRequest {
  readonly limit: number;
  readonly cursor: string;
}

/** The chaincode's reply is checked against the shared model, so a contract drift fails loudly here. */
export function parseLedgerJson<S extends z.ZodType>(schema: S, payload: Buffer, txName: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error(`${txName} returned a payload that is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new Error(`${txName} returned an unexpected shape: ${result.error.message}`);
  }
  return result.data;
}

export function committed<S extends z.ZodType>(schema: S, submitted: SubmitResult, txName: string): Committed<z.output<S>> {
  return { value: parseLedgerJson(schema, submitted.result, txName), txId: submitted.txId, blockNumber: submitted.blockNumber };
}

/** A chaincode Page ({records, bookmark}) as an API page. */
export function pageResult<T>(page: { readonly records: readonly T[]; readonly bookmark: string }): PageResult<T> {
  return { items: page.records, nextCursor: page.bookmark === '' ? null : page.bookmark };
}
