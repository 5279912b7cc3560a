import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { Router } from 'express';
import pino from 'pino';
import request from 'supertest';

import { problemErrorHandler } from '../src/http/errorHandler';
import { HttpProblem } from '../src/http/problem';
import { requestLogging } from '../src/http/requestLogging';

type LogLine = Record<string, unknown>;

/** An app logging into `lines`: routes that succeed, fail as a client error, fail unexpectedly, or never answer. */
function loggedApp() {
  const lines: LogLine[] = [];
  let written = (): void => undefined;
  /** Resolves when the next log line is written (a barrier on the logger, not a sleep). */
  const nextLine = (): Promise<void> =>
    new Promise((resolve) => {
      written = resolve;
    });
  let hangReached = (): void => undefined;
  /** Resolves once the server is inside the /hang handler. */
  const hanging = new Promise<void>((resolve) => {
    hangReached = resolve;
  });
  const logger = pino(
    { name: 'test', level: 'info' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as LogLine);
        written();
      },
    },
  );
  const app = express();
  app.use(requestLogging(logger));
  const api = Router();
  api.get('/ok', (req, res) => {
    req.log.setBindings({ userId: 'education-officer' });
    res.json({ ok: true });
  });
  api.get('/missing', () => {
    throw new HttpProblem({ status: 404, code: 'NOT_FOUND', title: 'Not found', detail: 'nothing here' });
  });
  api.get('/broken', () => {
    throw new Error('disk on fire', { cause: new Error('the cause') });
  });
  api.get('/hang', () => {
    // never answers: the client gives up
    hangReached();
  });
  app.use('/api', api);
  app.use(problemErrorHandler);
  return { app, lines, nextLine, hanging };
}

/** The per-request line (other lines, e.g. debug ones, are not at info level here), once it is written. */
async function completionLine({ lines, nextLine }: { lines: LogLine[]; nextLine: () => Promise<void> }): Promise<LogLine> {
  if (lines.length === 0) await nextLine();
  expect(lines).toHaveLength(1);
  return lines[0] ?? {};
}

describe('requestLogging', () => {
  it('logs one info line per request with the request id, method, full url, status and time, and no headers', async () => {
    const logged = loggedApp();
    const { app } = logged;

    const res = await request(app).get('/api/ok?x=1').set('x-request-id', 'req-1').set('authorization', 'Bearer secret-token');

    expect(res.headers['x-request-id']).toBe('req-1');
    const line = await completionLine(logged);
    expect(line).toMatchObject({
      level: 30,
      name: 'test',
      req: { id: 'req-1', method: 'GET', url: '/api/ok?x=1' },
      userId: 'education-officer',
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(Object.keys(line.req as object).sort()).toEqual(['id', 'method', 'url']);
    expect(Object.keys(line.res as object)).toEqual(['statusCode']);
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret-token');
  });

  it('generates a request id when none (or an unacceptable one) is supplied', async () => {
    const logged = loggedApp();
    const { app } = logged;

    const res = await request(app).get('/api/ok').set('x-request-id', 'bad id with spaces');

    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await completionLine(logged)).req).toMatchObject({ id });
  });

  it('logs client errors at warn level', async () => {
    const logged = loggedApp();
    const { app } = logged;

    await request(app).get('/api/missing').expect(404);

    expect(await completionLine(logged)).toMatchObject({ level: 40, res: { statusCode: 404 }, msg: 'request completed' });
  });

  it('logs unexpected errors at error level with the error and its cause', async () => {
    const logged = loggedApp();
    const { app } = logged;

    await request(app).get('/api/broken').expect(500);

    const line = await completionLine(logged);
    expect(line).toMatchObject({ level: 50, res: { statusCode: 500 }, msg: 'request errored' });
    expect(line.err).toMatchObject({ type: 'Error', message: 'disk on fire: the cause' });
    expect(JSON.stringify(line.err)).toContain('the cause');
  });

  it('logs a request the client abandoned as aborted, without a status', async () => {
    const logged = loggedApp();
    const { app } = logged;
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/hang' });
      req.on('error', () => undefined);
      req.end();
      await logged.hanging;
      req.destroy();

      expect(await completionLine(logged)).toMatchObject({ level: 30, req: { url: '/api/hang' }, res: { statusCode: null }, msg: 'request aborted' });
    } finally {
      server.close();
    }
  });
});
