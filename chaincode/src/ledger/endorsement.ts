import type { Context } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';

/**
 * State-based endorsement: from now on a change to `key` must be endorsed by a peer of `mspId`,
 * in addition to the chaincode policy for the other keys of the transaction. This is what makes
 * "only the owner changes its dataset" hold even against a client that skips the owner's peer.
 */
export async function requireEndorsementBy(ctx: Context, key: string, mspId: string): Promise<void> {
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('PEER', mspId);
  await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
}
