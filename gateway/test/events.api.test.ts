import { FOUNDING_ORG_CONFIG, ReadOrgConfig } from 'govshare-contract';
import request from 'supertest';

import { FakeEventSource } from './support/fakeEvents';
import { FakeLedger } from './support/fakeLedger';
import { openSse, type SseConnection } from './support/sse';
import { AUDITOR_TOKEN, buildTestApp, MSP_ID, OFFICER_TOKEN } from './support/testApp';

const officer = { Authorization: `Bearer ${OFFICER_TOKEN}` };

function registered(blockNumber: bigint, txId: string, ownerMsp: string) {
  return { eventName: 'DatasetRegistered', txId, blockNumber, payload: { datasetId: `ds-${txId}`, ownerMsp, txId } };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(condition()).toBe(true);
}

describe('GET /api/v1/events', () => {
  let connection: SseConnection | undefined;
  afterEach(async () => {
    await connection?.close();
    connection = undefined;
  });

  it('requires a bearer token', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/events');

    expect(res.status).toBe(401);
  });

  it("streams the events that concern the caller's department as Server-Sent Events", async () => {
    const events = new FakeEventSource();
    const { app } = buildTestApp(undefined, { events });
    connection = await openSse(app, '/api/v1/events', officer);

    events.publish(registered(7n, 'aa01', 'FinanceMSP'));
    events.publish(registered(8n, 'bb02', 'EducationMSP'));
    await connection.waitFor((text) => text.includes('bb02'));

    expect(connection.status).toBe(200);
    expect(connection.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(connection.messages()).toEqual([
      {
        id: '8:bb02',
        event: 'DatasetRegistered',
        data: JSON.stringify({ datasetId: 'ds-bb02', ownerMsp: 'EducationMSP', txId: 'bb02', blockNumber: '8' }),
      },
    ]);
    expect(events.subscriptions).toEqual([{ userId: 'education-officer', startBlock: undefined, closed: false }]);
  });

  it("shows every department's events to the auditors of the supervisor that ReadOrgConfig names", async () => {
    const events = new FakeEventSource();
    const ledger = new FakeLedger().on(ReadOrgConfig, () => ({ ...FOUNDING_ORG_CONFIG, supervisorMsp: MSP_ID, updated: null }));
    const { app } = buildTestApp(ledger, { events });
    const auditor = { Authorization: `Bearer ${AUDITOR_TOKEN}` };
    connection = await openSse(app, '/api/v1/events', auditor);

    events.publish(registered(7n, 'aa01', 'FinanceMSP'));
    await connection.waitFor((text) => text.includes('aa01'));

    expect(connection.messages().map((m) => m.id)).toEqual(['7:aa01']);
    expect(ledger.calls.filter((call) => call.txName === 'ReadOrgConfig')).toEqual([
      { kind: 'evaluate', userId: 'education-auditor', txName: 'ReadOrgConfig', args: [] },
    ]);
  });

  it('resumes with Last-Event-ID from that block without replaying the acknowledged event', async () => {
    const events = new FakeEventSource();
    events.publish(registered(8n, 'bb02', 'EducationMSP'));
    events.publish(registered(8n, 'cc03', 'EducationMSP'));
    events.publish(registered(9n, 'dd04', 'EducationMSP'));
    const { app } = buildTestApp(undefined, { events });

    connection = await openSse(app, '/api/v1/events', { ...officer, 'Last-Event-ID': '8:bb02' });
    await connection.waitFor((text) => text.includes('dd04'));

    expect(connection.messages().map((m) => m.id)).toEqual(['8:cc03', '9:dd04']);
    expect(events.subscriptions[0]?.startBlock).toBe(8n);
  });

  it('rejects a malformed Last-Event-ID with 400', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/events').set(officer).set('Last-Event-ID', 'yesterday');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'last-event-id' }] });
  });

  it('sends a heartbeat comment while the ledger is quiet', async () => {
    const { app } = buildTestApp(undefined, { options: { eventHeartbeatMs: 20 } });

    connection = await openSse(app, '/api/v1/events', officer);

    await connection.waitFor((text) => text.includes(': heartbeat'));
  });

  it('closes the Fabric event stream when the client disconnects', async () => {
    const events = new FakeEventSource();
    const { app } = buildTestApp(undefined, { events });
    const sse = await openSse(app, '/api/v1/events', { Authorization: `Bearer ${AUDITOR_TOKEN}` });
    await until(() => events.subscriptions.length === 1);

    await sse.close();

    await until(() => events.subscriptions[0]?.closed === true);
  });

  it('ends open streams when the gateway starts shutting down, so that the server closes at once', async () => {
    const events = new FakeEventSource();
    const shutdown = new AbortController();
    const { app } = buildTestApp(undefined, { events, options: { shutdown: shutdown.signal } });
    const sse = await openSse(app, '/api/v1/events', officer);
    connection = sse;
    await until(() => events.subscriptions.length === 1);

    shutdown.abort();
    const serverClosed = new Promise<void>((resolve) => sse.server.close(() => { resolve(); }));
    sse.server.closeIdleConnections();

    await sse.ended;
    await serverClosed;
    expect(events.subscriptions[0]?.closed).toBe(true);
  });

  it('answers a new stream with 503 SHUTTING_DOWN once shutdown has begun', async () => {
    const shutdown = new AbortController();
    const { app } = buildTestApp(undefined, { options: { shutdown: shutdown.signal } });
    shutdown.abort();

    const res = await request(app).get('/api/v1/events').set(officer);

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ code: 'SHUTTING_DOWN', status: 503 });
  });

  it('caps the streams one token holds open (429 TOO_MANY_STREAMS) and frees a slot when a stream closes', async () => {
    const { app } = buildTestApp(undefined, { events: new FakeEventSource(), options: { maxEventStreamsPerToken: 2 } });
    const first = await openSse(app, '/api/v1/events', officer);
    const second = await openSse(app, '/api/v1/events', officer);
    const auditor = await openSse(app, '/api/v1/events', { Authorization: `Bearer ${AUDITOR_TOKEN}` });
    const refused = await openSse(app, '/api/v1/events', officer);
    try {
      expect([first.status, second.status, auditor.status]).toEqual([200, 200, 200]);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('5');
      await refused.waitFor((text) => text.includes('TOO_MANY_STREAMS'));

      await first.close();
      let again: SseConnection | undefined;
      for (let attempt = 0; attempt < 100 && again?.status !== 200; attempt++) {
        await again?.close();
        again = await openSse(app, '/api/v1/events', officer);
      }
      expect(again?.status).toBe(200);
      await again?.close();
    } finally {
      await Promise.all([second.close(), auditor.close(), refused.close()]);
    }
  });
});
