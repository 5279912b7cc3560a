import type { Context } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';

/**
 * State-based endorsement: from now on a change to `key` must be endorsed by a peer of `mspId`,
 * in addition to the chaincode policy for the other keys of the transaction. This is what makes
 * "only the owner changes its dataset" hold even against a client that skips the owner's peer.
 */
export async function requireEndorsementBy(ctx: Context, key: string, mspId: string): Promise<void> {
  await ctx.stub.setStateValidationParameter(key, peerOf(mspId));
}

/** The key-level policy "a peer of `mspId`", as requireEndorsementBy writes it. */
function peerOf(mspId: string): Uint8Array {
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('PEER', mspId);
  return policy.getPolicy();
}

/**
 * Whether the committed key-level policy of `key` is exactly "a peer of `mspId`". A key created by a transaction
 * that only a majority of other organisations endorsed (a hand-made write set) may carry no policy, or any policy
 * its authors chose; this tells the honest chaincode which keys later changes really need `mspId`'s peer for.
 */
export async function isGuardedBy(ctx: Context, key: string, mspId: string): Promise<boolean> {
  // The shim's typings promise bytes, but it hands back undefined for a key with no policy at all.
  const stored = (await ctx.stub.getStateValidationParameter(key)) as Uint8Array | undefined;
  return stored !== undefined && Buffer.from(stored).equals(Buffer.from(peerOf(mspId)));
}
