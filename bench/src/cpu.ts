/**
 * CPU per request of P1's evaluate (ReadDataset), per process: robust on a shared, noisy machine where
 * throughput moves by tens of percent from minute to minute, because CPU time spent per request does not
 * depend (much) on how many other processes compete for the cores.
 *
 * Runs alternately (A B A B …) the two P1 evaluate loads — GET /api/v1/datasets/{id} through the education
 * gateway with autocannon, and ReadDataset directly with @hyperledger/fabric-gateway — at the same
 * concurrency, and reads utime+stime from /proc of: this bench process (autocannon or the direct client),
 * the education gateway, peer0.education and each chaincode process it launched. Prints CPU ms per request
 * per process, and the machine's total busy CPU per request (other engineers' networks included).
 *
 *   npm run bench -- cpu   (BENCH_CONCURRENCY 8, BENCH_SECONDS 15, BENCH_ROUNDS 2; BENCH_CPU_SIDES=http or direct:
 *   one side only). 3 s of unmeasured warm-up per side first.
 */
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectAs } from '../../test/integration/support/fabric';
import { gatewaysFile, STATE_DIR } from '../../test/integration/support/network';
import { closedLoop } from './load';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '8');
const seconds = Number(process.env.BENCH_SECONDS ?? '15');
const rounds = Number(process.env.BENCH_ROUNDS ?? '2');
/** `http` or `direct` measures one side only (e.g. to compare gateway builds); both by default. */
const sides = (process.env.BENCH_CPU_SIDES ?? 'http,direct').split(',');
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux
const WARMUP_SECONDS = 3;

interface Proc {
  readonly pid: number;
  readonly label: string;
}

function ticksOf(pid: number): number {
  // Fields after the ")" of comm: state is field 3; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return cpu.reduce((a, b) => a + b, 0) - idle;
}

function pidOf(daemon: string): number {
  return Number(readFileSync(path.join(STATE_DIR, 'pids', `${daemon}.pid`), 'utf8').split(' ')[0]);
}

/** The daemon's process group: the leader and what it spawned (a peer's chaincode processes). */
function groupOf(daemon: string): Proc[] {
  const pgid = pidOf(daemon);
  const out = execFileSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [pid = '0', ...args] = line.split(/\s+/);
      const command = args.join(' ');
      const ccid = /--chaincode-id-name\s+(\S+)|CORE_CHAINCODE_ID_NAME=(\S+)/.exec(command);
      let label = daemon;
      if (Number(pid) !== pgid) label = `${daemon} child: ${ccid?.[1] ?? ccid?.[2] ?? command.slice(0, 60)}`;
      return { pid: Number(pid), label };
    });
}

function chaincodeName(pid: number): string | undefined {
  try {
    const env = readFileSync(`/proc/${String(pid)}/environ`, 'utf8').split('\0');
    const id = env.find((entry) => entry.startsWith('CORE_CHAINCODE_ID_NAME='));
    return id?.split('=')[1]?.split(':')[0];
  } catch {
    return undefined;
  }
}

async function httpLoad(url: string, token: string, readId: string, duration = seconds): Promise<number> {
  let ok = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: concurrency,
        duration,
        requests: [{ method: 'GET', path: `/api/v1/datasets/${readId}`, headers: { authorization: `Bearer ${token}` } }],
      },
      (error: Error | null) => {
        if (error) reject(error);
        else resolve();
      },
    );
    instance.on('response', (_client: unknown, statusCode: number) => {
      if (statusCode === 200) ok += 1;
    });
  });
  return ok;
}

