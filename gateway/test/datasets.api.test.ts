import request from 'supertest';

import { buildTestApp, OFFICER_TOKEN, validRegistration } from './support/testApp';

const auth = { Authorization: `Bearer ${OFFICER_TOKEN}` };

function register(app: Parameters<typeof request>[0], body: unknown) {
  return request(app).post('/api/v1/datasets').set(auth).send(body as object);
}

describe('POST /api/v1/datasets', () => {
  it('registers a dataset and returns it with the txId, block number and Location', async () => {
    const { app } = buildTestApp();

    const res = await register(app, validRegistration);

    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/v1/datasets/edu.enrolment-2025');
    expect(res.body).toMatchObject({
      ...validRegistration,
      ownerMsp: 'EducationMSP',
      version: 1,
      txId: 'tx0001',
      blockNumber: '42',
    });
  });

  it('signs the transaction with the identity of the token holder', async () => {
    const { app, ledger } = buildTestApp();

    await register(app, validRegistration).expect(201);

    expect(ledger.calls).toEqual([
      {
        kind: 'submit',
        userId: 'education-officer',
        txName: 'RegisterDataset',
        args: [
          JSON.stringify({
            id: 'edu.enrolment-2025',
            title: 'School enrolment 2025',
            description: 'Pupils enrolled per school and year group',
            classification: 'INTERNAL',
            fingerprint: 'a'.repeat(64),
            themes: [],
            keywords: [],
            fields: [],
            updateFrequency: 'IRREGULAR',
            license: 'UNSPECIFIED',
            contactUnit: 'UNASSIGNED',
          }),
        ],
      },
    ]);
  });

  it('rejects a duplicate id with 409 DATASET_EXISTS', async () => {
    const { app } = buildTestApp();
    await register(app, validRegistration).expect(201);

    const res = await register(app, validRegistration);

    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'urn:govshare:problem:dataset-exists',
      status: 409,
      code: 'DATASET_EXISTS',
      detail: 'dataset edu.enrolment-2025 is already registered',
      txId: 'tx0002',
    });
  });

  it.each([
    ['id', { id: '-leading-dash' }],
    ['id', { id: 'x'.repeat(65) }],
    ['title', { title: '' }],
    ['title', { title: 't'.repeat(201) }],
    ['description', { description: 'd'.repeat(2001) }],
    ['classification', { classification: 'TOP_SECRET' }],
    ['fingerprint', { fingerprint: 'abc' }],
    ['fingerprint', { fingerprint: 'g'.repeat(64) }],
  ])('rejects an invalid %s with 400 naming the field (%o)', async (field, override) => {
    const { app, ledger } = buildTestApp();

    const res = await register(app, { ...validRegistration, ...override });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    const paths = (res.body as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(new Set(paths)).toEqual(new Set([field]));
    expect(ledger.calls).toHaveLength(0);
  });

  it('rejects a missing field with 400', async () => {
    const { app } = buildTestApp();
    const withoutTitle: Partial<typeof validRegistration> = { ...validRegistration };
    delete withoutTitle.title;

    const res = await register(app, withoutTitle);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'title' }] });
  });

  it('rejects an unknown field with 400', async () => {
    const { app } = buildTestApp();

    const res = await register(app, { ...validRegistration, ownerMsp: 'FinanceMSP' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(JSON.stringify(res.body)).toContain('ownerMsp');
  });

  it('rejects malformed JSON with 400 INVALID_ARGUMENT and no stack trace', async () => {
    const { app } = buildTestApp();

    const res = await request(app)
      .post('/api/v1/datasets')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"id": "x",');

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:govshare:problem:invalid-argument',
      title: 'Invalid request',
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail: 'The request body is not valid JSON',
    });
  });

  it('rejects a non-object JSON body with 400', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set(auth).set('Content-Type', 'application/json').send('"x"');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects a body that is not JSON with 415', async () => {
    const { app } = buildTestApp();

    const res = await request(app).post('/api/v1/datasets').set(auth).type('text/plain').send('hello');

    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('rejects a body over 256kb with 413', async () => {
    const { app } = buildTestApp();

    const res = await register(app, { ...validRegistration, description: 'd'.repeat(300 * 1024) });

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('GET /api/v1/datasets/:id', () => {
  it('returns a registered dataset', async () => {
    const { app, ledger } = buildTestApp();
    await register(app, validRegistration).expect(201);

    const res = await request(app).get('/api/v1/datasets/edu.enrolment-2025').set(auth);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ ...validRegistration, ownerMsp: 'EducationMSP' });
    expect(ledger.calls.at(-1)).toEqual({
      kind: 'evaluate',
      userId: 'education-officer',
      txName: 'ReadDataset',
      args: ['edu.enrolment-2025'],
    });
  });

  it('returns 404 DATASET_NOT_FOUND for an unknown id', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/datasets/nope').set(auth);

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'urn:govshare:problem:dataset-not-found',
      title: expect.any(String) as unknown,
      status: 404,
      code: 'DATASET_NOT_FOUND',
      detail: 'dataset nope does not exist',
    });
  });

  it('rejects a malformed id with 400 before reaching the ledger', async () => {
    const { app, ledger } = buildTestApp();

    const res = await request(app).get('/api/v1/datasets/%20bad%20id').set(auth);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(ledger.calls).toHaveLength(0);
  });
});
