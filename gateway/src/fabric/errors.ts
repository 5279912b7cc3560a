/**
 * Our own error hierarchy for ledger calls, modelled on fabric-gateway's (GatewayError → EndorseError / SubmitError /
 * CommitStatusError / CommitError). Routes never see fabric-gateway types; the HTTP layer maps these classes to
 * problem responses.
 */
export interface NodeErrorDetail {
  readonly address: string;
  readonly mspId: string;
  readonly message: string;
}

export interface LedgerErrorOptions {
  readonly txId?: string | undefined;
  readonly details?: readonly NodeErrorDetail[] | undefined;
  readonly cause?: unknown;
}

export abstract class LedgerError extends Error {
  readonly txId: string | undefined;
  /** Per-node messages from the Fabric gateway: for logs only, never sent to API clients. */
  readonly details: readonly NodeErrorDetail[];

  // Public so subclasses inherit it; `abstract` already stops direct instantiation.
  constructor(message: string, options: LedgerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.txId = options.txId;
    this.details = options.details ?? [];
  }
}

/** The chaincode rejected the transaction with one of its stable error codes (e.g. DATASET_EXISTS). */
export class GovshareChaincodeError extends LedgerError {
  override readonly name = 'GovshareChaincodeError';

  constructor(
    readonly code: string,
    message: string,
    options: LedgerErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The peer or the ordering service could not be reached, or ordering failed. */
export class FabricUnavailableError extends LedgerError {
  override readonly name = 'FabricUnavailableError';
}

/** A call to the Fabric gateway exceeded its deadline; the transaction may still commit. */
export class FabricTimeoutError extends LedgerError {
  override readonly name = 'FabricTimeoutError';
}

/** Endorsement (or evaluation) failed for a reason other than a govshare error code. */
export class EndorsementFailedError extends LedgerError {
  override readonly name = 'EndorsementFailedError';
}

/** The transaction was ordered but not committed as VALID, or its commit status could not be obtained. */
export class CommitFailedError extends LedgerError {
  override readonly name = 'CommitFailedError';

  constructor(
    /** Fabric's TxValidationCode name, e.g. MVCC_READ_CONFLICT, or COMMIT_STATUS_UNKNOWN. */
    readonly validationCode: string,
    message: string,
    options: LedgerErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Offline signing: bytes sent back by an app are not a message this gateway prepared (a client error). */
export class InvalidMessageError extends LedgerError {
  override readonly name = 'InvalidMessageError';
}

export function isMvccReadConflict(err: unknown): err is CommitFailedError {
  return err instanceof CommitFailedError && err.validationCode === 'MVCC_READ_CONFLICT';
}
