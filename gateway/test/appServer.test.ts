import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type Express } from 'express';
import request from 'supertest';

import { appServerOptions } from '../src/performance/appServer';
import { buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';

interface Prototypes {
  readonly request: object | null;
  readonly response: object | null;
}

const servers: Server[] = [];

/** Listens on loopback; records the prototypes each request and response had before Express saw them. */
async function serve(app: Express, options: ReturnType<typeof appServerOptions>): Promise<{ url: string; created: Prototypes[] }> {
  const server = createServer(options, app);
  const created: Prototypes[] = [];
  server.prependListener('request', (req, res) => {
    created.push({ request: Object.getPrototypeOf(req) as object | null, response: Object.getPrototypeOf(res) as object | null });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, created };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function echoApp(): Express {
  const app = express();
  app.get('/items/:id', (req, res) => {
    res.status(201).json({
      id: req.params.id,
      q: req.query.q,
      header: req.get('x-test'),
      sameApp: req.app === app,
      prototypes: Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response,
    });
  });
  return app;
}

describe('appServerOptions', () => {
  it("creates each request and response with the app's prototypes, so Express has none to change", async () => {
    const app = echoApp();
    const { url, created } = await serve(app, appServerOptions(app));

    const res = await fetch(`${url}/items/7?q=x`, { headers: { 'x-test': 'yes' } });

    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: '7', q: 'x', header: 'yes', sameApp: true, prototypes: true });
    expect(created).toEqual([{ request: app.request, response: app.response }]);
    expect(app.request).toBeInstanceOf(IncomingMessage);
    expect(app.response).toBeInstanceOf(ServerResponse);
  });

  it("without them, Node creates plain IncomingMessage/ServerResponse objects that Express then re-prototypes", async () => {
    const app = echoApp();
    const { url, created } = await serve(app, {});

    const res = await fetch(`${url}/items/7?q=x`, { headers: { 'x-test': 'yes' } });

    expect(await res.json()).toMatchObject({ prototypes: true });
    expect(created).toEqual([{ request: IncomingMessage.prototype, response: ServerResponse.prototype }]);
  });

  it('serves the gateway API exactly as Express alone does', async () => {
    const { app } = buildTestApp();
    await request(app).post('/api/v1/datasets').set('Authorization', `Bearer ${OFFICER_TOKEN}`).send(validRegistration).expect(201);
    const { url } = await serve(app, appServerOptions(app));
    const path = `/api/v1/datasets/${validRegistration.id}`;

    const viaExpress = await request(app).get(path).set('Authorization', `Bearer ${OFFICER_TOKEN}`);
    const viaServer = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${OFFICER_TOKEN}` } });

    expect(viaServer.status).toBe(200);
    expect(await viaServer.json()).toEqual(viaExpress.body);
    const varying = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'ratelimit']);
    const headersOf = (entries: Iterable<[string, string]>) => Object.fromEntries([...entries].filter(([name]) => !varying.has(name)));
    expect(headersOf(viaServer.headers.entries())).toEqual(headersOf(Object.entries(viaExpress.headers as Record<string, string>)));
  });
});
