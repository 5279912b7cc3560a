import type { ApiResponse } from './http';

/**
 * One step of a file's setup (register a dataset, request a grant, approve it, ...), run at most once however many
 * tests need it, and only when one does. Each test awaits the steps its behaviour needs, so it sets up its own
 * state: run alone (`-t`) or after a failing neighbour it still does what its name says, and when a step cannot
 * be done every test that needed it fails naming that step, not with a stale variable of an earlier test.
 */
export function step<T>(name: string, run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= run().catch((err: unknown) => {
      throw new Error(`setup step "${name}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    return running;
  };
}

/** The response, if it has `status`; otherwise throws what the gateway answered (for a step, not an assertion). */
export function answered(response: ApiResponse, status: number, what: string): ApiResponse {
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${String(status)}, got ${String(response.status)} ${JSON.stringify(response.body)}`);
  }
  return response;
}
