/** The gateway's REST API, same origin, with the user's bearer token. */
import { ApiError, toProblem } from './lib/problem';

export const API = '/api/v1';
const TOKEN_KEY = 'govshare.console.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** GET `${API}${path}` as JSON; a failure throws ApiError with the problem the gateway answered. */
export async function getJson<T>(token: string, path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new ApiError(toProblem(0, 'Gateway unreachable', { detail: error instanceof Error ? error.message : String(error) }));
  }
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = { detail: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(toProblem(response.status, response.statusText, body));
  return body as T;
}
