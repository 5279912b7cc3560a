import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_CATALOGUE, isErrorCode } from 'govshare-contract';

import {
  CommitFailedError,
  EndorsementFailedError,
  FabricTimeoutError,
  FabricUnavailableError,
  GovshareChaincodeError,
  InvalidMessageError,
} from '../fabric/errors';
import { AccessDeniedError, ServiceError, type ServiceErrorCode } from '../services/errors';
import { HttpProblem, problem, sendProblem, type Problem } from './problem';

/** The HTTP answer to each of the gateway services' own refusals (services never speak HTTP). */
const SERVICE_PROBLEMS: { readonly [C in ServiceErrorCode]: { readonly status: number; readonly title: string } } = {
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  INVALID_ARGUMENT: { status: 400, title: 'Invalid request' },
  UNKNOWN_FIELDS: { status: 400, title: 'Unknown fields' },
  PAYLOAD_NOT_AVAILABLE: { status: 404, title: 'Not found' },
  ACCESS_DENIED: { status: 403, title: 'Access denied' },
  DATA_EXCHANGE_FAILED: { status: 502, title: 'Data exchange failed' },
};

function serviceProblem(err: ServiceError): Problem {
  const { status, title } = SERVICE_PROBLEMS[err.code];
  if (err instanceof AccessDeniedError) {
    // The owner's committed record of the refusal goes along, so the app can show (and check) what was recorded.
    const { record } = err;
    return problem({
      status,
      code: err.code,
      title,
      detail: err.message,
      ...(record === undefined ? {} : { txId: record.txId }),
      extensions: {
        reason: err.reason,
        ...(record?.grantId === undefined ? {} : { grantId: record.grantId }),
        ...(record === undefined ? {} : { receipt: record }),
      },
    });
  }
  return problem({ status, code: err.code, title, detail: err.message, issues: err.issues });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** body-parser (express.json) errors carry a `type` such as 'entity.parse.failed' and a 4xx `status`. */
function bodyParserProblem(err: unknown): Problem | undefined {
  if (!isRecord(err) || typeof err.type !== 'string' || typeof err.status !== 'number') {
    return undefined;
  }
  switch (err.type) {
    case 'entity.parse.failed':
      return problem({
        status: 400,
        code: 'INVALID_ARGUMENT',
        title: 'Invalid request',
        detail: 'The request body is not valid JSON',
      });
    case 'entity.too.large':
      return problem({
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        title: 'Payload too large',
        detail: typeof err.limit === 'number' ? `The request body exceeds ${String(err.limit)} bytes` : 'The request body is too large',
      });
    default:
      return err.status >= 400 && err.status < 500
        ? problem({ status: err.status, code: 'BAD_REQUEST', title: 'Bad request', detail: 'The request body could not be read' })
        : undefined;
  }
}

/** Maps any thrown error to the problem sent to the client. Unknown errors become a bare 500: no internals leak. */
export function toProblem(err: unknown): Problem {
  if (err instanceof HttpProblem) {
    return problem(err.init);
  }
  if (err instanceof ServiceError) {
    return serviceProblem(err);
  }
  if (err instanceof GovshareChaincodeError) {
    const definition = isErrorCode(err.code) ? ERROR_CATALOGUE[err.code] : undefined;
    return problem({
      status: definition?.httpStatus ?? 500,
      code: err.code,
      title: definition?.description ?? 'Chaincode error',
      detail: err.message,
      txId: err.txId,
    });
  }
  if (err instanceof InvalidMessageError) {
    return problem({ status: 400, code: 'INVALID_ARGUMENT', title: 'Invalid request', detail: err.message });
  }
  if (err instanceof FabricUnavailableError) {
    return problem({
      status: 503,
      code: 'FABRIC_UNAVAILABLE',
      title: 'Ledger unavailable',
      detail: 'The Fabric network could not be reached or did not order the transaction; retry later',
      txId: err.txId,
    });
  }
  if (err instanceof FabricTimeoutError) {
    return problem({
      status: 504,
      code: 'FABRIC_TIMEOUT',
      title: 'Ledger timeout',
      detail: 'The Fabric network did not answer in time; the transaction may still commit',
      txId: err.txId,
    });
  }
  if (err instanceof EndorsementFailedError) {
    return problem({
      status: 502,
      code: 'ENDORSEMENT_FAILED',
      title: 'Endorsement failed',
      detail: 'The endorsing peers rejected the transaction',
      txId: err.txId,
    });
  }
  if (err instanceof CommitFailedError && err.validationCode === 'ENDORSEMENT_POLICY_FAILURE') {
    // Its own stable code: the keys written needed another organisation's peer (a grant decision without the
    // owner's, say), so the same endorsements will never commit.
    return problem({
      status: 403,
      code: 'ENDORSEMENT_POLICY_FAILURE',
      title: 'Endorsement policy not satisfied',
      detail: "The transaction was committed invalid: the peers that endorsed it do not satisfy the policy of a key it writes (e.g. a grant decision needs the owner's peer)",
      txId: err.txId,
    });
  }
  if (err instanceof CommitFailedError) {
    return problem({
      status: 502,
      code: 'COMMIT_FAILED',
      title: 'Commit failed',
      detail: `The transaction was not committed as valid (${err.validationCode})`,
      txId: err.txId,
    });
  }
  return (
    bodyParserProblem(err) ??
    problem({ status: 500, code: 'INTERNAL', title: 'Internal error', detail: 'An unexpected error occurred' })
  );
}

/** The one error middleware: every failure leaves as application/problem+json. */
export const problemErrorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const body = toProblem(err);
  // Our own refusals (a 502 from the exchange included) are answers, not faults: only the unexpected is logged as an error.
  if (body.status >= 500 && !(err instanceof HttpProblem) && !(err instanceof ServiceError)) {
    // requestLogging logs this with the request's completion line (error level, with the cause chain).
    res.err = err instanceof Error ? err : new Error(String(err));
  } else {
    req.log.debug({ code: body.code }, 'request rejected');
  }
  if (err instanceof HttpProblem) {
    res.set(err.headers);
  }
  sendProblem(res, body);
};

export const routeNotFound: RequestHandler = (req) => {
  throw new HttpProblem({
    status: 404,
    code: 'NOT_FOUND',
    title: 'Not found',
    detail: `No route for ${req.method} ${req.path}`,
  });
};
