/** qscc answers an unknown transaction id with an error, not an empty result. */
export function isUnknownTransaction(err: unknown): boolean {
  return err instanceof Error && /no such transaction ID/i.test(`${err.message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}`);
}
