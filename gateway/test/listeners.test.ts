import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';

import pino from 'pino';
import request from 'supertest';

import { createOperationsApp } from '../src/app';
import { ConfigError } from '../src/config';
import { createHttpMetrics } from '../src/http/metrics';
import { createListenerServer, listenOn, listenerUrl, type ListeningServer } from '../src/listeners';
import { FakeLedger } from './support/fakeLedger';
import { buildTestApp } from './support/testApp';

describe('the API listener', () => {
  let directory: string;
  let tls: { certPath: string; keyPath: string };
  let caPem: Buffer;
  const servers: ListeningServer[] = [];

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'govshare-listener-'));
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: directory, stdio: 'ignore' });
    };
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=ca-education', '-keyout', 'ca.key', '-out', 'ca.pem');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=gateway.education',
      '-keyout', 'server.key', '-out', 'server.csr');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
      '-out', 'server.crt');
    tls = { certPath: path.join(directory, 'server.crt'), keyPath: path.join(directory, 'server.key') };
    caPem = readFileSync(path.join(directory, 'ca.pem'));
  });

  afterAll(async () => {
    // Node's global agent keeps connections alive: close them, or close() waits for the idle timeout.
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(directory, { recursive: true, force: true });
  });

  async function started(listen: Parameters<typeof createListenerServer>[0]): Promise<number> {
    const server = createListenerServer(listen, buildTestApp().app);
    servers.push(server);
    await listenOn(server, listen.host, 0);
    return (server.address() as AddressInfo).port;
  }

  function get(port: number, options: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<{ status: number; protocol: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, path: '/healthz', ca: caPem, servername: 'gateway.education', checkServerIdentity: () => undefined, ...options },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, protocol: res.socket instanceof TLSSocket ? (res.socket.getProtocol() ?? '') : '' });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS with TLS 1.3 when the listener has a certificate', async () => {
    const port = await started({ host: '127.0.0.1', port: 0, tls });

    await expect(get(port, {})).resolves.toEqual({ status: 200, protocol: 'TLSv1.3' });
  });

  it('refuses a client that offers at most TLS 1.2', async () => {
    const port = await started({ host: '127.0.0.1', port: 0, tls });

    await expect(get(port, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
  });

  it('refuses to build a plain HTTP server for an address off loopback', () => {
    expect(() => createListenerServer({ host: '10.77.0.2', port: 3001 }, buildTestApp().app)).toThrow(ConfigError);
    expect(() => createListenerServer({ host: '10.77.0.2', port: 3001 }, buildTestApp().app)).toThrow('plain HTTP refused on 10.77.0.2');
  });

  it('names a missing certificate file', () => {
    expect(() => createListenerServer({ host: '127.0.0.1', port: 3001, tls: { ...tls, certPath: '/nonexistent/server.crt' } }, buildTestApp().app)).toThrow(
      'Cannot read the TLS certificate /nonexistent/server.crt',
    );
  });

  it('gives the URL a listener answers on', () => {
    expect(listenerUrl({ host: '10.77.0.2', port: 443, tls })).toBe('https://10.77.0.2:443');
    expect(listenerUrl({ host: '::1', port: 3001 })).toBe('http://[::1]:3001');
  });
});

describe('health and metrics on their own listener', () => {
  it('leave the API app, which answers 404 for them', async () => {
    const { app } = buildTestApp(undefined, { options: { separateOperations: true } });

    for (const route of ['/healthz', '/readyz', '/metrics']) {
      expect((await request(app).get(route)).status).toBe(404);
    }
    const document = (await request(app).get('/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });

  it('are served by the operations app, with the API metrics and the ledger readiness', async () => {
    const ledger = new FakeLedger();
    const metrics = createHttpMetrics();
    const operations = createOperationsApp({ logger: pino({ level: 'silent' }), readiness: ledger, metrics });

    expect((await request(operations).get('/healthz')).body).toEqual({ status: 'ok' });
    ledger.ready = false;
    expect((await request(operations).get('/readyz')).status).toBe(503);
    expect((await request(operations).get('/metrics')).text).toContain('govshare_http_request');
    expect((await request(operations).get('/api/v1/datasets')).status).toBe(404);
  });
});
