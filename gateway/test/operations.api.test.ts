import request from 'supertest';

import { buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';

describe('operational endpoints', () => {
  it('GET /healthz answers 200 without authentication', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/healthz');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the peer is reachable', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/readyz');

    expect(res.status).toBe(200);
  });

  it('GET /readyz answers 503 problem when the peer is not reachable', async () => {
    const { app, ledger } = buildTestApp();
    ledger.ready = false;

    const res = await request(app).get('/readyz');

    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, code: 'NOT_READY' });
  });

  it('GET /metrics exposes request counters labelled by route pattern', async () => {
    const { app } = buildTestApp();
    await request(app)
      .post('/api/v1/datasets')
      .set('Authorization', `Bearer ${OFFICER_TOKEN}`)
      .send(validRegistration)
      .expect(201);
    await request(app).get('/api/v1/datasets/x').set('Authorization', `Bearer ${OFFICER_TOKEN}`).expect(404);

    const res = await request(app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.text).toContain('govshare_http_requests_total{method="POST",route="/api/v1/datasets",status="201"} 1');
    expect(res.text).toContain('govshare_http_requests_total{method="GET",route="/api/v1/datasets/:id",status="404"} 1');
    expect(res.text).toContain('govshare_http_request_duration_seconds_bucket');
  });

  it('answers unknown routes with 404 NOT_FOUND problem', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/nowhere');

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', type: 'urn:govshare:problem:not-found' });
  });

  it('echoes a caller-supplied x-request-id and generates one otherwise', async () => {
    const { app } = buildTestApp();

    const echoed = await request(app).get('/healthz').set('x-request-id', 'req-123');
    const generated = await request(app).get('/healthz').set('x-request-id', 'bad id with spaces');

    expect(echoed.headers['x-request-id']).toBe('req-123');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers and hides the framework', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/healthz');

    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
