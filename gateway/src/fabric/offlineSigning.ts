/**
 * Offline signing for apps that hold their own Fabric keys: the gateway builds each message of the transaction
 * flow for the app's identity, the app signs its digest, and the gateway relays the signed message. The gateway never
 * sees the app's private key; every step's bytes travel through the app, so the gateway keeps no state between steps.
 */
export interface OfflineIdentity {
  readonly mspId: string;
  /** The app's enrolment certificate (PEM). */
  readonly certificate: Buffer;
}

/** A message to sign: its bytes (sent back with the signature) and their SHA-256 digest (what is signed). */
export interface Unsigned {
  readonly txId: string;
  readonly bytes: Uint8Array;
  readonly digest: Uint8Array;
}

export interface OfflineCommitStatus {
  readonly txId: string;
  readonly blockNumber: bigint;
  readonly successful: boolean;
  /** Fabric's TxValidationCode name, e.g. VALID or MVCC_READ_CONFLICT. */
  readonly validationCode: string;
}

export interface OfflineTransactions {
  /** Step 1: the unsigned proposal of `txName(args)` by `identity` (no network call). */
  prepare(identity: OfflineIdentity, txName: string, args: readonly string[]): Unsigned;
  /** Step 2: endorses the signed proposal; returns the unsigned transaction and the chaincode's result. */
  endorseSigned(identity: OfflineIdentity, proposal: Uint8Array, signature: Uint8Array): Promise<Unsigned & { readonly result: Uint8Array }>;
  /** Step 3: submits the signed transaction to ordering; returns the unsigned commit-status request. */
  submitSigned(identity: OfflineIdentity, transaction: Uint8Array, signature: Uint8Array): Promise<Unsigned>;
  /** Step 4: waits for the commit with the signed commit-status request. */
  commitStatusSigned(identity: OfflineIdentity, commit: Uint8Array, signature: Uint8Array): Promise<OfflineCommitStatus>;
}
