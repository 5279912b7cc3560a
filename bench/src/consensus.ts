/**
 * The cost of BFT ordering, measured side by side (issue #17): the same workload against two networks
 * on this machine, one SmartBFT (4 consenters, one per department) and one Raft (3 etcdraft orderers),
 * with the same block cutting. scripts/bench-consensus.sh starts the second network, runs
 *   node consensus.js trial <out.json>   once per network and round, alternating (BFT, Raft, BFT, Raft …),
 *                                        each against the network named by GOVSHARE_PORT_BASE/GOVSHARE_STATE,
 *   node consensus.js report <files…>    which pools the rounds of each mode and prints the comparison.
 * A trial: RegisterDataset submitted directly with @hyperledger/fabric-gateway (endorse, order, commit)
 *   - at capacity: BENCH_CONSENSUS_CONCURRENCY (16) closed-loop clients for BENCH_SECONDS (15 s): throughput;
 *   - at a fixed rate: BENCH_RATE (10/s) open loop for BENCH_SECONDS: p95 latency.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectAs } from '../../test/integration/support/fabric';
import { consensusMode, consenterDepartments, REPO_ROOT } from '../../test/integration/support/network';
import { closedLoop, openLoop, type Samples } from './load';
import { blockCutting } from './settings';
import { summarise, type TrialResult } from './stats';

const concurrency = Number(process.env.BENCH_CONSENSUS_CONCURRENCY ?? '16');
const seconds = Number(process.env.BENCH_SECONDS ?? '15');
const rate = Number(process.env.BENCH_RATE ?? '10');
const WARMUP_SECONDS = 3;

interface Trial {
  readonly mode: 'bft' | 'raft';
  readonly round: number;
  /** Consenters (BFT) or orderers (Raft) of the network measured. */
  readonly orderers: number;
  readonly blockCutting: { batchTimeout: string; maxMessageCount: string };
  readonly capacity: { latenciesMs: number[]; errors: number; firstErrors: string[]; seconds: number };
  readonly fixedRate: { latenciesMs: number[]; errors: number; firstErrors: string[]; seconds: number };
  readonly loadAverage: number[];
}

function registerArgs(id: string): string[] {
  return [
    JSON.stringify({
      id,
      title: `Consensus benchmark ${id}`,
      description: 'Synthetic catalogue entry written by the consensus benchmark',
      classification: 'INTERNAL',
      fingerprint: createHash('sha256').update(id).digest('hex'),
    }),
  ];
}

async function trial(out: string): Promise<void> {
  const mode = consensusMode();
  const round = Number(process.env.BENCH_ROUND ?? '1');
  const session = connectAs('education', 'officer');
  const prefix = `consensus-${mode}-${Date.now().toString(36)}`;
  const submit = async (tag: string, sequence: number): Promise<void> => {
    const commit = await session.contract.submitAsync('RegisterDataset', { arguments: registerArgs(`${prefix}-${tag}-${String(sequence)}`) });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`transaction ${status.transactionId} committed as ${String(status.code)}`);
  };
  try {
    await closedLoop(concurrency, WARMUP_SECONDS, (n) => submit('warmup', n));
    const capacity: Samples = await closedLoop(concurrency, seconds, (n) => submit('capacity', n));
    const fixedRate: Samples = await openLoop(rate, seconds, (n) => submit('rate', n));
    const result: Trial = { mode, round, orderers: mode === 'bft' ? consenterDepartments().length : 3, blockCutting: blockCutting(), capacity, fixedRate, loadAverage: os.loadavg() };
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result)}\n`);
    const c = summarise('capacity', capacity.latenciesMs, capacity.errors, capacity.seconds);
    const r = summarise('rate', fixedRate.latenciesMs, fixedRate.errors, fixedRate.seconds);
    console.log(`${mode} round ${String(round)}: ${c.throughput.toFixed(1)} tx/s at capacity (${String(c.errors)} errors); p95 ${r.p95.toFixed(0)} ms at ${String(rate)}/s (${String(r.errors)} errors)`);
  } finally {
    session.close();
  }
}

const fmt = (t: TrialResult): string =>
  `${t.throughput.toFixed(1).padStart(6)} tx/s  p50 ${t.p50.toFixed(0).padStart(5)} ms  p95 ${t.p95.toFixed(0).padStart(5)} ms  p99 ${t.p99.toFixed(0).padStart(5)} ms  ` +
  `(${String(t.completed)} ok, ${String(t.errors)} errors, ${t.seconds.toFixed(0)} s)`;

function report(files: readonly string[]): void {
  const trials = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Trial);
  const pooled = (mode: 'bft' | 'raft', part: 'capacity' | 'fixedRate'): TrialResult => {
    const of = trials.filter((t) => t.mode === mode).map((t) => t[part]);
    return summarise(
      `${mode} ${part}`,
      of.flatMap((s) => s.latenciesMs),
      of.reduce((sum, s) => sum + s.errors, 0),
      of.reduce((sum, s) => sum + s.seconds, 0),
    );
  };
  const bftCapacity = pooled('bft', 'capacity');
  const raftCapacity = pooled('raft', 'capacity');
  const bftRate = pooled('bft', 'fixedRate');
  const raftRate = pooled('raft', 'fixedRate');
  const rounds = Math.max(...trials.map((t) => t.round));
  const cutting = trials[0]?.blockCutting;
  const bftLabel = `SmartBFT (${String(trials.find((t) => t.mode === 'bft')?.orderers ?? '?')} consenters)`.padEnd(24);
  const raftLabel = `Raft (${String(trials.find((t) => t.mode === 'raft')?.orderers ?? '?')} orderers)`.padEnd(24);
  console.log(`\nBFT vs Raft ordering (RegisterDataset, direct fabric-gateway submits; ${String(rounds)} alternating rounds of ${String(seconds)} s each;`);
  console.log(`  block cutting ${JSON.stringify(cutting)}; ${String(os.cpus().length)} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log(`submit at capacity (${String(concurrency)} closed-loop clients):`);
  console.log(`  ${bftLabel}${fmt(bftCapacity)}`);
  console.log(`  ${raftLabel}${fmt(raftCapacity)}`);
  console.log(`  cost of BFT: throughput ${(bftCapacity.throughput / raftCapacity.throughput).toFixed(2)}x Raft's`);
  console.log(`submit at a fixed rate (${String(rate)}/s open loop):`);
  console.log(`  ${bftLabel}${fmt(bftRate)}`);
  console.log(`  ${raftLabel}${fmt(raftRate)}`);
  console.log(`  cost of BFT: p95 latency ${(bftRate.p95 / raftRate.p95).toFixed(2)}x Raft's`);
  const file = path.join(REPO_ROOT, 'bench', 'results', `consensus-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ settings: { concurrency, seconds, rate, rounds, blockCutting: cutting }, bft: { capacity: bftCapacity, fixedRate: bftRate }, raft: { capacity: raftCapacity, fixedRate: raftRate }, ratios: { throughput: bftCapacity.throughput / raftCapacity.throughput, p95: bftRate.p95 / raftRate.p95 } }, null, 2)}\n`,
  );
  console.log(`results: ${path.relative(REPO_ROOT, file)}`);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'trial' && args[0] !== undefined) {
    await trial(args[0]);
  } else if (command === 'report' && args.length > 0) {
    report(args);
  } else {
    throw new Error('usage: consensus.js trial <out.json> | report <trial files…>');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
