/** A tiny client of the department gateways' REST API, as a department app would use it. */
import type { LookupFunction } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { addressOf, allDepartments, gatewaysFile, tlsRootCertOf, type Department, type Role } from './network';

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

/**
 * On a multi-host network (`network.sh up --hosts`) the gateways serve HTTPS by host name, with certificates from
 * their departments' CAs. A client here resolves the names through the network's own name table and trusts those
 * CAs; Node checks each certificate against the name, as any department app's client would.
 */
const lookupInHostsTable: LookupFunction = (hostname, options, callback) => {
  try {
    const address = addressOf(hostname);
    if (options.all === true) callback(null, [{ address, family: 4 }]);
    else callback(null, address, 4);
  } catch (err) {
    callback(err as NodeJS.ErrnoException, '', 4);
  }
};

function httpsFetch(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method, headers, lookup: lookupInHostsTable, ca: allDepartments().map(tlsRootCertOf), minVersion: 'TLSv1.3', timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function api(
  department: Department,
  method: string,
  path: string,
  options: { role?: Role; body?: unknown; token?: string | null; headers?: Readonly<Record<string, string>> } = {},
): Promise<ApiResponse> {
  const entry = gatewaysFile()[department];
  const token = options.token === undefined ? entry.tokens[options.role ?? 'officer'] : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const url = new URL(`${entry.url}${path}`);
  if (url.protocol === 'https:') {
    const answer = await httpsFetch(url, method, headers, body);
    return { status: answer.status, contentType: answer.contentType, body: answer.text === '' ? {} : (JSON.parse(answer.text) as Record<string, unknown>) };
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
