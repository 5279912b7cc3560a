import type { Context } from 'fabric-contract-api';

/** Transient bytes under `name`, or undefined: transient data never reaches the ledger or the block. */
export function transientValue(ctx: Context, name: string): Uint8Array | undefined {
  const value = ctx.stub.getTransient().get(name);
  return value === undefined || value.length === 0 ? undefined : Uint8Array.from(value);
}

/**
 * Writes to private data collections without reading them: a blind write keeps every endorser able
 * to simulate (only collection members can read) and lets discovery pick any peers for the policy.
 */
export async function putPrivate(ctx: Context, collections: readonly string[], key: string, bytes: Uint8Array): Promise<void> {
  for (const collection of [...new Set(collections)].sort()) {
    await ctx.stub.putPrivateData(collection, key, bytes);
  }
}

export async function getPrivate(ctx: Context, collection: string, key: string): Promise<Uint8Array | undefined> {
  const bytes = await ctx.stub.getPrivateData(collection, key);
  return bytes.length === 0 ? undefined : bytes;
}
