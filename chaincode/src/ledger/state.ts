import type { Context } from 'fabric-contract-api';
import type { z } from 'zod';
import { canonicalJsonBytes } from 'govshare-contract';
import { parseJson } from './json';
import { printableKey } from './keys';

async function readBytes(ctx: Context, key: string): Promise<Uint8Array | undefined> {
  // The shim returns an empty buffer, not an error, for a missing key.
  const bytes = await ctx.stub.getState(key);
  return bytes.length === 0 ? undefined : bytes;
}

export async function exists(ctx: Context, key: string): Promise<boolean> {
  return (await readBytes(ctx, key)) !== undefined;
}

export async function getJson<S extends z.ZodType>(
  ctx: Context,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  const bytes = await readBytes(ctx, key);
  return bytes === undefined ? undefined : parseJson(bytes, schema, `state at key '${printableKey(key)}'`);
}

export async function putJson(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, canonicalJsonBytes(value));
}

/** An index entry's value is the id of the record it points at (Fabric treats an empty value as a delete). */
export async function putIndex(ctx: Context, key: string, recordId: string): Promise<void> {
  await ctx.stub.putState(key, Buffer.from(recordId, 'utf8'));
}

export async function deleteKey(ctx: Context, key: string): Promise<void> {
  await ctx.stub.deleteState(key);
}
