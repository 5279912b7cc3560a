/**
 * The foundation's vertical slice on the real network: department apps register and read datasets
 * through their own department's gateway; the result is committed on every peer.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { connectAs, evaluateOnPeer, type FabricSession } from './support/fabric';
import { api } from './support/http';
import { CHANNEL, DEPARTMENTS, mspIdOf, REPO_ROOT } from './support/network';
import { answered, step } from './support/steps';

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function registration(id: string): Record<string, string> {
  return {
    id,
    title: 'Schools register',
    description: 'Every school with its address and number of pupils',
    classification: 'INTERNAL',
    fingerprint: sha256(`content of ${id}`),
  };
}

describe('datasets through the department gateways', () => {
  const id = `schools-${runId}`;
  /** Education's registration, which the reading and duplicate tests need (run once, by the first that asks). */
  const registered = step('Education registers a dataset', () => api('education', 'POST', '/api/v1/datasets', { body: registration(id) }));

  test('Education registers a dataset: 201 with the stored dataset, owner and txId after commit', async () => {
    const response = await registered();

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      ...registration(id),
      ownerMsp: 'EducationMSP',
      version: 1,
      status: 'ACTIVE',
    });
    expect(response.body.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(response.body.blockNumber).toMatch(/^[0-9]+$/);
  });

  test('Finance reads the dataset Education registered', async () => {
    answered(await registered(), 201, 'registering');
    const response = await api('finance', 'GET', `/api/v1/datasets/${id}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ...registration(id), ownerMsp: 'EducationMSP' });
  });

  test('registering the same id again is a 409 problem with the chaincode code', async () => {
    answered(await registered(), 201, 'registering');
    const response = await api('justice', 'POST', '/api/v1/datasets', { body: registration(id) });

    expect(response.status).toBe(409);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, code: 'DATASET_EXISTS' });
    const stored = await api('justice', 'GET', `/api/v1/datasets/${id}`);
    expect(stored.body.ownerMsp).toBe('EducationMSP');
  });

  test('an unknown dataset is a 404 problem', async () => {
    const response = await api('audit', 'GET', `/api/v1/datasets/missing-${runId}`, { role: 'auditor' });

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'DATASET_NOT_FOUND' });
  });

  test.each([
    ['a bad classification', { classification: 'TOP' }],
    ['a fingerprint that is not sha256 hex', { fingerprint: 'abc' }],
    ['an injection-looking id', { id: "x' OR 1=1 --" }],
    ['an unknown field', { owner: 'FinanceMSP' }],
  ])('bad input (%s) is a 400 problem and writes nothing', async (_name, change) => {
    const body = { ...registration(`bad-${runId}`), ...change };
    const response = await api('education', 'POST', '/api/v1/datasets', { body });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const lookup = await api('education', 'GET', `/api/v1/datasets/bad-${runId}`);
    expect(lookup.status).toBe(404);
  });

  test.each([
    ['no token', null],
    ['an unknown token', 'not-a-real-token'],
  ])('a request with %s is a 401 problem', async (_name, token) => {
    const response = await api('education', 'POST', '/api/v1/datasets', {
      token,
      body: registration(`unauthenticated-${runId}`),
    });

    expect(response.status).toBe(401);
    expect(response.contentType).toContain('application/problem+json');
  });

  test('health and readiness are served without a token', async () => {
    for (const department of DEPARTMENTS) {
      expect((await api(department, 'GET', '/healthz', { token: null })).status).toBe(200);
      expect((await api(department, 'GET', '/readyz', { token: null })).status).toBe(200);
    }
  });
});

describe('the record is on every peer', () => {
  const id = `replicated-${runId}`;
  let session: FabricSession;

  beforeAll(async () => {
    session = connectAs('audit', 'auditor');
    const response = await api('finance', 'POST', '/api/v1/datasets', { body: registration(id) });
    expect(response.status).toBe(201);
  });

  afterAll(() => {
    session.close();
  });

  test.each(DEPARTMENTS.map((department) => [department]))('peer of %s returns the dataset', async (department) => {
    const stored = JSON.parse(await evaluateOnPeer(session, mspIdOf(department), 'ReadDataset', [id])) as Record<string, unknown>;

    expect(stored).toMatchObject({ id, ownerMsp: 'FinanceMSP' });
  });

  test('all peers reach the same ledger height with the same block hash', async () => {
    const chainInfo = (department: string): { height: number; currentBlockHash: string } => {
      const output = execFileSync(path.join(REPO_ROOT, 'scripts/peer-cli.sh'), [department, 'channel', 'getinfo', '-c', CHANNEL], {
        encoding: 'utf8',
      });
      return JSON.parse(output.replace(/^Blockchain info: /, '')) as { height: number; currentBlockHash: string };
    };
    let infos = DEPARTMENTS.map(chainInfo);
    for (let attempt = 0; attempt < 20 && new Set(infos.map((info) => info.height)).size > 1; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      infos = DEPARTMENTS.map(chainInfo);
    }

    expect(new Set(infos.map((info) => info.height)).size).toBe(1);
    expect(new Set(infos.map((info) => info.currentBlockHash)).size).toBe(1);
  });
});
