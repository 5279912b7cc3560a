/**
 * govshare benchmarks, measured side by side in one run on the running network (npm start first):
 *   P1 gateway overhead: RegisterDataset submits and ReadDataset evaluates through the REST gateway
 *      (autocannon) vs directly with @hyperledger/fabric-gateway, at equal concurrency; the direct client
 *      signs with the gateway's own signer (OpenSSL), so the gateway's cost is all that differs.
 *   P2 chaincode cost: RegisterDataset vs the single-putState chaincode `benchnoop`, and vs fabric-samples'
 *   asset-transfer-basic CreateAsset (when scripts/bench.sh deployed it), equal concurrency.
 *   P3 latency: p95 submit latency of both at the same fixed arrival rate (open loop).
 * Trials of the compared pair alternate (A B A B …) so that machine noise hits both alike.
 * Where time goes: Prometheus snapshots of every peer, orderer and the education gateway before and
 * after the P1 submit phase give per-stage means (endorse, order, commit, HTTP), and around P2 the
 * mean endorsement-proposal time of each chaincode.
 * Prints a table, writes bench/results/<time>.json and replaces the P1–P3 tables of bench/RESULTS.md.
 * Everything targets 127.0.0.1 and is bounded.
 */
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { connectAs, type FabricSession } from '../../test/integration/support/fabric';
import { gatewaysFile, REPO_ROOT } from '../../test/integration/support/network';
import { closedLoop, openLoop, type Samples } from './load';
import { formatBreakdown, proposalMeans, snapshot, submitBreakdown, type Breakdown } from './metrics';
import { provenance, recordResults, renderSection, table, type Provenance, type SectionKey } from './results';
import { blockCutting } from './settings';
import { pool, summarise, type TrialResult } from './stats';

/** At capacity: 96 in flight is past the knee of the register curve here (at 8, every block is cut by the BatchTimeout). */
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '96');
const seconds = Number(process.env.BENCH_SECONDS ?? '15');
const rounds = Number(process.env.BENCH_ROUNDS ?? '2');
/**
 * P3's fixed arrival rate: half of the register capacity the sweep of this run found (scripts/bench.sh passes its
 * results file as BENCH_SWEEP_RESULTS), unless BENCH_RATE says otherwise; 20/s without either.
 */
