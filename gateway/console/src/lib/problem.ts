/** RFC 9457 problem details as the gateway sends them (application/problem+json). */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly txId?: string;
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** The problem in an error response; a body that is not one (a proxy's HTML, a network error) still gives a readable problem. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const fields = isRecord(body) ? body : {};
  const issues = Array.isArray(fields.issues)
    ? fields.issues.filter(isRecord).map((issue) => ({ path: text(issue.path, ''), message: text(issue.message, '') }))
    : undefined;
  return {
    type: text(fields.type, 'about:blank'),
    title: text(fields.title, statusText === '' ? `HTTP ${String(status)}` : statusText),
    status: typeof fields.status === 'number' ? fields.status : status,
    detail: text(fields.detail, ''),
    code: text(fields.code, status === 0 ? 'NETWORK_ERROR' : `HTTP_${String(status)}`),
    ...(typeof fields.txId === 'string' ? { txId: fields.txId } : {}),
    ...(issues === undefined || issues.length === 0 ? {} : { issues }),
  };
}

/** An API call that failed, carrying the problem to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(readonly problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
  }
}

/** Any thrown value as a problem to show. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  const message = error instanceof Error ? error.message : String(error);
  return toProblem(0, 'Request failed', { detail: message, code: 'CLIENT_ERROR' });
}
