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

export const MspId = z.string().min(1, 'must not be empty');

/** SHA-256 digest as 64 hex characters; uppercase is accepted and stored lowercase. */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 digest of 64 hexadecimal characters')
  .toLowerCase();

export const Classification = z.enum(['PUBLIC', 'INTERNAL', 'RESTRICTED', 'SECRET'], {
  error: 'must be one of PUBLIC, INTERNAL, RESTRICTED, SECRET',
});
export type Classification = z.infer<typeof Classification>;

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
