import { Registry } from 'prom-client';
import request from 'supertest';

import { FabricTimeoutError, FabricUnavailableError, GovshareChaincodeError } from '../src/fabric/errors';
import { createFabricMetrics, instrumentArchive, instrumentEvents, instrumentOffline } from '../src/fabric/metrics';
import { submitTransaction } from '../src/fabric/transactions';
import { FakeFabricFlow } from './support/fakeFabricFlow';
import { ControllableLedger } from './support/controllableLedger';
import { FakeEventSource } from './support/fakeEvents';
import { buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

describe('GET /metrics', () => {
  it('times each ledger call by transaction, kind and outcome', async () => {
    const ledger = new ControllableLedger();
    const { app } = buildTestApp(ledger);
    await request(app).post('/api/v1/datasets').set(auth).send(validRegistration).expect(201);
    await request(app).get('/api/v1/datasets/missing').set(auth).expect(404);
    ledger.submitFailures.push(new FabricTimeoutError('slow'));
    await request(app).post('/api/v1/datasets').set(auth).send({ ...validRegistration, id: 'other' }).expect(504);

    const { text } = await request(app).get('/metrics').expect(200);

    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="RegisterDataset",kind="submit",outcome="ok"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="ReadDataset",kind="evaluate",outcome="rejected"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="RegisterDataset",kind="submit",outcome="failed"} 1');
    expect(text).toMatch(/govshare_fabric_call_duration_seconds_bucket\{le="0.01",transaction="RegisterDataset"/);
  });

  it('counts requests by route template and status, including rejected ones', async () => {
    const { app } = buildTestApp(undefined, { options: { rateLimit: { windowMs: 60_000, max: 1 } } });
    await request(app).get('/api/v1/datasets/a').set(auth).expect(404);
    await request(app).get('/api/v1/datasets/b').set(auth).expect(429);
    await request(app).get('/api/v1/datasets/c').expect(401);

    const { text } = await request(app).get('/metrics').expect(200);

    expect(text).toContain('govshare_http_requests_total{method="GET",route="/api/v1/datasets/:id",status="404"} 1');
    expect(text).not.toContain('route="/api/v1/datasets/a"');
    expect(text).toMatch(/govshare_http_requests_total\{method="GET",route="[^"]*",status="429"\} 1/);
    expect(text).toMatch(/govshare_http_requests_total\{method="GET",route="[^"]*",status="401"\} 1/);
  });
});

describe('MVCC retry counter', () => {
  it('counts each resubmission after an MVCC_READ_CONFLICT by transaction', async () => {
    const registry = new Registry();
    const metrics = createFabricMetrics(registry);
    const fabric = new FakeFabricFlow();
    fabric.commitCodes.push(11, 11, 0);
    const { contract } = fabric;

    await submitTransaction(contract, 'ApproveGrant', [], { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, {
      sleep: () => Promise.resolve(),
      random: () => 0,
      onRetry: () => {
        metrics.countMvccRetry('ApproveGrant');
      },
    });

    expect(await registry.metrics()).toContain('govshare_fabric_mvcc_retries_total{transaction="ApproveGrant"} 2');
  });
});

describe('every Fabric adapter is instrumented the same way', () => {
  const user = { id: 'auditor1', role: 'auditor', mspId: 'AuditMSP' } as const;
  const identity = { mspId: 'FinanceMSP', certificate: Buffer.from('cert') };
  const unsigned = { txId: 't1', bytes: new Uint8Array([1]), digest: new Uint8Array([2]) };

  it('times events, block-archive and offline-signing calls by kind, operation and outcome', async () => {
    const registry = new Registry();
    const metrics = createFabricMetrics(registry);
    const events = instrumentEvents(new FakeEventSource(), metrics);
    const archive = instrumentArchive(
      {
        chainHeight: () => Promise.resolve(7n),
        blocks: () => Promise.reject(new FabricUnavailableError('peer down')),
        validationCode: () => Promise.resolve(0),
        channelMspRoots: () => Promise.resolve(new Map()),
        recordedTransaction: () => Promise.resolve(undefined),
      },
      metrics,
    );
    const offline = instrumentOffline(
      {
        prepare: () => unsigned,
        endorseSigned: () => Promise.reject(new GovshareChaincodeError('GRANT_NOT_FOUND', 'no such grant')),
        submitSigned: () => Promise.resolve(unsigned),
        commitStatusSigned: () => Promise.resolve({ txId: 't1', blockNumber: 3n, successful: true, validationCode: 'VALID' }),
      },
      metrics,
    );

    (await events.chaincodeEvents(user)).close();
    expect(await archive.chainHeight(user)).toBe(7n);
    await expect(archive.blocks(user, 7n)).rejects.toBeInstanceOf(FabricUnavailableError);
    expect(offline.prepare(identity, 'RequestAccess', ['a'])).toBe(unsigned);
    await expect(offline.endorseSigned(identity, unsigned.bytes, new Uint8Array())).rejects.toBeInstanceOf(GovshareChaincodeError);

    const text = await registry.metrics();
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="chaincodeEvents",kind="events",outcome="ok"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="chainHeight",kind="archive",outcome="ok"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="blocks",kind="archive",outcome="failed"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="RequestAccess",kind="offline",outcome="ok"} 1');
    expect(text).toContain('govshare_fabric_call_duration_seconds_count{transaction="endorseSigned",kind="offline",outcome="rejected"} 1');
  });
});
