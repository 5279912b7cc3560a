/**
 * Hostile and broken requests against a real department gateway: each gets a clear 4xx problem,
 * and nothing reaches the ledger.
 */
import { createHash } from 'node:crypto';
import { connectAs, type FabricSession } from './support/fabric';
import { api } from './support/http';
import { gatewaysFile } from './support/network';

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;

function validRegistration(id: string): Record<string, unknown> {
  return {
    id,
    title: 'Court statistics',
    description: 'Number of cases per court and month',
    classification: 'PUBLIC',
    fingerprint: createHash('sha256').update(id).digest('hex'),
  };
}

async function rawPost(body: string, contentType: string): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  const gateway = gatewaysFile().justice;
  const response = await fetch(`${gateway.url}/api/v1/datasets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.tokens.officer}`, 'content-type': contentType },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: JSON.parse(await response.text()) as Record<string, unknown>,
  };
}

describe('bad input to POST /api/v1/datasets', () => {
  let session: FabricSession;

  beforeAll(() => {
    session = connectAs('audit', 'auditor');
  });

  afterAll(() => {
    session.close();
  });

  /** Nothing was written: the chaincode itself does not know the id. */
  async function expectNotOnLedger(id: string): Promise<void> {
    await expect(session.contract.evaluateTransaction('ReadDataset', id)).rejects.toMatchObject({
      details: expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining('DATASET_NOT_FOUND') as unknown })]) as unknown,
    });
  }

  test('an oversized body is 413', async () => {
    const id = `oversized-${runId}`;
    const response = await rawPost(JSON.stringify({ ...validRegistration(id), description: 'x'.repeat(300 * 1024) }), 'application/json');

    expect(response.status).toBe(413);
    expect(response.contentType).toContain('application/problem+json');
    await expectNotOnLedger(id);
  });

  test('a body that is not JSON is 415', async () => {
    const id = `plaintext-${runId}`;
    const response = await rawPost(`id=${id}`, 'text/plain');

    expect(response.status).toBe(415);
    expect(response.contentType).toContain('application/problem+json');
    await expectNotOnLedger(id);
  });

  test('malformed JSON is 400 INVALID_ARGUMENT', async () => {
    const response = await rawPost('{"id": "broken-', 'application/json');

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test.each([
    ['an unknown field', { ownerMsp: 'EducationMSP' }],
    ['an overlong title', { title: 't'.repeat(201) }],
    ['an overlong description', { description: 'd'.repeat(2001) }],
    ['a fingerprint with a non-hex character', { fingerprint: `${'a'.repeat(63)}g` }],
    ['a number where a string belongs', { title: 42 }],
  ])('%s is 400 INVALID_ARGUMENT and nothing is written', async (_name, change) => {
    const id = `invalid-${runId}`;
    const response = await api('justice', 'POST', '/api/v1/datasets', { body: { ...validRegistration(id), ...change } });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expectNotOnLedger(id);
  });

  test.each([
    "robert'); DROP TABLE datasets;--",
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '\u0000dataset\u0000x\u0000',
    'a'.repeat(65),
  ])('the injection-looking id %j is refused with 400', async (id) => {
    const response = await api('justice', 'POST', '/api/v1/datasets', { body: validRegistration(id) });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test.each(['..%2F..%2Fetc%2Fpasswd', '%00dataset%00x', "x'%20OR%20'1'='1"])(
    'reading the injection-looking id %s is a clear 4xx problem',
    async (encodedId) => {
      const response = await api('justice', 'GET', `/api/v1/datasets/${encodedId}`);

      expect([400, 404]).toContain(response.status);
      expect(response.contentType).toContain('application/problem+json');
    },
  );
});
