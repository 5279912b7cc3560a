import request from 'supertest';

import { AUDITOR_TOKEN, buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';

const officer = { Authorization: `Bearer ${OFFICER_TOKEN}` };

describe('per-token rate limit', () => {
  const limited = () => buildTestApp(undefined, { options: { rateLimit: { windowMs: 60_000, max: 2 } } }).app;

  it('answers 429 RATE_LIMITED with Retry-After once a token exceeds its quota', async () => {
    const app = limited();
    await request(app).get('/api/v1/datasets/x').set(officer).expect(404);
    await request(app).get('/api/v1/datasets/x').set(officer).expect(404);

    const res = await request(app).get('/api/v1/datasets/x').set(officer);

    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', type: 'urn:govshare:problem:rate-limited' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts each token separately', async () => {
    const app = limited();
    await request(app).get('/api/v1/datasets/x').set(officer);
    await request(app).get('/api/v1/datasets/x').set(officer);
    await request(app).get('/api/v1/datasets/x').set(officer).expect(429);

    await request(app).get('/api/v1/datasets/x').set('Authorization', `Bearer ${AUDITOR_TOKEN}`).expect(404);
  });

  it('does not limit operational endpoints', async () => {
    const app = limited();
    for (let i = 0; i < 4; i++) {
      await request(app).get('/healthz').expect(200);
    }
  });
});

describe('CORS', () => {
  it('is off unless origins are configured', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/healthz').set('Origin', 'https://app.example.gov');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the configured origins, with the headers the API uses', async () => {
    const { app } = buildTestApp(undefined, { options: { corsOrigins: ['https://app.example.gov'] } });

    const preflight = await request(app)
      .options('/api/v1/datasets')
      .set('Origin', 'https://app.example.gov')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    const foreign = await request(app).get('/healthz').set('Origin', 'https://evil.example');

    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.gov');
    expect(preflight.headers['access-control-allow-headers']).toContain('Idempotency-Key');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('strict JSON bodies', () => {
  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'id=x'],
  ])('rejects %s with 415 before reaching the ledger', async (type, body) => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set(officer).type(type).send(body);

    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(ledger.calls).toHaveLength(0);
  });

  it('rejects a body over 256kb with 413', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app)
      .post('/api/v1/datasets')
      .set(officer)
      .send({ ...validRegistration, description: 'd'.repeat(300 * 1024) });

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(ledger.calls).toHaveLength(0);
  });

  it('rejects a JSON body that is not an object or array (strict parsing) with 400', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set(officer).set('Content-Type', 'application/json').send('42');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('never sends a stack trace', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set(officer).set('Content-Type', 'application/json').send('{');

    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
