import type { AuthenticatedUser } from '../identity/user';

export interface SubmitResult {
  /** The transaction's return value (the chaincode's response payload). */
  readonly result: Buffer;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** Options of a submit that the Fabric private-data flow needs. */
export interface SubmitOptions {
  /** Passed to the chaincode in the proposal's transient map: never part of the transaction or the public state. */
  readonly transient?: Readonly<Record<string, Uint8Array>>;
  /** Only these organisations' peers endorse (Fabric requires naming them when transient data is present). */
  readonly endorsingOrganizations?: readonly string[];
}

/** Options of an evaluate. */
export interface EvaluateOptions {
  /** Only these organisations' peers may answer (the Fabric Gateway otherwise falls back to other orgs' peers). */
  readonly endorsingOrganizations?: readonly string[];
}

/**
 * The one facade services use to reach the ledger. Every call is signed with `user`'s own Fabric identity.
 * Failures are thrown as the LedgerError hierarchy in ./errors (never as fabric-gateway types).
 */
export interface LedgerClient {
  /** Endorses, orders and waits for commit; resolves only once the transaction is VALID on the ledger. */
  submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult>;
  /** Evaluates a read-only transaction on the gateway peer; nothing is written. */
  evaluate(user: AuthenticatedUser, txName: string, args: readonly string[], options?: EvaluateOptions): Promise<Buffer>;
  /** Resolves when the peer is reachable; rejects with FabricUnavailableError otherwise. */
  checkReady(): Promise<void>;
  /** Closes every per-user Fabric gateway and the shared gRPC connection. */
  close(): void;
}

/**
 * The ledger as an organisation's own peer sees it: every evaluate is answered by a peer of `mspId` or fails
 * (FabricUnavailableError when that peer is down), never by another organisation's peer. Decisions that must not
 * rest on someone else's peer (the data exchange's) go through this.
 */
export function ownPeerLedger(ledger: LedgerClient, mspId: string): LedgerClient {
  return {
    submit: (user, txName, args, options) => ledger.submit(user, txName, args, options),
    evaluate: (user, txName, args) => ledger.evaluate(user, txName, args, { endorsingOrganizations: [mspId] }),
    checkReady: () => ledger.checkReady(),
    close: () => {
      ledger.close();
    },
  };
}
