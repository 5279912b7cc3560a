/**
 * The one catalogue of stable error codes shared by chaincode and gateway.
 *
 * Chaincode throws `GovshareError`, whose message is exactly `CODE: detail`. Fabric only carries a
 * message string back to the client (and wraps it, e.g. "chaincode response 500, CODE: detail"),
 * so the code is recovered with `parseErrorCode` and mapped to an HTTP status from this catalogue.
 *
 * This module must not import fabric packages: it is part of govshare-contract.
 */

export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'FORBIDDEN',
  'DATASET_NOT_FOUND',
  'DATASET_EXISTS',
  'DATASET_RETIRED',
  'OWN_DATASET',
  'UNKNOWN_FIELDS',
  'GRANT_NOT_FOUND',
  'GRANT_CONFLICT',
  'INVALID_STATE',
  'CERTIFICATE_NOT_FOUND',
  'CERTIFICATE_EXISTS',
  'CONTENT_CHANGED',
  'PSEUDONYM_REUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDefinition {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly description: string;
}

export const ERROR_CATALOGUE = {
  INVALID_ARGUMENT: {
    code: 'INVALID_ARGUMENT',
    httpStatus: 400,
    description: 'An argument is missing or malformed; the message names the field and the reason.',
  },
  FORBIDDEN: {
    code: 'FORBIDDEN',
    httpStatus: 403,
    description: "The caller's organisation or role may not perform this operation.",
  },
  DATASET_NOT_FOUND: {
    code: 'DATASET_NOT_FOUND',
    httpStatus: 404,
    description: 'No dataset with this id is registered.',
  },
  DATASET_EXISTS: {
    code: 'DATASET_EXISTS',
    httpStatus: 409,
    description: 'A dataset with this id is already registered.',
  },
  DATASET_RETIRED: {
    code: 'DATASET_RETIRED',
    httpStatus: 409,
    description: 'The dataset is retired: it can no longer be changed or requested.',
  },
  OWN_DATASET: {
    code: 'OWN_DATASET',
    httpStatus: 409,
    description: "An organisation cannot request access to its own dataset.",
  },
  UNKNOWN_FIELDS: {
    code: 'UNKNOWN_FIELDS',
    httpStatus: 400,
    description: 'The request names fields the dataset does not have (or, on approval, fields outside the request).',
  },
  GRANT_NOT_FOUND: {
    code: 'GRANT_NOT_FOUND',
    httpStatus: 404,
    description: 'No access grant or grant request with this id exists.',
  },
  GRANT_CONFLICT: {
    code: 'GRANT_CONFLICT',
    httpStatus: 409,
    description: 'An access grant or pending request for this dataset and organisation already exists.',
  },
  INVALID_STATE: {
    code: 'INVALID_STATE',
    httpStatus: 409,
    description: 'The record is not in a state that allows this operation (e.g. approving a revoked grant).',
  },
  CERTIFICATE_NOT_FOUND: {
    code: 'CERTIFICATE_NOT_FOUND',
    httpStatus: 404,
    description: 'No e-certificate with this document digest exists.',
  },
  CERTIFICATE_EXISTS: {
    code: 'CERTIFICATE_EXISTS',
    httpStatus: 409,
    description: 'An e-certificate for this document digest already exists.',
  },
  CONTENT_CHANGED: {
    code: 'CONTENT_CHANGED',
    httpStatus: 409,
    description: "The content fingerprint named is not the dataset's current one: the content changed; nothing was delivered.",
  },
  PSEUDONYM_REUSED: {
    code: 'PSEUDONYM_REUSED',
    httpStatus: 409,
    description: 'This subject pseudonym is already on another certificate: each certificate needs its own, so that certificates cannot be linked.',
  },
  INTERNAL: {
    code: 'INTERNAL',
    httpStatus: 500,
    description: 'Stored state is unreadable or an invariant was broken; not caused by the request.',
  },
} as const satisfies { readonly [C in ErrorCode]: ErrorDefinition & { readonly code: C } };

/** An error whose message is exactly `CODE: detail`, so the code survives Fabric's message-only transport. */
export class GovshareError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;

  constructor(code: ErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'GovshareError';
    this.code = code;
    this.detail = detail;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus;
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

// Longest first so that no code can shadow a longer one sharing its prefix; `\b` rejects codes
// embedded in a longer identifier (e.g. `MY_DATASET_EXISTS:`).
const CODE_PATTERN = new RegExp(
  `\\b(${[...ERROR_CODES].sort((a, b) => b.length - a.length).join('|')}):`,
);

/** The first catalogue code followed by ':' anywhere in `text` (Fabric wraps chaincode messages). */
export function parseErrorCode(text: string): ErrorCode | undefined {
  const match = CODE_PATTERN.exec(text);
  const code = match?.[1];
  return code !== undefined && isErrorCode(code) ? code : undefined;
}
