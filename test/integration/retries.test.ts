/**
 * Issue 18 — retries that never double-submit, on the real network. A client retries with the same
 * Idempotency-Key after its gateway was SIGKILLed between submit and answer, after a 504 while the
 * orderers were frozen and one of them was then SIGKILLed, and after a plain gateway restart: every
 * retry answers the first request's transaction, and the ledger holds exactly one transaction for it
 * (dataset versions and content versions count them: no natural key guards an update or an upload).
 *
 * The moment "between submit and answer" is observed from outside the gateway: its durable store
 * (SQLite, WAL, in the gateway's state directory) holds the signed transaction before it is sent to
 * the orderers, and the test reads it there. Orderers are frozen with SIGSTOP so that the transaction
 * is certainly in flight when the gateway dies.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { peer } from '@hyperledger/fabric-protos';
import { connectAs, type FabricSession } from './support/fabric';
import { allPeersAt, closePeerSessions, committedBlock } from './support/propagation';
import { DEPARTMENTS, gatewaysFile, mspIdOf, REPO_ROOT, STATE_DIR, CHANNEL, type Department, type Role } from './support/network';

const execFileAsync = promisify(execFile);
const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly replayed: boolean;
}

/** A request as a department app sends it, with an Idempotency-Key. */
async function keyed(department: Department, method: string, urlPath: string, body: unknown, key: string, role: Role = 'officer'): Promise<Answer> {
  const entry = gatewaysFile()[department];
  const response = await fetch(`${entry.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${entry.tokens[role]}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    replayed: response.headers.get('idempotency-replayed') === 'true',
  };
}

/**
 * Another department's view of a write: it reads once every peer has the block the write committed in,
 * since its own peer may get that block a moment after the writer's gateway answered.
 */
async function read(department: Department, urlPath: string, after: Record<string, unknown>): Promise<Record<string, unknown>> {
  const block = committedBlock(after);
  if (block === undefined) throw new Error(`the write answered no blockNumber: ${JSON.stringify(after)}`);
  await allPeersAt(block);
  const entry = gatewaysFile()[department];
  const response = await fetch(`${entry.url}${urlPath}`, { headers: { authorization: `Bearer ${entry.tokens.officer}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function script(name: string, args: readonly string[]): Promise<void> {
  await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', name), ...args], { timeout: 120_000 });
}

const pidFile = (node: string): string => path.join(STATE_DIR, 'pids', `${node}.pid`);
const groupOf = (node: string): number => Number(readFileSync(pidFile(node), 'utf8').trim().split(/\s+/)[0]);

/** Every orderer node of this network (from the pid files the operator scripts keep). */
function orderers(): string[] {
  return readdirSync(path.join(STATE_DIR, 'pids'))
    .filter((name) => name.startsWith('orderer') && name.endsWith('.pid'))
    .map((name) => name.slice(0, -'.pid'.length));
}

const frozen = new Set<string>();
function freeze(nodes: readonly string[]): void {
  for (const node of nodes) {
    process.kill(-groupOf(node), 'SIGSTOP');
    frozen.add(node);
  }
}
function thaw(nodes: readonly string[]): void {
  for (const node of nodes) {
    if (!frozen.has(node)) continue;
    if (existsSync(pidFile(node))) process.kill(-groupOf(node), 'SIGCONT');
    frozen.delete(node);
  }
}

/** The signed transactions the department's gateway has journaled for this request's key (read-only, from outside). */
function journaled(department: Department, method: string, urlPath: string, key: string, role: Role = 'officer'): string[] {
  const file = path.join(STATE_DIR, 'orgs', department, 'gateway-state', 'idempotency.sqlite');
  if (!existsSync(file)) return [];
  // The store's key: SHA-256 of [user, method, path, Idempotency-Key] (gateway/src/http/idempotency.ts).
  const storeKey = sha256(JSON.stringify([`${department}-${role}`, method, urlPath, key]));
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare('SELECT tx_id FROM transactions WHERE key = ? ORDER BY step')
      .all(storeKey)
      .map((row) => String(row.tx_id));
  } finally {
    db.close();
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const sessions = new Map<Department, FabricSession>();
function sessionOf(department: Department): FabricSession {
  let session = sessions.get(department);
  if (session === undefined) {
    session = connectAs(department, 'officer', department);
    sessions.set(department, session);
  }
  return session;
}

/** The transaction's validation code on every department's peer (qscc), waiting while a peer catches up. */
async function validationCodes(txId: string): Promise<number[]> {
  return await Promise.all(
    DEPARTMENTS.map((department) =>
      until(`${txId} on peer0.${department}`, 30_000, async () => {
        try {
          const bytes = await sessionOf(department)
            .network.getContract('qscc')
            .newProposal('GetTransactionByID', { arguments: [CHANNEL, txId], endorsingOrganizations: [mspIdOf(department)] })
            .evaluate();
          return peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode();
        } catch {
          return undefined;
        }
      }),
    ),
  );
}

function registration(id: string): Record<string, unknown> {
  return {
    id,
    title: 'Pupils per school',
    description: 'Pupils per school and year group',
    classification: 'INTERNAL',
    fingerprint: sha256(`content of ${id}`),
    fields: [
      { name: 'school', type: 'CODE', sensitivity: 'NONE' },
      { name: 'pupils', type: 'INTEGER', sensitivity: 'NONE' },
    ],
  };
}

async function registered(department: Department, id: string): Promise<Record<string, unknown>> {
  const answer = await keyed(department, 'POST', '/api/v1/datasets', registration(id), randomUUID());
  expect(answer.status).toBe(201);
  return answer.body;
}

const killedGateways = new Set<Department>();
async function killGateway(department: Department): Promise<void> {
  await script('gateways.sh', ['kill', department]);
  killedGateways.add(department);
}
async function startGateway(department: Department): Promise<void> {
  await script('gateways.sh', ['start', department]);
  killedGateways.delete(department);
}

afterAll(async () => {
  thaw([...frozen]);
  for (const department of killedGateways) await startGateway(department);
  for (const node of orderers()) await script('network.sh', ['start', node]);
  for (const session of sessions.values()) session.close();
  closePeerSessions();
});

describe('retries with the same Idempotency-Key produce exactly one transaction', () => {
  test('the gateway is SIGKILLed between submit and answer: the retry after its restart answers that transaction', async () => {
    const id = `retry-killed-gateway-${runId}`;
    await registered('education', id);
    const key = randomUUID();
    const urlPath = `/api/v1/datasets/${id}`;
    const update = { title: 'Pupils per school (revised)' };

    let txId: string;
    let lost: unknown;
    freeze(orderers());
    try {
      const sent = keyed('education', 'PUT', urlPath, update, key).catch((err: unknown) => ({ failed: String(err) }));
      txId = await until('the signed transaction in the gateway store', 20_000, () => journaled('education', 'PUT', urlPath, key)[0]);
      await killGateway('education');
      lost = await sent;
    } finally {
      thaw(orderers());
    }
    // The client got no answer at all: the connection died with the gateway.
    expect(lost).toMatchObject({ failed: expect.stringContaining('fetch failed') as unknown });
    await startGateway('education');

    const retried = await keyed('education', 'PUT', urlPath, update, key);

    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, version: 2, title: update.title, txId });
    expect(await validationCodes(txId)).toEqual(DEPARTMENTS.map(() => 0));
    const again = await keyed('education', 'PUT', urlPath, update, key);
    expect(again).toMatchObject({ status: 200, replayed: true, body: { version: 2, txId } });
    expect(await read('finance', urlPath, retried.body)).toMatchObject({ version: 2, title: update.title });
  });

  test('a 504 while the orderers are frozen, one of them SIGKILLed before it commits: the retry answers the same txId', async () => {
    const id = `retry-killed-orderer-${runId}`;
    await registered('finance', id);
    const key = randomUUID();
    const urlPath = `/api/v1/datasets/${id}`;
    const update = { title: 'Budget lines (revised)' };
    const nodes = orderers();
    const victim = nodes[0] ?? 'orderer1';

    let timedOut: Answer;
    freeze(nodes);
    try {
      timedOut = await keyed('finance', 'PUT', urlPath, update, key);
      await script('network.sh', ['kill', victim]);
      frozen.delete(victim);
    } finally {
      thaw(nodes);
    }
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toMatchObject({ code: 'FABRIC_TIMEOUT' });
    expect(journaled('finance', 'PUT', urlPath, key)).toEqual([timedOut.body.txId]);
    await script('network.sh', ['start', victim]);

    const retried = await until('a committed answer to the retry', 60_000, async () => {
      const answer = await keyed('finance', 'PUT', urlPath, update, key);
      return answer.status === 200 ? answer : undefined;
    });

    expect(retried.body).toMatchObject({ id, version: 2, title: update.title, txId: timedOut.body.txId });
    expect(await validationCodes(String(timedOut.body.txId))).toEqual(DEPARTMENTS.map(() => 0));
    expect(await read('justice', urlPath, retried.body)).toMatchObject({ version: 2 });
  });

  test('a grant request retried after its gateway restarted answers its first result, not 409', async () => {
    const datasetId = `retry-grant-${runId}`;
    await registered('justice', datasetId);
    const request = {
      datasetId,
      purpose: { code: 'POLICY_EVALUATION', text: 'Pupil numbers against district court workload' },
      legalBasis: 'Education Act s.42',
      fields: ['school', 'pupils'],
      notBefore: new Date(Date.now() - 60_000).toISOString(),
      notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    const key = randomUUID();

    const first = await keyed('education', 'POST', '/api/v1/grants', request, key);
    await script('gateways.sh', ['stop', 'education']);
    await startGateway('education');
    const retried = await keyed('education', 'POST', '/api/v1/grants', request, key);

    expect(first.status).toBe(201);
    expect(retried).toMatchObject({ status: 201, replayed: true });
    expect(retried.body).toEqual(first.body);
  });

  test('a data upload retried after its gateway restarted makes no second content version', async () => {
    const id = `retry-upload-${runId}`;
    const before = await registered('justice', id);
    const records = [
      { school: 'S-1', pupils: 310 },
      { school: 'S-2', pupils: 145 },
    ];
    const key = randomUUID();

    const first = await keyed('justice', 'PUT', `/api/v1/datasets/${id}/data`, records, key);
    await script('gateways.sh', ['stop', 'justice']);
    await startGateway('justice');
    const retried = await keyed('justice', 'PUT', `/api/v1/datasets/${id}/data`, records, key);

    expect(first.status).toBe(200);
    expect(first.body.contentVersion).toBe(Number(before.contentVersion) + 1);
    expect(retried).toMatchObject({ status: 200, replayed: true, body: { txId: first.body.txId, contentVersion: first.body.contentVersion } });
    expect(await read('education', `/api/v1/datasets/${id}`, first.body)).toMatchObject({ contentVersion: first.body.contentVersion });
  });
});
