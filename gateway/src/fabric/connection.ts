import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';

import type { AuthenticatedUser } from '../identity/user';
import type { SigningCredentials } from './credentials';
import { FabricUnavailableError } from './errors';
import type { OfflineIdentity } from './offlineSigning';
import { DEFAULT_LEDGER_DEADLINES, type LedgerDeadlines } from './transactions';

export interface FabricConnectionOptions {
  readonly peer: { readonly endpoint: string; readonly hostAlias: string; readonly tlsRootCert: Buffer };
  readonly channel: string;
  readonly chaincode: string;
  /** Signing credentials by user id: each request is signed by its caller's own identity. */
  readonly credentials: ReadonlyMap<string, SigningCredentials>;
  readonly readyTimeoutMs?: number;
  /** How long a submit and an evaluate may take before they answer 504 (default DEFAULT_LEDGER_DEADLINES). */
  readonly deadlines?: LedgerDeadlines;
}

/*
 * Per-call bounds of the offline-signing flow, where each step is its own HTTP request. The online flow
 * (submit, evaluate) passes its own overall deadline to every call instead (FabricConnectionOptions.deadlines).
 */
const OFFLINE_EVALUATE_TIMEOUT_MS = 5_000;
const OFFLINE_ENDORSE_TIMEOUT_MS = 15_000;
const OFFLINE_SUBMIT_TIMEOUT_MS = 5_000;
const OFFLINE_COMMIT_STATUS_TIMEOUT_MS = 60_000;
const DEFAULT_READY_TIMEOUT_MS = 2_000;
const RECONNECT_BACKOFF_INITIAL_MS = 250;
const RECONNECT_BACKOFF_MAX_MS = 2_000;

const deadlineIn = (ms: number) => () => ({ deadline: Date.now() + ms });

/**
 * What every Fabric adapter shares: one gRPC connection to the org's peer, the users' signing credentials, and
 * one fabric-gateway Gateway per user (created on first use, kept until close). The adapters (transactions,
 * events, block archive, offline signing) each speak one side of the peer through it.
 */
export class FabricConnection {
  readonly channel: string;
  readonly chaincode: string;
  readonly deadlines: LedgerDeadlines;
  readonly #client: grpc.Client;
  readonly #gateways = new Map<string, Gateway>();
  readonly #credentials: Map<string, SigningCredentials>;
  readonly #endpoint: string;
  readonly #readyTimeoutMs: number;

  constructor(options: FabricConnectionOptions) {
    this.channel = options.channel;
    this.chaincode = options.chaincode;
    this.deadlines = options.deadlines ?? DEFAULT_LEDGER_DEADLINES;
    this.#credentials = new Map(options.credentials);
    this.#endpoint = options.peer.endpoint;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.#client = new grpc.Client(options.peer.endpoint, grpc.credentials.createSsl(options.peer.tlsRootCert), {
      'grpc.ssl_target_name_override': options.peer.hostAlias,
      // grpc-js keeps channelz statistics (call counters, trace events) on every call by default; nothing here
      // serves the channelz service that would read them.
      'grpc.enable_channelz': 0,
      // After the peer restarts, reconnect within a quarter second to two seconds: grpc-js's default backoff
      // (1 s growing 1.6x to 120 s) left the gateway answering 503 for up to ~10 s after its peer was back.
      'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF_INITIAL_MS,
      'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF_MAX_MS,
    });
  }

  credentialsOf(user: AuthenticatedUser): SigningCredentials {
    const credentials = this.#credentials.get(user.id);
    if (credentials === undefined) {
      throw new Error(`No Fabric signing credentials configured for user ${user.id}`);
    }
    return credentials;
  }

  /** Signs the requests of a user enrolled at run time (POST /admin/users) with its own identity. */
  addCredentials(userId: string, credentials: SigningCredentials): void {
    if (this.#credentials.has(userId)) throw new Error(`user ${userId} already has signing credentials`);
    this.#credentials.set(userId, credentials);
  }

  /** `user`'s own Gateway: every message it sends is signed with `user`'s key. */
  gatewayFor(user: AuthenticatedUser): Gateway {
    let gateway = this.#gateways.get(user.id);
    if (gateway === undefined) {
      const credentials = this.credentialsOf(user);
      gateway = connect({
        client: this.#client,
        identity: credentials.identity,
        signer: credentials.signer,
        hash: credentials.hash,
        evaluateOptions: deadlineIn(this.deadlines.evaluateMs),
        endorseOptions: deadlineIn(this.deadlines.submitMs),
        submitOptions: deadlineIn(this.deadlines.submitMs),
        commitStatusOptions: deadlineIn(this.deadlines.submitMs),
      });
      this.#gateways.set(user.id, gateway);
    }
    return gateway;
  }

  networkFor(user: AuthenticatedUser): Network {
    return this.gatewayFor(user).getNetwork(this.channel);
  }

  /** The govshare chaincode, or a system chaincode (qscc, cscc) when `name` is given, as `user`. */
  contractFor(user: AuthenticatedUser, name: string = this.chaincode): Contract {
    return this.networkFor(user).getContract(name);
  }

  /** A Gateway without a signer for an app's identity: only messages the app signed go through it. Close it after use. */
  offlineGateway(identity: OfflineIdentity): Gateway {
    return connect({
      client: this.#client,
      identity: { mspId: identity.mspId, credentials: identity.certificate },
      hash: hash.sha256,
      evaluateOptions: deadlineIn(OFFLINE_EVALUATE_TIMEOUT_MS),
      endorseOptions: deadlineIn(OFFLINE_ENDORSE_TIMEOUT_MS),
      submitOptions: deadlineIn(OFFLINE_SUBMIT_TIMEOUT_MS),
      commitStatusOptions: deadlineIn(OFFLINE_COMMIT_STATUS_TIMEOUT_MS),
    });
  }

  /** Resolves when the peer is reachable; rejects with FabricUnavailableError otherwise. */
  checkReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + this.#readyTimeoutMs, (err) => {
        if (err) {
          reject(new FabricUnavailableError(`Peer ${this.#endpoint} not reachable: ${err.message}`));
        } else {
          resolve();
        }
      });
    });
  }

  /** Closes every per-user Gateway and the gRPC connection. */
  close(): void {
    for (const gateway of this.#gateways.values()) {
      gateway.close();
    }
    this.#gateways.clear();
    this.#client.close();
  }
}
