import type { z } from 'zod';
import { GovshareError } from '../errors';

/** Parses untrusted input; the first problem becomes `INVALID_ARGUMENT: <field>: <reason>`. */
export function parseArgument<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'input' : issue.path.map(String).join('.');
  throw new GovshareError('INVALID_ARGUMENT', `${field}: ${issue?.message ?? 'is invalid'}`);
}