function halfRegisterCapacity(): number | undefined {
  const file = process.env.BENCH_SWEEP_RESULTS;
  if (file === undefined || file === '') return undefined;
  const sweep = JSON.parse(readFileSync(file, 'utf8')) as { results?: { family: string; capacity?: number }[] };
  const capacity = sweep.results?.find((r) => r.family === 'register')?.capacity;
  return capacity === undefined ? undefined : Math.max(1, Math.round(capacity / 2));
}
const arrivalRate = Number(process.env.BENCH_RATE ?? halfRegisterCapacity() ?? 20);
/** P1 evaluate at each of these concurrencies in one run, e.g. BENCH_EVALUATE_CONCURRENCY=8,16,32; BENCH_CONCURRENCY alone by default. */
const evaluateConcurrencies = (process.env.BENCH_EVALUATE_CONCURRENCY ?? String(concurrency)).split(',').map((value) => {
  const parsed = Number(value.trim());
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`BENCH_EVALUATE_CONCURRENCY: '${value}' is not a positive integer`);
  return parsed;
});
/** Which comparisons to run, e.g. BENCH_PARTS=p1-evaluate for the P1 read alone; all by default. */
const PARTS = ['p1-submit', 'p1-evaluate', 'p2', 'p3'] as const;
const parts = new Set((process.env.BENCH_PARTS ?? PARTS.join(',')).split(',').map((part) => part.trim()));
for (const part of parts) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown BENCH_PARTS entry '${part}' (known: ${PARTS.join(', ')})`);
}
const runId = Date.now().toString(36);
const WARMUP_SECONDS = 3;
const loadAtStart = os.loadavg().map((load) => Number(load.toFixed(2)));

function registration(id: string): { id: string; title: string; description: string; classification: string; fingerprint: string } {
  return {
    id,
    title: `Benchmark dataset ${id}`,
    description: 'Synthetic catalogue entry written by the benchmark',
    classification: 'INTERNAL',
    fingerprint: createHash('sha256').update(id).digest('hex'),
  };
}

/** The chaincode arguments of RegisterDataset: the same call the gateway makes (one JSON argument). */
function registerArgs(id: string): string[] {
  return [JSON.stringify(registration(id))];
}

async function submitDirect(session: FabricSession, name: string, args: string[]): Promise<void> {
  const commit = await session.contract.submitAsync(name, { arguments: args });
  const status = await commit.getStatus();
  if (!status.successful) throw new Error(`transaction ${status.transactionId} committed as ${String(status.code)}`);
}

/** One closed-loop trial against the REST gateway with autocannon; latencies of 2xx answers only. */
async function httpTrial(request: autocannon.Request, expectedStatus: number, duration = seconds, connections = concurrency): Promise<Samples> {
  const gateway = gatewaysFile().education;
  const samples: Samples = { latenciesMs: [], completedAtMs: [], errors: 0, firstErrors: [], seconds: duration, startedAt: performance.now() };
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: gateway.url,
        connections,
        duration,
        timeout: 60,
        requests: [{ ...request, headers: { ...request.headers, authorization: `Bearer ${gateway.tokens.officer}` } }],
      },
      (error: Error | null) => {
        if (error) reject(error);
        else resolve();
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === expectedStatus) {
        samples.latenciesMs.push(responseTime);
        samples.completedAtMs.push(performance.now() - samples.startedAt);
      } else {
        samples.errors += 1;
        if (samples.firstErrors.length < 3) samples.firstErrors.push(`HTTP ${String(statusCode)}`);
      }
    });
  });
  return samples;
}

/** One side of a comparison: its pooled result and each round's. */
interface Side extends TrialResult {
  readonly rounds: readonly TrialResult[];
}

interface Comparison {
  readonly name: string;
  readonly a: Side;
  readonly b: Side;
  /** The pooled ratio (all rounds' samples of each side). */
  readonly ratio: number;
  /** The ratio in each round (A and B of the same round ran back to back), and the worst of them. */
  readonly roundRatios: readonly number[];
  readonly worstRoundRatio: number;
  readonly ratioOf: string;
  readonly goal: string;
  readonly met: boolean;
}

/** Runs A and B alternately for `rounds` rounds each and pools each side's samples. */
async function alternate(
  labels: [string, string],
  trials: [() => Promise<Samples>, () => Promise<Samples>],
): Promise<[Side, Side]> {
  const pooled: [number[], number[]] = [[], []];
  const results: [TrialResult[], TrialResult[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    for (const side of [0, 1] as const) {
      const samples = await trials[side]();
      if (samples.firstErrors.length > 0) console.error(`  ${labels[side]}: ${String(samples.errors)} errors, e.g. ${samples.firstErrors.join(' | ')}`);
      const result = summarise(labels[side], samples.latenciesMs, samples.errors, samples.seconds);
      console.error(
        `  round ${String(round + 1)} ${labels[side]}: ${result.throughput.toFixed(1)}/s p95 ${result.p95.toFixed(0)} ms (load ${os.loadavg()[0]?.toFixed(2) ?? '?'})`,
      );
      results[side].push(result);
      pooled[side].push(...samples.latenciesMs);
    }
  }
  return [
    { ...pool(labels[0], results[0], pooled[0]), rounds: results[0] },
    { ...pool(labels[1], results[1], pooled[1]), rounds: results[1] },
  ];
}

async function main(): Promise<void> {
  const session = connectAs('education', 'officer');
  const comparisons: Comparison[] = [];
  let breakdown: Breakdown | undefined;
  let proposals: Record<string, number> | undefined;
  try {
    let sequence = 0;
    const nextId = (prefix: string): string => {
      sequence += 1;
      return `${prefix}-${runId}-${String(sequence)}`;
    };
    const readId = nextId('bench-read');
    await submitDirect(session, 'RegisterDataset', registerArgs(readId));

    if (parts.has('p1-submit')) {
      console.error(`P1 submit: REST gateway vs direct, ${String(concurrency)} concurrent, ${String(seconds)} s x ${String(rounds)}`);
      const beforeP1 = await snapshot();
      const [httpSubmit, directSubmit] = await alternate(
        ['gateway RegisterDataset', 'direct RegisterDataset'],
        [
          () =>
            httpTrial(
              {
                method: 'POST',
                path: '/api/v1/datasets',
                headers: { 'content-type': 'application/json' },
                setupRequest: (request) => ({ ...request, body: JSON.stringify(registration(nextId('bench-http'))) }),
              },
              201,
            ),
          () => closedLoop(concurrency, seconds, () => submitDirect(session, 'RegisterDataset', registerArgs(nextId('bench-direct')))),
        ],
      );
      breakdown = submitBreakdown(beforeP1, await snapshot(), 'govshare', 'RegisterDataset');
      comparisons.push(compare('P1 gateway overhead, submit (throughput)', httpSubmit, directSubmit, 'throughput', '>= 0.95x', 0.95));
    }

    if (parts.has('p1-evaluate')) {
      const read = { method: 'GET', path: `/api/v1/datasets/${readId}` } as const;
      const evaluateDirect = (): Promise<Uint8Array> => session.contract.evaluateTransaction('ReadDataset', readId);
      for (const clients of evaluateConcurrencies) {
        console.error(`P1 evaluate: REST gateway vs direct, ${String(clients)} concurrent, ${String(seconds)} s x ${String(rounds)}`);
        // Unmeasured warm-up of both sides (JIT, connections): a gateway just restarted would lose its first trial.
        await httpTrial(read, 200, WARMUP_SECONDS, clients);
        await closedLoop(clients, WARMUP_SECONDS, evaluateDirect);
        const [httpRead, directRead] = await alternate(
          ['gateway ReadDataset', 'direct ReadDataset'],
          [() => httpTrial(read, 200, seconds, clients), () => closedLoop(clients, seconds, evaluateDirect)],
        );
        // The name of the comparison at BENCH_CONCURRENCY stays as it was, so that results files compare across runs.
        const name = clients === concurrency ? 'P1 gateway overhead, evaluate (throughput)' : `P1 gateway overhead, evaluate at ${String(clients)} concurrent (throughput)`;
        comparisons.push(compare(name, httpRead, directRead, 'throughput', '>= 0.90x', 0.9));
      }
    }

    const noop = session.network.getContract('benchnoop');
    const putNoop = async (key: string): Promise<void> => {
      const commit = await noop.submitAsync('Put', { arguments: [key, JSON.stringify(registration(key))] });
      const status = await commit.getStatus();
      if (!status.successful) throw new Error(`noop ${status.transactionId} committed as ${String(status.code)}`);
    };
    if (parts.has('p2')) {
      console.error('P2: RegisterDataset vs single-putState chaincode, closed loop');
      const beforeP2 = await snapshot();
      const [govClosed, noopClosed] = await alternate(
        ['govshare RegisterDataset', 'benchnoop Put'],
        [
          () => closedLoop(concurrency, seconds, () => submitDirect(session, 'RegisterDataset', registerArgs(nextId('bench-p2')))),
          () => closedLoop(concurrency, seconds, () => putNoop(nextId('noop-p2'))),
        ],
      );
      proposals = proposalMeans(beforeP2, await snapshot(), ['govshare', 'benchnoop']);
      comparisons.push(compare('P2 chaincode cost (throughput)', govClosed, noopClosed, 'throughput', '>= 0.90x', 0.9));
      // The chaincode a user would otherwise start from: fabric-samples' asset-transfer-basic (scripts/bench.sh
      // deploys it when its sources are at hand), CreateAsset: an existence read and one putState.
      const basicName = process.env.BENCH_ASSET_TRANSFER_BASIC_DEPLOYED;
      if (basicName === undefined || basicName === '') {
        console.error('P2: asset-transfer-basic was not deployed (scripts/bench.sh says why): that baseline is left out');
      } else {
        const basic = session.network.getContract(basicName);
        const createAsset = async (id: string): Promise<void> => {
          const commit = await basic.submitAsync('CreateAsset', { arguments: [id, 'blue', '5', 'Education', '300'] });
          const status = await commit.getStatus();
          if (!status.successful) throw new Error(`CreateAsset ${status.transactionId} committed as ${String(status.code)}`);
        };
        console.error('P2: RegisterDataset vs asset-transfer-basic CreateAsset, closed loop');
        const [govAgain, basicClosed] = await alternate(
          ['govshare RegisterDataset', 'asset-transfer-basic CreateAsset'],
          [
            () => closedLoop(concurrency, seconds, () => submitDirect(session, 'RegisterDataset', registerArgs(nextId('bench-p2b')))),
            () => closedLoop(concurrency, seconds, () => createAsset(nextId('asset-p2'))),
          ],
        );
        comparisons.push(compare('P2 vs asset-transfer-basic CreateAsset (throughput)', govAgain, basicClosed, 'throughput', '>= 1.0x', 1.0));
      }
    }

    if (parts.has('p3')) {
      console.error(`P3: open loop at ${String(arrivalRate)}/s`);
      const [govOpen, noopOpen] = await alternate(
        ['govshare RegisterDataset', 'benchnoop Put'],
        [
          () => openLoop(arrivalRate, seconds, () => submitDirect(session, 'RegisterDataset', registerArgs(nextId('bench-p3')))),
          () => openLoop(arrivalRate, seconds, () => putNoop(nextId('noop-p3'))),
        ],
      );
      comparisons.push(compare('P3 submit latency at fixed rate (p95)', govOpen, noopOpen, 'p95', '<= 1.3x', 1.3));
    }
  } finally {
    session.close();
  }
  report(comparisons, breakdown, proposals);
}

/**
 * The goal is judged on the worst round, not on the pooled ratio: a pooled mean can hide one round that
 * misses it (the machine is shared, and a bad round is a result too). The spread is reported beside it.
 */
function compare(name: string, a: Side, b: Side, metric: 'throughput' | 'p95', goal: string, bound: number): Comparison {
  const ratio = a[metric] / b[metric];
  const roundRatios = a.rounds.map((round, index) => round[metric] / (b.rounds[index]?.[metric] ?? Number.NaN));
  const meets = (value: number): boolean => (metric === 'throughput' ? value >= bound : value <= bound);
  const worstRoundRatio = roundRatios.length === 0 ? Number.NaN : metric === 'throughput' ? Math.min(...roundRatios) : Math.max(...roundRatios);
  return { name, a, b, ratio, roundRatios, worstRoundRatio, ratioOf: metric, goal, met: meets(worstRoundRatio) };
}

function report(comparisons: readonly Comparison[], breakdown: Breakdown | undefined, proposals: Record<string, number> | undefined): void {
  const settings = { concurrency, evaluateConcurrencies, seconds, rounds, arrivalRate, parts: [...parts], ...blockCutting() };
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    // Other engineers' networks share the cores: the load at the start and at the end of the run.
    loadAverage: { start: loadAtStart, end: os.loadavg().map((load) => Number(load.toFixed(2))) },
  };
  const row = (result: TrialResult): string =>
    `${result.label.padEnd(26)} ${result.throughput.toFixed(1).padStart(7)}/s  p50 ${result.p50.toFixed(0).padStart(5)}  p95 ${result.p95.toFixed(0).padStart(5)}  p99 ${result.p99.toFixed(0).padStart(5)} ms  (${String(result.completed)} ok, ${String(result.errors)} errors)`;
  console.log(`settings: ${JSON.stringify(settings)}`);
  console.log(`machine:  ${JSON.stringify(machine)}`);
  for (const comparison of comparisons) {
    const spread = comparison.roundRatios.map((value) => `${value.toFixed(2)}x`).join(', ');
    console.log(
      `\n${comparison.name}: worst round ${comparison.worstRoundRatio.toFixed(2)}x (rounds ${spread}; pooled ${comparison.ratio.toFixed(2)}x), goal ${comparison.goal} in every round: ${comparison.met ? 'MET' : 'NOT MET'}`,
    );
    console.log(`  ${row(comparison.a)}`);
    console.log(`  ${row(comparison.b)}`);
  }
  if (breakdown !== undefined) {
    console.log('\nWhere time goes, P1 submit phase (REST + direct RegisterDataset), mean per stage:');
    for (const line of formatBreakdown(breakdown)) console.log(line);
  }
  if (proposals !== undefined) {
    const cells = Object.entries(proposals).map(([chaincode, ms]) => `${chaincode} ${ms.toFixed(1)} ms`);
    console.log(`\nP2 endorsement proposal (chaincode execution on one peer), mean: ${cells.join(', ')}`);
  }
  const directory = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ settings, machine, comparisons, whereTimeGoes: { p1Submit: breakdown, p2ProposalMs: proposals } }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(REPO_ROOT, file)}`);
  const written = recordResults(resultSections(comparisons, breakdown, proposals, settings, provenance('npm run bench', file, machine.loadAverage.end)));
  console.log(`current tables: ${path.relative(REPO_ROOT, written)}`);
}

