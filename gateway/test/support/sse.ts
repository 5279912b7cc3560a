import { request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Express } from 'express';

export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
}

export interface SseConnection {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** The listening server the stream is served from. */
  readonly server: Server;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Everything received so far. */
  text(): string;
  messages(): SseMessage[];
  /** Resolves once the received text satisfies `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (text: string) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function parseSse(text: string): SseMessage[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const fields: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      return fields;
    });
}

/** Opens a long-lived GET on a real listening server (supertest would wait for the stream to end). */
export async function openSse(app: Express, path: string, headers: Record<string, string>): Promise<SseConnection> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  let received = '';
  let clientRequest: ClientRequest | undefined;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    clientRequest = httpRequest({ host: '127.0.0.1', port, path, headers }, resolve);
    clientRequest.on('error', reject);
    clientRequest.end();
  });
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    received += chunk;
  });
  response.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => response.once('end', resolve));

  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    server,
    ended,
    text: () => received,
    messages: () => parseSse(received),
    async waitFor(predicate, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting; received:\n${received}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      clientRequest?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
