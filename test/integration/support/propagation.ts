/**
 * A gateway answers once its own peer has committed a transaction; another department's peer may
 * get the block a moment later. Tests in which departments act on each other's writes wait until
 * every peer has the block first (a person would act after a human-scale delay), so they do not
 * race block propagation.
 */
import { common } from '@hyperledger/fabric-protos';
import { connectAs, type FabricSession } from './fabric';
import { api as http, type ApiResponse } from './http';
import { CHANNEL, DEPARTMENTS, mspIdOf, type Department } from './network';

const peerSessions = new Map<Department, FabricSession>();

export async function allPeersAt(block: bigint): Promise<void> {
  for (const department of DEPARTMENTS) {
    let session = peerSessions.get(department);
    if (session === undefined) {
      session = connectAs(department, department === 'audit' ? 'auditor' : 'officer');
      peerSessions.set(department, session);
    }
    const qscc = session.network.getContract('qscc');
    for (let attempt = 0; ; attempt += 1) {
      const proposal = qscc.newProposal('GetChainInfo', { arguments: [CHANNEL], endorsingOrganizations: [mspIdOf(department)] });
      if (BigInt(common.BlockchainInfo.deserializeBinary(await proposal.evaluate()).getHeight()) > block) break;
      if (attempt > 100) throw new Error(`the ${department} peer did not reach block ${block.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Closes the connections allPeersAt opened; call it from the test file's afterAll. */
export function closePeerSessions(): void {
  for (const session of peerSessions.values()) session.close();
  peerSessions.clear();
}

/** The block a response says it committed in (a submit's blockNumber, or a refused fetch's receipt). */
export function committedBlock(body: Record<string, unknown>): bigint | undefined {
  const receipt = body.receipt as Record<string, unknown> | null | undefined;
  const block = typeof body.blockNumber === 'string' ? body.blockNumber : receipt?.blockNumber;
  return typeof block === 'string' && /^\d+$/.test(block) ? BigInt(block) : undefined;
}

/** The REST client, waiting after every committed write until all peers have it. */
export async function apiAfterPropagation(...args: Parameters<typeof http>): Promise<ApiResponse> {
  const response = await http(...args);
  const block = committedBlock(response.body);
  if (block !== undefined) await allPeersAt(block);
  return response;
}