/** RESULTS.md sections p1, p2, p3: one row per comparison measured in this run, the goal judged on the worst round. */
function resultSections(
  comparisons: readonly Comparison[],
  breakdown: Breakdown | undefined,
  proposals: Record<string, number> | undefined,
  settings: Readonly<Record<string, unknown>>,
  origin: Provenance,
): Map<SectionKey, string> {
  const side = (result: TrialResult): string =>
    `${result.label}: ${result.throughput.toFixed(1)}/s, p50 ${result.p50.toFixed(0)} / p95 ${result.p95.toFixed(0)} ms, ${String(result.errors)} errors`;
  const sections = new Map<SectionKey, string>();
  for (const key of ['p1', 'p2', 'p3'] as const) {
    const mine = comparisons.filter((c) => c.name.toLowerCase().startsWith(key));
    if (mine.length === 0) continue;
    const rows = mine.map((c) => [
      c.name,
      side(c.a),
      side(c.b),
      `**${c.worstRoundRatio.toFixed(2)}×** (rounds ${c.roundRatios.map((r) => `${r.toFixed(2)}×`).join(', ')})`,
      `${c.ratio.toFixed(2)}×`,
      c.goal.replace('>=', '≥').replace('<=', '≤'),
      c.met ? 'met' : `**not met**`,
    ]);
    const body = [`Settings: \`${JSON.stringify(settings)}\``, '', ...table(['comparison', 'A', 'B', 'worst round (each round)', 'pooled', 'goal, every round', ''], rows)];
    if (key === 'p1' && breakdown !== undefined) body.push('', 'Where time goes, P1 submit phase (mean per stage):', '', '```', ...formatBreakdown(breakdown), '```');
    if (key === 'p2' && proposals !== undefined) {
      body.push('', `Endorsement proposal (chaincode execution on one peer), mean: ${Object.entries(proposals).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(', ')}.`);
    }
    sections.set(key, renderSection(key, origin, body));
  }
  return sections;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
