import { z } from 'zod';

/**
 * Ledger-safe identifier: starts alphanumeric, at most 64 characters of [A-Za-z0-9._-].
 * It becomes a composite-key attribute, so it must never contain U+0000 (Fabric's separator),
 * and rejecting everything else keeps ids free of path, query or markup syntax.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const Identifier = z
  .string()
  .regex(ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit');

/** An MSP id as Fabric writes it (e.g. EducationMSP); also a composite-key attribute. */
export const MspId = z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,63}$/, 'must be an MSP id such as EducationMSP');

/** SHA-256 digest as 64 hex characters; uppercase is accepted and stored lowercase. */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 digest of 64 hexadecimal characters')
  .toLowerCase();

/** ISO 8601 instant with an explicit UTC offset, normalised to `YYYY-MM-DDTHH:mm:ss.sssZ` so it sorts as text. */
export const Instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T00:00:00Z' })
  .transform((value) => new Date(value).toISOString());

export const Classification = z.enum(['PUBLIC', 'INTERNAL', 'RESTRICTED', 'SECRET'], {
  error: 'must be one of PUBLIC, INTERNAL, RESTRICTED, SECRET',
});
export type Classification = z.infer<typeof Classification>;

export const ROLES = ['officer', 'approver', 'auditor', 'admin'] as const;
export const Role = z.enum(ROLES, { error: 'must be one of officer, approver, auditor, admin' });
export type Role = z.infer<typeof Role>;

/** Who performed a transaction: the caller's MSP and enrolment id (certificate CN). */
export const Actor = z.object({
  mspId: MspId,
  id: z.string().min(1),
});
export type Actor = z.infer<typeof Actor>;

/** Provenance of a write: transaction id, transaction timestamp (ISO 8601, UTC) and actor. */
export const TxStamp = z.object({
  txId: z.string().min(1),
  timestamp: z.iso.datetime(),
  actor: Actor,
});
export type TxStamp = z.infer<typeof TxStamp>;

/** Page size of list queries; a string on the wire (every transaction argument is one). */
export const PageSize = z.coerce
  .number({ error: 'must be an integer from 1 to 100' })
  .int('must be an integer from 1 to 100')
  .min(1, 'must be an integer from 1 to 100')
  .max(100, 'must be an integer from 1 to 100');

/** Opaque continuation token returned by the previous page ('' for the first page). */
export const Bookmark = z.string().max(1024, 'must be at most 1024 characters');

/** One page of a list query; `bookmark` is '' when there are no more pages. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ records: z.array(item), bookmark: z.string(), fetchedRecordsCount: z.number().int().nonnegative() });
}
export interface Page<T> {
  readonly records: T[];
  readonly bookmark: string;
  readonly fetchedRecordsCount: number;
}

/** Strict list of distinct strings, in the caller's order. */
export function distinctList<T extends z.ZodType<string>>(item: T, max: number) {
  return z
    .array(item)
    .max(max, `must have at most ${max} entries`)
    .refine((values) => new Set(values).size === values.length, 'must not contain duplicates');
}
