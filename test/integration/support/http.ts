/** A tiny client of the department gateways' REST API, as a department app would use it. */
import { gatewaysFile, type Department, type Role } from './network';

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

export async function api(
  department: Department,
  method: string,
  path: string,
  options: { role?: Role; body?: unknown; token?: string | null } = {},
): Promise<ApiResponse> {
  const entry = gatewaysFile()[department];
  const token = options.token === undefined ? entry.tokens[options.role ?? 'officer'] : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${entry.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
