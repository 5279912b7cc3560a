import type { z } from 'zod';
import { GovshareError } from 'govshare-contract';

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

/** Complex arguments arrive as one JSON string; a parse failure is the caller's INVALID_ARGUMENT. */
export function parseJsonArgument(text: string, name = 'input'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GovshareError('INVALID_ARGUMENT', `${name}: must be a JSON document`);
  }
}

/** Validates a JSON-string argument against `schema`. */
export function parseJsonInput<S extends z.ZodType>(schema: S, text: string, name = 'input'): z.output<S> {
  return parseArgument(schema, parseJsonArgument(text, name));
}
