import type { z } from 'zod';

import { HttpProblem, type FieldIssue } from './problem';

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/** Parses `input` with `schema`, or throws a 400 INVALID_ARGUMENT problem listing every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issuePath(issue.path),
    message: issue.message,
  }));
  throw new HttpProblem({
    status: 400,
    code: 'INVALID_ARGUMENT',
    title: 'Invalid request',
    detail: `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  });
}
