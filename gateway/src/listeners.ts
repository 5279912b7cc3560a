import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';

import type { Express } from 'express';

import { ConfigError, isLoopbackHost, type ListenConfig } from './config';
import { appServerOptions } from './performance/appServer';

export type ListeningServer = Server | HttpsServer;

/**
 * Clients reuse keep-alive connections (undici drops idle ones after ~4 s). Node's default 5 s idle
 * timeout lets the server close a socket just as a client sends on it, which loses that request
 * ("other side closed"); keeping idle connections longer than any client does leaves the closing to
 * the client. headersTimeout must exceed keepAliveTimeout. (server.close() still closes idle ones.)
 *
 * The server advertises its timeout (`Keep-Alive: timeout=65`), and undici then keeps an idle socket
 * for that long minus one second: under CPU load a late timer on either side re-opens the same race
 * at 65 s (seen in CI as a lost GET after a long pause between requests). keepAliveTimeoutBuffer
 * (Node >= 24) keeps the socket open for that much longer than advertised, so the client always
 * closes first.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const KEEP_ALIVE_TIMEOUT_BUFFER_MS = 30_000;

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`Cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * The HTTP(S) server for a listener: HTTPS with TLS 1.3 only when `listen.tls` is set, else plain HTTP, which is
 * refused off loopback (the config schema refuses it first; this is the last line, for configs built in code).
 */
export function createListenerServer(listen: ListenConfig, app: Express): ListeningServer {
  const options = appServerOptions(app);
  if (listen.tls === undefined) {
    if (!isLoopbackHost(listen.host)) {
      throw new ConfigError(`plain HTTP refused on ${listen.host}: not a loopback address; configure tls {certPath, keyPath}`);
    }
    return createHttpServer(options, app);
  }
  const { certPath, keyPath, caPath } = listen.tls;
  return createHttpsServer(
    {
      ...options,
      cert: caPath === undefined ? readPem(certPath, 'TLS certificate') : Buffer.concat([readPem(certPath, 'TLS certificate'), readPem(caPath, 'TLS chain')]),
      key: readPem(keyPath, 'TLS key'),
      // TLS 1.3 only: forward secrecy and no legacy cipher negotiation; every client we support speaks it.
      minVersion: 'TLSv1.3',
    },
    app,
  );
}

export function listenOn(server: ListeningServer, host: string, port: number): Promise<void> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.keepAliveTimeoutBuffer = KEEP_ALIVE_TIMEOUT_BUFFER_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + KEEP_ALIVE_TIMEOUT_BUFFER_MS + 1_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The URL a listener answers on, for logs and the operator's summary. */
export function listenerUrl(listen: ListenConfig): string {
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `${listen.tls === undefined ? 'http' : 'https'}://${host}:${String(listen.port)}`;
}
