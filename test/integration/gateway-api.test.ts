/**
 * The complete gateway API on the real network: OpenAPI on every department gateway, Idempotency-Key on a real
 * submit, and the Server-Sent Events feed of chaincode events with Last-Event-ID resumption.
 */
import { createHash, randomUUID } from 'node:crypto';
import { connectAs, decode } from './support/fabric';
import { api } from './support/http';
import { EventStream } from './support/sse';
import { answered, step } from './support/steps';
import { DEPARTMENTS, gatewaysFile, type Department } from './support/network';

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function registration(id: string): Record<string, string> {
  return {
    id,
    title: 'Teachers per school',
    description: 'Full-time equivalent teaching staff per school',
    classification: 'INTERNAL',
    fingerprint: sha256(`content of ${id}`),
  };
}

async function postDataset(department: Department, body: unknown, idempotencyKey: string) {
  const entry = gatewaysFile()[department];
  const response = await fetch(`${entry.url}/api/v1/datasets`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${entry.tokens.officer}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}


describe('OpenAPI document', () => {
  test.each(DEPARTMENTS)('the %s gateway serves OpenAPI 3.1 at /openapi.json and Swagger UI at /docs/', async (department) => {
    const { url } = gatewaysFile()[department];

    const document = await api(department, 'GET', '/openapi.json', { token: null });
    const docs = await fetch(`${url}/docs/`);

    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    expect(paths['/api/v1/datasets']?.post).toBeDefined();
    expect(paths['/api/v1/events']?.get).toBeDefined();
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('Idempotency-Key on a real submit', () => {
  const id = `idem-${runId}`;
  const key = randomUUID();

  test('the same key and body returns the first result (same txId) and the ledger has one registration', async () => {
    const first = await postDataset('education', registration(id), key);
    const second = await postDataset('education', registration(id), key);

    expect(first.status).toBe(201);
    expect(first.body.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.body.txId).toBe(first.body.txId);
    expect(second.body.blockNumber).toBe(first.body.blockNumber);

    const session = connectAs('finance', 'officer');
    try {
      const history = JSON.parse(decode(await session.contract.evaluateTransaction('GetDatasetHistory', id))) as unknown;
      const entries = (Array.isArray(history) ? history : (history as { records: unknown[] }).records) as { txId: string }[];
      expect(entries.map((entry) => entry.txId)).toEqual([first.body.txId]);
    } finally {
      session.close();
    }
  });

  test('the same key with a different body is a 422 problem and submits nothing', async () => {
    const response = await postDataset('education', { ...registration(id), title: 'Something else' }, key);

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const stored = await api('education', 'GET', `/api/v1/datasets/${id}`);
    expect(stored.body.title).toBe('Teachers per school');
  });
});

describe('GET /api/v1/events (Server-Sent Events)', () => {
  const first = `events-${runId}-1`;
  const financeOwned = `events-${runId}-fin`;
  const second = `events-${runId}-2`;

  /** An Education registration and the event an Education client received for it. */
  const firstEvent = step('Education registers a dataset while an Education client listens', async () => {
    const stream = new EventStream();
    await stream.open('education');
    try {
      const registered = answered(await api('education', 'POST', '/api/v1/datasets', { body: registration(first) }), 201, 'registering');
      return { registered, event: await stream.waitFor((e) => e.data.datasetId === first) };
    } finally {
      await stream.close();
    }
  });

  test('an Education client sees the DatasetRegistered event of an Education registration', async () => {
    const { registered, event } = await firstEvent();

    expect(event.event).toBe('DatasetRegistered');
    expect(event.id).toBe(`${String(registered.body.blockNumber)}:${String(registered.body.txId)}`);
    expect(event.data).toMatchObject({
      datasetId: first,
      ownerMsp: 'EducationMSP',
      txId: registered.body.txId,
      blockNumber: registered.body.blockNumber,
    });
  });

  test('resuming with Last-Event-ID does not replay it, and events of other departments are not shown', async () => {
    const { event: firstSeen } = await firstEvent();
    const stream = new EventStream();
    await stream.open('education', firstSeen.id);
    try {
      expect((await api('finance', 'POST', '/api/v1/datasets', { body: registration(financeOwned) })).status).toBe(201);
      expect((await api('education', 'POST', '/api/v1/datasets', { body: registration(second) })).status).toBe(201);

      await stream.waitFor((e) => e.data.datasetId === second);

      const seen = stream.events.map((e) => e.data.datasetId);
      expect(seen).not.toContain(first);
      expect(seen).not.toContain(financeOwned);
      expect(stream.events.every((e) => e.data.ownerMsp === 'EducationMSP' || e.data.requesterMsp === 'EducationMSP')).toBe(true);
    } finally {
      await stream.close();
    }
  });

  test("the audit organisation's auditor sees every department's events", async () => {
    const stream = new EventStream();
    await stream.open('audit', undefined, 'auditor');
    const justiceOwned = `events-${runId}-jus`;
    try {
      expect((await api('justice', 'POST', '/api/v1/datasets', { body: registration(justiceOwned) })).status).toBe(201);

      const event = await stream.waitFor((e) => e.data.datasetId === justiceOwned);

      expect(event.data.ownerMsp).toBe('JusticeMSP');
    } finally {
      await stream.close();
    }
  });
});
