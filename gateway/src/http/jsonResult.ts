/**
 * What a JSON route answers; its own module so that the route binder and the idempotency store (which replays
 * results) can both use it without importing each other. The binder sends it (and may store it for replay).
 */
export interface JsonResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Defaults to application/json; replayed problems keep application/problem+json. */
  readonly contentType?: string;
}
