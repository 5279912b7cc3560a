import { Registry } from 'prom-client';
import request from 'supertest';

import { FabricTimeoutError } from '../src/fabric/errors';
import { createFabricMetrics } from '../src/fabric/metrics';
import { submitTransaction } from '../src/fabric/transactions';
import { FakeFabricFlow } from './support/fakeFabricFlow';
import { ControllableLedger } from './support/controllableLedger';
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
