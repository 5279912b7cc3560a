import type { Response } from 'express';
import { AccessReason, AccessReceipt } from 'govshare-contract';
import { z } from 'zod';

import type { FieldIssue } from '../services/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type { FieldIssue } from '../services/errors';

/** RFC 9457 problem details, plus govshare's stable `code` (shared with the chaincode catalogue). */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly txId?: string;
  readonly issues?: readonly FieldIssue[];
  /** RFC 9457 extension members of specific problems (e.g. the access receipt of a refused fetch). */
  readonly [extension: string]: unknown;
}

/** The same shape as a zod schema, for the OpenAPI document. */
export const ProblemSchema = z.object({
  type: z.string().describe('urn:govshare:problem:<code in kebab case>'),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: z.string().describe('Stable govshare error code, e.g. DATASET_EXISTS, FABRIC_TIMEOUT'),
  detail: z.string(),
  txId: z.string().optional().describe('The Fabric transaction id, when a transaction was attempted'),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  reason: AccessReason.optional().describe('ACCESS_DENIED: why the ledger refused access'),
  grantId: z.string().optional().describe('ACCESS_DENIED: the grant the decision was about'),
  receipt: AccessReceipt.extend({ blockNumber: z.string() })
    .optional()
    .describe("ACCESS_DENIED: the owner's committed record of the refused request (RecordDelivery)"),
});

export function problemType(code: string): string {
  return `urn:govshare:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export interface ProblemInit {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly txId?: string | undefined;
  readonly issues?: readonly FieldIssue[] | undefined;
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

export function problem(init: ProblemInit): Problem {
  const standard = {
    type: problemType(init.code),
    title: init.title,
    status: init.status,
    code: init.code,
    detail: init.detail,
    ...(init.txId === undefined ? {} : { txId: init.txId }),
    ...(init.issues === undefined ? {} : { issues: init.issues }),
  };
  // Extension members follow the standard ones and can never replace them.
  const extensions = Object.entries(init.extensions ?? {}).filter(([name]) => !(name in standard) && name !== 'txId' && name !== 'issues');
  return { ...standard, ...Object.fromEntries(extensions) };
}

/** An error raised by the HTTP layer itself (authentication, validation, routing). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly init: ProblemInit,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(init.detail);
  }
}

export function sendProblem(res: Response, body: Problem): void {
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
