/** A tiny client of the department gateways' REST API, as a department app would use it. */
import type { LookupFunction } from 'node:net';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

export interface HttpAnswer {
  readonly status: number;
  /** Lower-case header names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

/** A request that got no whole answer within its time limit (its name is what fetch's timeout gives). */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

let httpsAgent: { readonly departments: string; readonly agent: HttpsAgent } | undefined;
/**
 * One keep-alive agent for every gateway, as a department app would hold (hosts table, the departments' CAs);
 * a new one when a department joined (add-department.sh), so that its CA is trusted too.
 */
function agent(): HttpsAgent {
  const departments = allDepartments().join(',');
  if (httpsAgent?.departments !== departments) {
    httpsAgent?.agent.destroy();
    const ca = allDepartments().map(tlsRootCertOf);
    httpsAgent = { departments, agent: new HttpsAgent({ keepAlive: true, lookup: lookupInHostsTable, ca, minVersion: 'TLSv1.3' }) };
  }
  return httpsAgent.agent;
}

function httpsFetch(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, agent: agent() }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const answerHeaders = Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new RequestTimeoutError(`no answer from ${url.origin} within ${String(timeoutMs)} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

/**
 * One HTTP(S) request to a gateway URL, on loopback (http://127.0.0.1) or on a multi-host network (https by
 * host name, see above); throws RequestTimeoutError after `timeoutMs`, and what the connection threw otherwise.
 */
export async function httpRequest(
  url: string | URL,
  init: { readonly method?: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: string; readonly timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { method = 'GET', body, timeoutMs = 60_000 } = init;
  const headers = { ...init.headers };
  if (target.protocol === 'https:') return httpsFetch(target, method, headers, body, timeoutMs);
  try {
    const response = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') throw new RequestTimeoutError(`no answer from ${target.origin} within ${String(timeoutMs)} ms`);
    throw err;
  }
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
  const answer = await httpRequest(`${entry.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return {
    status: answer.status,
    contentType: answer.headers['content-type'] ?? '',
    body: answer.text === '' ? {} : (JSON.parse(answer.text) as Record<string, unknown>),
  };
}