async function main(): Promise<void> {
  const session = connectAs('education', 'officer');
  const gateway = gatewaysFile().education;
  const readId = `bench-cpu-${Date.now().toString(36)}`;
  const commit = await session.contract.submitAsync('RegisterDataset', {
    arguments: [
      JSON.stringify({
        id: readId,
        title: `Benchmark dataset ${readId}`,
        description: 'Synthetic catalogue entry written by the benchmark',
        classification: 'INTERNAL',
        fingerprint: createHash('sha256').update(readId).digest('hex'),
      }),
    ],
  });
  await commit.getStatus();

  const procs = [...groupOf('gateway.education'), ...groupOf('peer0.education')].map((proc) => {
    const name = chaincodeName(proc.pid);
    return name === undefined ? proc : { ...proc, label: `chaincode ${name} (peer0.education)` };
  });
  const labels = ['bench process (load generator)', ...procs.map((proc) => proc.label), 'whole machine (busy)'];
  const totals: Record<string, { requests: number; seconds: number; ms: number[] }> = {};

  const measure = async (side: string, run: () => Promise<number>): Promise<void> => {
    const before = procs.map((proc) => ticksOf(proc.pid));
    const selfBefore = process.cpuUsage();
    const machineBefore = machineBusyTicks();
    const started = performance.now();
    const requests = await run();
    const elapsed = (performance.now() - started) / 1000;
    const self = process.cpuUsage(selfBefore);
    const ms = [
      (self.user + self.system) / 1000,
      ...procs.map((proc, i) => (ticksOf(proc.pid) - (before[i] ?? 0)) * CLOCK_TICK_MS),
      (machineBusyTicks() - machineBefore) * CLOCK_TICK_MS,
    ];
    const total = (totals[side] ??= { requests: 0, seconds: 0, ms: labels.map(() => 0) });
    total.requests += requests;
    total.seconds += elapsed;
    ms.forEach((value, i) => (total.ms[i] = (total.ms[i] ?? 0) + value));
    console.error(`  ${side}: ${String(requests)} requests, ${(requests / elapsed).toFixed(0)}/s, load ${os.loadavg()[0]?.toFixed(2) ?? '?'}`);
  };

  try {
    console.error(`P1 evaluate CPU: ${String(concurrency)} concurrent, ${String(seconds)} s x ${String(rounds)}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    // Unmeasured warm-up: JIT compilation and connection set-up would otherwise count against the first trial.
    if (sides.includes('http')) await httpLoad(gateway.url, gateway.tokens.officer, readId, WARMUP_SECONDS);
    if (sides.includes('direct')) await closedLoop(concurrency, WARMUP_SECONDS, () => session.contract.evaluateTransaction('ReadDataset', readId));
    for (let round = 0; round < rounds; round += 1) {
      if (sides.includes('http')) await measure('http', () => httpLoad(gateway.url, gateway.tokens.officer, readId));
      if (sides.includes('direct')) await measure('direct', async () => {
        const samples = await closedLoop(concurrency, seconds, () => session.contract.evaluateTransaction('ReadDataset', readId));
        return samples.latenciesMs.length;
      });
    }
  } finally {
    session.close();
  }

  const none = { requests: NaN, seconds: NaN, ms: [] };
  const http = totals.http ?? none;
  const direct = totals.direct ?? none;
  console.log(`\nCPU ms per request (${String(rounds)} trials each, ${String(concurrency)} concurrent)`);
  console.log(`${'process'.padEnd(58)} ${'HTTP'.padStart(8)} ${'direct'.padStart(8)}`);
  labels.forEach((label, i) => {
    const h = (http.ms[i] ?? NaN) / http.requests;
    const d = (direct.ms[i] ?? NaN) / direct.requests;
    if (!(h >= 0.005) && !(d >= 0.005)) return;
    console.log(`${label.padEnd(58)} ${h.toFixed(3).padStart(8)} ${d.toFixed(3).padStart(8)}`);
  });
  const ratio = http.requests / http.seconds / (direct.requests / direct.seconds);
  console.log(
    `throughput: HTTP ${(http.requests / http.seconds).toFixed(0)}/s, direct ${(direct.requests / direct.seconds).toFixed(0)}/s, ratio ${ratio.toFixed(2)}x; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
