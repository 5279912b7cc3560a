import { Bookmark, PageSize } from 'govshare-contract';
import { z } from 'zod';

import type { Committed, PageResult } from '../../services/ledgerJson';
import { named, type NamedSchema } from '../apiRoutes';

/** Submits and reads fail on the ledger with these (chaincode FORBIDDEN and Fabric failures). */
export const LEDGER_ERRORS = [403, 502, 503, 504] as const;
/** A submit may also find its record missing (404) or in the wrong state (409). */
export const SUBMIT_ERRORS = [...LEDGER_ERRORS, 404, 409] as const;

export const DEFAULT_PAGE_LIMIT = 20;

/** `cursor` is the chaincode's bookmark from the previous page; `limit` is the page size. */
export const PageQuery = z.object({
  cursor: Bookmark.optional().describe('nextCursor of the previous page; omit for the first page'),
  limit: PageSize.default(DEFAULT_PAGE_LIMIT).describe('Page size, 1-100 (default 20)'),
});

const CommitInfo = {
  txId: z.string().describe('The committed transaction'),
  // blockNumber is a uint64 on the ledger: a decimal string never loses precision in JSON.
  blockNumber: z.string().regex(/^\d+$/).describe('The block that committed the transaction (uint64 as a string)'),
};

/** A record written by a transaction, returned once its commit is VALID. */
export function committedSchema(name: string, schema: z.ZodObject): NamedSchema {
  return named(name, schema.extend(CommitInfo));
}

export function committedBody<T extends object>(result: Committed<T>): Record<string, unknown> {
  return { ...result.value, txId: result.txId, blockNumber: result.blockNumber.toString() };
}

export function pageSchema(name: string, item: z.ZodType): NamedSchema {
  return named(
    name,
    z.object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
    }),
  );
}

export function pageBody<T>(page: PageResult<T>): { items: readonly T[]; nextCursor: string | null } {
  return { items: page.items, nextCursor: page.nextCursor };
}

/** `a,b,c` in a query string → ['a', 'b', 'c'], each checked by `item`. */
export function commaList(item: z.ZodString) {
  return z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .pipe(
      z
        .array(item)
        .min(1, 'must name at least one entry')
        .max(200, 'must have at most 200 entries')
        .refine((values) => new Set(values).size === values.length, 'must not contain duplicates'),
    );
}
