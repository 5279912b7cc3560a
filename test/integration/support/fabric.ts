/**
 * Direct Fabric clients for integration tests: a real @hyperledger/fabric-gateway connection signed
 * by a department user's own identity, to check what the REST gateway did and to prove rules are
 * enforced by the chaincode and endorsement policies themselves.
 */
import * as grpc from '@grpc/grpc-js';
import { connect, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { newMessageSigner } from '../../../gateway/src/performance/ecdsaSigner';
import {
  CHAINCODE,
  CHANNEL,
  credentialsOf,
  gatewayCredentialsOf,
  peerEndpointOf,
  peerTlsNameOf,
  tlsRootCertOf,
  type Role,
  type UserCredentials,
} from './network';

export interface FabricSession {
  readonly gateway: Gateway;
  readonly network: Network;
  readonly contract: Contract;
  close(): void;
}

/**
 * Connects to `peerOf`'s peer (default: the user's own department) as `department`'s `role` user.
 * Any department with a peer works: one of the four `Department`s or one added by add-department.sh.
 */
export function connectAs(department: string, role: Role, peerOf: string = department): FabricSession {
  return connectWith(credentialsOf(department, role), peerOf);
}

/** Connects to `peerOf`'s peer as `department`'s gateway identity (govshare.role=gateway). */
export function connectAsGateway(department: string, peerOf: string = department): FabricSession {
  return connectWith(gatewayCredentialsOf(department), peerOf);
}

function connectWith({ mspId, certificate, privateKey }: UserCredentials, peerOf: string): FabricSession {
  // Peers' TLS certificates name localhost and 127.0.0.1 (and, on a multi-host network, their host name); TLS
  // server names must not be IP addresses.
  const client = new grpc.Client(peerEndpointOf(peerOf), grpc.credentials.createSsl(tlsRootCertOf(peerOf)), {
    'grpc.ssl_target_name_override': peerTlsNameOf(peerOf),
  });
  const gateway = connect({
    client,
    identity: { mspId, credentials: certificate },
    // The gateway's own signer (OpenSSL through node:crypto), so that a direct client measured against the
    // REST gateway in bench/ does not pay for fabric-gateway's pure-JavaScript ECDSA the gateway avoids.
    ...newMessageSigner(createPrivateKey(privateKey)),
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  const network = gateway.getNetwork(CHANNEL);
  return {
    gateway,
    network,
    contract: network.getContract(CHAINCODE),
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

const utf8 = new TextDecoder();

export function decode(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Evaluates on one specific peer only: proves that peer holds the state. */
export async function evaluateOnPeer(
  session: FabricSession,
  peerMsp: string,
  transaction: string,
  args: readonly string[],
): Promise<string> {
  const proposal = session.contract.newProposal(transaction, { arguments: [...args], endorsingOrganizations: [peerMsp] });
  return decode(await proposal.evaluate());
}
