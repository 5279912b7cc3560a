/**
 * The gateway's own domain errors: what a service refuses or fails at, in the domain's words. Services throw
 * these (or the ledger errors of fabric/errors.ts, which carry the chaincode's catalogue codes) and never an HTTP
 * type; the one error mapping (http/errorHandler.ts) turns each into its problem+json answer.
 */
import type { RecordedDelivery } from '../exchange/exchangeClient';

/** One offending value in a request: where it is and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The stable codes of the gateway's own refusals (the chaincode's are in govshare-contract's catalogue). */
export type ServiceErrorCode = 'FORBIDDEN' | 'INVALID_ARGUMENT' | 'UNKNOWN_FIELDS' | 'PAYLOAD_NOT_AVAILABLE' | 'ACCESS_DENIED' | 'DATA_EXCHANGE_FAILED';

export interface ServiceErrorOptions {
  /** The offending values, when the refusal is about a request's content. */
  readonly issues?: readonly FieldIssue[] | undefined;
  readonly cause?: unknown;
}

/** A refusal or failure of a gateway service, with its stable code; its message is the detail shown to the client. */
export class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
  readonly issues: readonly FieldIssue[] | undefined;

  constructor(
    readonly code: ServiceErrorCode,
    detail: string,
    options: ServiceErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = options.issues;
  }
}

/** The caller's organisation or role may not do this (decided by the gateway, before any ledger call). */
export class ForbiddenError extends ServiceError {
  override readonly name = 'ForbiddenError';

  constructor(detail: string) {
    super('FORBIDDEN', detail);
  }
}

/** The request contradicts itself or the ledger (e.g. a grant of another dataset). */
export class InvalidRequestError extends ServiceError {
  override readonly name = 'InvalidRequestError';

  constructor(detail: string, issues?: readonly FieldIssue[]) {
    super('INVALID_ARGUMENT', detail, { issues });
  }
}

/** Uploaded records name fields the dataset does not have. */
export class UnknownFieldsError extends ServiceError {
  override readonly name = 'UnknownFieldsError';

  constructor(detail: string, issues: readonly FieldIssue[]) {
    super('UNKNOWN_FIELDS', detail, { issues });
  }
}

/** The owner reads its own dataset, but no payload of its current content is stored here. */
export class PayloadNotAvailableError extends ServiceError {
  override readonly name = 'PayloadNotAvailableError';

  constructor(readonly datasetId: string) {
    super('PAYLOAD_NOT_AVAILABLE', `No payload of dataset '${datasetId}' is stored`);
  }
}

/** The owner refused the delivery; `record` is its committed record of the refusal, when it sent one. */
export class AccessDeniedError extends ServiceError {
  override readonly name = 'AccessDeniedError';

  constructor(
    readonly datasetId: string,
    readonly reason: string,
    readonly record: RecordedDelivery | undefined,
  ) {
    super(
      'ACCESS_DENIED',
      record === undefined
        ? `Access to dataset '${datasetId}' was refused (${reason})`
        : `Access to dataset '${datasetId}' was refused (${reason}); the owner recorded the refusal on the ledger`,
    );
  }
}

/** The exchange with the owner's gateway failed, or what it sent cannot be trusted (nothing is handed on). */
export class DataExchangeFailedError extends ServiceError {
  override readonly name = 'DataExchangeFailedError';

  constructor(detail: string) {
    super('DATA_EXCHANGE_FAILED', detail);
  }
}
