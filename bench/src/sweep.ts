/**
 * Capacity by open-loop sweep (`npm run bench -- sweep`): for each endpoint family, through the REST
 * gateways, a rising offered rate until the family breaks. A step is sustained when the achieved rate is
 * at least 98 % of the offered one, p95 is under the family's bound and no request failed; a family's
 * capacity is its highest sustained step. Latency counts from each request's scheduled send (load.ts), so
 * a lagging generator shows as latency, not as a lower offered rate. Prints each family's curve (offered →
 * achieved, p50, p95, errors) and writes bench/results/sweep-<time>.json.
 *
 * Families: register (POST /datasets), update (PUT /datasets/{id}, over a pool of datasets so that no two
 * updates of one key share a block), grant request + approve (two submits, requester then owner), data
 * fetch (GET /datasets/{id}/data by a granted requester: the owner's exchange path), read, list, audit
 * query (a one-hour window, Audit auditor) and certificate verify.
 * Settings: BENCH_SWEEP_RATES (5,10,20,40,60,80,100,140 per s), BENCH_SWEEP_SECONDS (8 per step),
 * BENCH_SWEEP_FAMILIES (all), BENCH_SWEEP_SUBMIT_P95_MS (2000), BENCH_SWEEP_READ_P95_MS (500).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatewaysFile, REPO_ROOT, type Department, type Role } from '../../test/integration/support/network';
import { openLoop } from './load';
import { gitCommit, provenance, recordResults, renderSection, table, type Provenance } from './results';
import { blockCutting } from './settings';
import { summarise, type TrialResult } from './stats';

const numbers = (text: string): number[] =>
  text
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isFinite(value) && value > 0);
const rates = numbers(process.env.BENCH_SWEEP_RATES ?? '5,10,20,40,60,80,100,140').sort((a, b) => a - b);
const stepSeconds = Number(process.env.BENCH_SWEEP_SECONDS ?? '8');
const submitBoundMs = Number(process.env.BENCH_SWEEP_SUBMIT_P95_MS ?? '2000');
const readBoundMs = Number(process.env.BENCH_SWEEP_READ_P95_MS ?? '500');
const runId = Date.now().toString(36);
const ACHIEVED_FRACTION = 0.98;

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

class HttpError extends Error {}

/** One REST call with a role's bearer token; throws unless the answer has the expected status. */
async function call(department: Department, role: Role, method: string, route: string, expected: number, body?: unknown): Promise<unknown> {
  const gateway = gatewaysFile()[department];
  const response = await fetch(`${gateway.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${gateway.tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== expected) throw new HttpError(`${method} ${route}: HTTP ${String(response.status)} ${text.slice(0, 160)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

const FIELDS = [
  { name: 'region', type: 'CODE', sensitivity: 'NONE' },
  { name: 'amount', type: 'INTEGER', sensitivity: 'NONE' },
];

function registration(id: string): Record<string, unknown> {
  return {
    id,
    title: `Sweep dataset ${id}`,
    description: 'Synthetic catalogue entry written by the capacity sweep',
    classification: 'INTERNAL',
    fingerprint: sha(id),
    themes: ['sweep'],
    fields: FIELDS,
  };
}

let sequence = 0;
const nextId = (prefix: string): string => {
  sequence += 1;
  return `${prefix}-${runId}-${String(sequence)}`;
};

function grantRequest(datasetId: string): Record<string, unknown> {
  return {
    datasetId,
    purpose: { code: 'OFFICIAL_STATISTICS', text: 'Capacity benchmark' },
    legalBasis: 'Benchmark s.1',
    fields: ['region'],
    notBefore: new Date(Date.now() - 60_000).toISOString(),
    notAfter: new Date(Date.now() + 86_400_000).toISOString(),
  };
}

interface Family {
  readonly name: string;
  readonly kind: 'submit' | 'read';
  /** What the family needs before its first step (datasets, a grant, …). */
  readonly prepare?: () => Promise<void>;
  /** What one step at `offered` per second needs, made before the step and not timed. */
  readonly beforeStep?: (offered: number) => Promise<void>;
  readonly request: (sequence: number) => Promise<unknown>;
}

/** Datasets owned by Education with data, and a grant on one to Finance: the fixtures of the read families. */
const fixture = { datasetId: '', certificate: '', pool: [] as string[], fresh: [] as string[] };

async function prepareFixture(): Promise<void> {
  if (fixture.datasetId !== '') return;
  fixture.datasetId = nextId('sweep-read');
  await call('education', 'officer', 'POST', '/datasets', 201, registration(fixture.datasetId));
  await call('education', 'officer', 'PUT', `/datasets/${fixture.datasetId}/data`, 200, [{ region: 'N', amount: 1 }, { region: 'S', amount: 2 }]);
  const grant = (await call('finance', 'officer', 'POST', '/grants', 201, grantRequest(fixture.datasetId))) as { id: string };
  await call('education', 'approver', 'POST', `/grants/${grant.id}/approve`, 200, {});
  fixture.certificate = sha(nextId('sweep-doc'));
  await call('justice', 'officer', 'POST', '/certificates', 201, {
    type: 'NO_CRIMINAL_RECORD',
    documentSha256: fixture.certificate,
    subjectPseudonym: sha(nextId('sweep-subject')),
    notAfter: '2099-01-01T00:00:00Z',
  });
}

/** Registers `count` new Education datasets, 16 at a time (untimed set-up). */
async function registerMany(prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => nextId(prefix));
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(ids.slice(i, i + 16).map((id) => call('education', 'officer', 'POST', '/datasets', 201, registration(id))));
  }
  return ids;
}

const FAMILIES: readonly Family[] = [
  { name: 'register', kind: 'submit', request: () => call('education', 'officer', 'POST', '/datasets', 201, registration(nextId('sweep-reg'))) },
  {
    name: 'update',
    kind: 'submit',
    // Each dataset is updated at most once every pool/rate seconds: no two updates of one key in a block.
    prepare: async () => {
      const wanted = Math.max(...rates) * 4;
      if (fixture.pool.length < wanted) fixture.pool.push(...(await registerMany('sweep-upd', wanted - fixture.pool.length)));
    },
    request: (n) => call('education', 'officer', 'PUT', `/datasets/${fixture.pool[n % fixture.pool.length] ?? ''}`, 200, { description: `revision ${String(n)} of ${runId}` }),
  },
  {
    name: 'grant request + approve',
    kind: 'submit',
    // A department holds one pending or live grant per dataset (409 GRANT_CONFLICT otherwise): each
    // operation takes a dataset of its own, registered before its step.
    beforeStep: async (offered) => {
      const wanted = Math.ceil(offered * stepSeconds);
      if (fixture.fresh.length < wanted) fixture.fresh.push(...(await registerMany('sweep-grant', wanted - fixture.fresh.length)));
    },
    request: async () => {
      const datasetId = fixture.fresh.shift();
      if (datasetId === undefined) throw new Error('no fresh dataset left for a grant request');
      const grant = (await call('finance', 'officer', 'POST', '/grants', 201, grantRequest(datasetId))) as { id: string };
      // The request is committed on Finance's peer when its 201 comes; Education's peer may commit that
      // block a moment later, and until then its owner answers 404 GRANT_NOT_FOUND. An approver app
      // retries that (here for up to 2 s, inside the operation's timed latency).
      const deadline = Date.now() + 2000;
      for (;;) {
        try {
          return await call('education', 'approver', 'POST', `/grants/${grant.id}/approve`, 200, {});
        } catch (error) {
          if (!(error instanceof HttpError && error.message.includes('GRANT_NOT_FOUND')) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
  },
  // A delivery is recorded on the ledger (committed) before the data leaves: a submit's latency bound.
  { name: 'data fetch (owner exchange)', kind: 'submit', prepare: prepareFixture, request: () => call('finance', 'officer', 'GET', `/datasets/${fixture.datasetId}/data`, 200) },
  { name: 'read', kind: 'read', prepare: prepareFixture, request: () => call('education', 'officer', 'GET', `/datasets/${fixture.datasetId}`, 200) },
  { name: 'list', kind: 'read', request: () => call('education', 'officer', 'GET', '/datasets?limit=20', 200) },
  {
    name: 'audit query (1 h window)',
    kind: 'read',
    request: () => {
      const to = new Date();
      const from = new Date(to.getTime() - 3_600_000);
      return call('audit', 'auditor', 'GET', `/audit?from=${from.toISOString()}&to=${to.toISOString()}&limit=50`, 200);
    },
  },
  { name: 'certificate verify', kind: 'read', prepare: prepareFixture, request: () => call('finance', 'officer', 'GET', `/certificates/${fixture.certificate}`, 200) },
];

interface Step extends TrialResult {
  readonly offered: number;
  readonly achieved: number;
  readonly sustained: boolean;
  readonly firstErrors: readonly string[];
}

interface FamilyResult {
  readonly family: string;
  readonly boundMs: number;
  readonly capacity: number | undefined;
  readonly brokeAt: { offered: number; why: string } | undefined;
  readonly steps: readonly Step[];
}

async function sweep(family: Family): Promise<FamilyResult> {
  const boundMs = family.kind === 'submit' ? submitBoundMs : readBoundMs;
  await family.prepare?.();
  const steps: Step[] = [];
  let capacity: number | undefined;
  let brokeAt: FamilyResult['brokeAt'];
  for (const offered of rates) {
    await family.beforeStep?.(offered);
    const samples = await openLoop(offered, stepSeconds, family.request);
    const result = summarise(`${family.name} at ${String(offered)}/s`, samples.latenciesMs, samples.errors, samples.seconds);
    // Achieved: the successes that completed by the step's end plus the latency bound (each one was sent
    // by the step's end; one still queued after that is a backlog, not throughput), over the step.
    const achieved = samples.completedAtMs.filter((at) => at <= stepSeconds * 1000 + boundMs).length / stepSeconds;
    const why = [
      achieved < ACHIEVED_FRACTION * offered ? `achieved ${achieved.toFixed(1)}/s < 98 %` : '',
      result.p95 > boundMs ? `p95 ${result.p95.toFixed(0)} ms > ${String(boundMs)} ms` : '',
      samples.errors > 0 ? `${String(samples.errors)} errors` : '',
    ].filter((reason) => reason !== '');
    const step: Step = { ...result, offered, achieved, sustained: why.length === 0, firstErrors: samples.firstErrors };
    steps.push(step);
    console.error(
      `  ${family.name.padEnd(28)} offered ${String(offered).padStart(4)}/s  achieved ${achieved.toFixed(1).padStart(6)}/s  p50 ${result.p50.toFixed(0).padStart(5)}  p95 ${result.p95.toFixed(0).padStart(5)} ms  errors ${String(samples.errors).padStart(3)}` +
        (why.length === 0 ? '' : `  BREAKS: ${why.join(', ')}${samples.firstErrors[0] === undefined ? '' : ` (${samples.firstErrors[0]})`}`),
    );
    if (why.length > 0) {
      brokeAt = { offered, why: why.join(', ') };
      break;
    }
    capacity = offered;
  }
  return { family: family.name, boundMs, capacity, brokeAt, steps };
}

/** RESULTS.md's capacity section: each family's capacity, then its whole curve. */
function capacitySection(results: readonly FamilyResult[], settings: Readonly<Record<string, unknown>>, origin: Provenance): string {
  const summary = table(
    ['family', 'capacity', 'p95 bound', 'breaks'],
    results.map((r) => [
      r.family,
      r.capacity === undefined ? `below ${String(rates[0] ?? 0)}/s` : `**${String(r.capacity)}/s**`,
      `${String(r.boundMs)} ms`,
      r.brokeAt === undefined ? `not up to ${String(rates.at(-1) ?? 0)}/s` : `at ${String(r.brokeAt.offered)}/s: ${r.brokeAt.why}`,
    ]),
  );
  const curve = table(
    ['family', 'offered /s', 'achieved /s', 'p50 ms', 'p95 ms', 'errors'],
    results.flatMap((r) => r.steps.map((step) => [r.family, String(step.offered), step.achieved.toFixed(1), step.p50.toFixed(0), step.p95.toFixed(0), String(step.errors)])),
  );
  const body = [
    `Settings: \`${JSON.stringify(settings)}\`. Capacity: the highest offered rate with ≥ 98 % achieved, p95 under the bound and 0 errors; latency from each request's scheduled send.`,
    '',
    ...summary,
    '',
    'The curves:',
    '',
    ...curve,
  ];
  return renderSection('capacity', origin, body);
}

async function main(): Promise<void> {
  const selected = (process.env.BENCH_SWEEP_FAMILIES ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const families = selected.length === 0 ? FAMILIES : FAMILIES.filter((family) => selected.some((name) => family.name.startsWith(name)));
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  console.error(`capacity sweep: rates ${rates.join(', ')}/s, ${String(stepSeconds)} s per step, load average ${loadAtStart.toFixed(1)}`);
  const results: FamilyResult[] = [];
  for (const family of families) results.push(await sweep(family));

  const settings = { rates, stepSeconds, submitBoundMs, readBoundMs, achievedFraction: ACHIEVED_FRACTION, ...blockCutting() };
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: { start: loadAtStart, end: os.loadavg()[0] ?? Number.NaN } };
  console.log(`settings: ${JSON.stringify(settings)}`);
  console.log(`machine:  ${JSON.stringify(machine)}`);
  console.log('\nCapacity (highest offered rate sustained: >= 98 % achieved, p95 under the bound, 0 errors):');
  for (const result of results) {
    const capacity = result.capacity === undefined ? `below ${String(rates[0] ?? 0)}/s` : `${String(result.capacity)}/s`;
    const broke = result.brokeAt === undefined ? `not broken up to ${String(rates.at(-1) ?? 0)}/s` : `breaks at ${String(result.brokeAt.offered)}/s: ${result.brokeAt.why}`;
    console.log(`  ${result.family.padEnd(28)} ${capacity.padStart(12)}   (p95 bound ${String(result.boundMs)} ms; ${broke})`);
  }
  const directory = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ commit: gitCommit(), settings, machine, results }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(REPO_ROOT, file)}`);
  // A partial sweep (BENCH_SWEEP_FAMILIES) is not the current table of every family: it leaves RESULTS.md alone.
  if (families.length === FAMILIES.length) {
    const written = recordResults(new Map([['capacity', capacitySection(results, settings, provenance('npm run bench', file, [loadAtStart, machine.loadAverage.end]))]]));
    console.log(`current tables: ${path.relative(REPO_ROOT, written)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
