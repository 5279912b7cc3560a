/**
 * P4 scale (npm run bench:scale): list and read latency with 1k, 10k, 100k … datasets in the catalogue.
 *
 * Seeding registers `scale-NNNNNN` datasets directly with @hyperledger/fabric-gateway, BENCH_SEED_CONCURRENCY
 * (64) in flight, owners rotating over the three departments (each officer through its own peer), so the
 * filtered lists have known sizes at N seeded: owner JusticeMSP N/3, theme `scale-t3` N/10, classification
 * RESTRICTED N/4 (no other benchmark writes JusticeMSP, `scale-*` themes or RESTRICTED). Seeding is
 * resumable: existing ids are found by binary search and DATASET_EXISTS counts as done.
 *
 * At each scale, the same measurements: ListDatasets first page (pageSize 20) and a page deep (the middle
 * of the filtered list, its bookmark found by paging through untimed) by owner / theme / classification,
 * ReadDataset of random seeded ids, and a narrow audit window: every registration wrote an audit record the
 * same day, so before measuring Justice issues AUDIT_MARKERS (20) certificates and the window is just the
 * time they took; reading the whole window (following bookmarks) is timed for the Audit org's auditor and
 * for Justice's officer (a department sees its own records only). Each a closed loop of BENCH_SCALE_CONCURRENCY for BENCH_SCALE_SECONDS,
 * BENCH_SCALE_ROUNDS rounds interleaved. Prints p50/p95 per scale and largest/smallest ratios, writes
 * bench/results/scale-<time>.json and the P4 table of bench/RESULTS.md. A scale whose seeding would exceed BENCH_SEED_BUDGET_MINUTES (at the
 * rate measured so far) is skipped and reported as not reached.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { connectAs, decode, type FabricSession } from '../../test/integration/support/fabric';
import { REPO_ROOT, type Department } from '../../test/integration/support/network';
import { closedLoop } from './load';
import { peerHeights } from './metrics';
import { provenance, recordResults, renderSection, table } from './results';
import { blockCutting } from './settings';
import { summarise, type TrialResult } from './stats';

const scales = (process.env.BENCH_SCALES ?? '1000,10000,100000')
  .split(',')
  .map((text) => Number(text.trim()))
  .filter((scale) => Number.isInteger(scale) && scale > 0)
  .sort((a, b) => a - b);
const seedConcurrency = Number(process.env.BENCH_SEED_CONCURRENCY ?? '64');
const concurrency = Number(process.env.BENCH_SCALE_CONCURRENCY ?? '4');
const seconds = Number(process.env.BENCH_SCALE_SECONDS ?? '8');
const rounds = Number(process.env.BENCH_SCALE_ROUNDS ?? '2');
const budgetMinutes = Number(process.env.BENCH_SEED_BUDGET_MINUTES ?? '60');
const pageSize = 20;

const OWNERS: readonly Department[] = ['education', 'finance', 'justice'];
const CLASSIFICATIONS = ['PUBLIC', 'INTERNAL', 'RESTRICTED', 'SECRET'] as const;
const THEMES = 10;

const idOf = (index: number): string => `scale-${String(index).padStart(6, '0')}`;

function registration(index: number): string {
  const id = idOf(index);
  return JSON.stringify({
    id,
    title: `Scale benchmark dataset ${id}`,
    description: 'Synthetic catalogue entry seeded by the P4 scale benchmark',
    classification: CLASSIFICATIONS[index % CLASSIFICATIONS.length],
    fingerprint: createHash('sha256').update(id).digest('hex'),
    themes: [`scale-t${String(index % THEMES)}`, 'scale-all'],
    keywords: [`scale-k${String(index % 100)}`],
    fields: [
      { name: 'record_id', type: 'STRING', sensitivity: 'NONE' },
      { name: 'amount', type: 'DECIMAL', sensitivity: 'NONE' },
    ],
  });
}

interface Filter {
  readonly label: string;
  readonly by: 'owner' | 'theme' | 'classification';
  readonly value: string;
  /** Members at n seeded (the seeder's distribution). */
  readonly size: (n: number) => number;
}

const FILTERS: readonly Filter[] = [
  { label: 'owner JusticeMSP', by: 'owner', value: 'JusticeMSP', size: (n) => Math.floor((n + 0) / 3) },
  { label: 'theme scale-t3', by: 'theme', value: 'scale-t3', size: (n) => Math.floor((n + 6) / 10) },
  { label: 'classification RESTRICTED', by: 'classification', value: 'RESTRICTED', size: (n) => Math.floor((n + 1) / 4) },
];

async function exists(session: FabricSession, index: number): Promise<boolean> {
  try {
    await session.contract.evaluateTransaction('ReadDataset', idOf(index));
    return true;
  } catch {
    return false;
  }
}

/** First index not yet seeded, assuming seeding went in order (gaps near the end are re-tried). */
async function seededCount(session: FabricSession, upper: number): Promise<number> {
  let low = 0;
  let high = upper;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await exists(session, middle)) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface SeedReport {
  readonly from: number;
  readonly to: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly errors: number;
}

async function seed(sessions: readonly FabricSession[], from: number, to: number): Promise<SeedReport> {
  const started = performance.now();
  let next = from;
  let done = 0;
  let errors = 0;
  let lastReport = started;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next;
      next += 1;
      const session = sessions[index % OWNERS.length];
      if (session === undefined) throw new Error('no session');
      for (let attempt = 1; ; attempt += 1) {
        try {
          const commit = await session.contract.submitAsync('RegisterDataset', { arguments: [registration(index)] });
          const status = await commit.getStatus();
          if (!status.successful) throw new Error(`committed as ${String(status.code)}`);
          break;
        } catch (error) {
          const message = error instanceof Error ? `${error.message} ${JSON.stringify((error as { details?: unknown }).details ?? '')}` : String(error);
          if (message.includes('DATASET_EXISTS')) break;
          if (attempt >= 3) {
            errors += 1;
            if (errors <= 3) console.error(`  seed ${idOf(index)} failed: ${message}`);
            break;
          }
        }
      }
      done += 1;
      const now = performance.now();
      if (now - lastReport > 15_000) {
        lastReport = now;
        console.error(`  seeded ${String(from + done)}/${String(to)} (${(done / ((now - started) / 1000)).toFixed(0)}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: seedConcurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { from, to, seconds: elapsed, perSecond: (to - from) / elapsed, errors };
}

/** Waits until every peer has the same ledger height (the last blocks reached every peer). */
async function settle(): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const heights = await peerHeights();
    if (heights.length > 0 && heights.every((height) => height === heights[0])) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Page {
  readonly records: readonly { readonly id: string }[];
  readonly bookmark: string;
}

async function list(session: FabricSession, filter: Filter, size: number, bookmark: string): Promise<Page> {
  const bytes = await session.contract.evaluateTransaction('ListDatasets', filter.by, filter.value, String(size), bookmark);
  return JSON.parse(decode(bytes)) as Page;
}

/** The bookmark of the page that starts at the middle of the filtered list (paging through, untimed). */
async function deepBookmark(session: FabricSession, filter: Filter, members: number): Promise<{ bookmark: string; offset: number }> {
  const target = Math.floor(members / 2);
  let offset = 0;
  let bookmark = '';
  while (offset + 100 <= target) {
    const page = await list(session, filter, 100, bookmark);
    if (page.bookmark === '') break;
    bookmark = page.bookmark;
    offset += page.records.length;
  }
  if (target > offset) {
    const page = await list(session, filter, target - offset, bookmark);
    if (page.bookmark !== '') {
      bookmark = page.bookmark;
      offset += page.records.length;
    }
  }
  return { bookmark, offset };
}

const AUDIT_MARKERS = 20;

interface AuditPage {
  readonly records: readonly { readonly id: string; readonly type: string }[];
  readonly bookmark: string;
}

/** Issues AUDIT_MARKERS certificates as Justice's officer: the narrow window's records, after all seeding. */
async function auditMarkers(justice: FabricSession): Promise<{ from: string; to: string }> {
  // The transaction's timestamp is the proposal's, taken by the client: a window of client times holds them.
  const from = new Date(Date.now() - 1).toISOString();
  for (let i = 0; i < AUDIT_MARKERS; i += 1) {
    const hex = (label: string): string => createHash('sha256').update(`${label}-${from}-${String(i)}`).digest('hex');
    await justice.contract.submitTransaction('IssueCertificate', 'NO_CRIMINAL_RECORD', hex('doc'), hex('subject'), '2099-01-01T00:00:00Z');
  }
  return { from, to: new Date(Date.now() + 1).toISOString() };
}

/** Reads the whole window, page after page; the number of records it holds. */
async function readAuditWindow(session: FabricSession, window: { from: string; to: string }): Promise<number> {
  let bookmark = '';
  let count = 0;
  do {
    const bytes = await session.contract.evaluateTransaction('QueryAudit', JSON.stringify({ ...window, pageSize: 50, bookmark }));
    const page = JSON.parse(decode(bytes)) as AuditPage;
    count += page.records.length;
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return count;
}

interface Measurement {
  readonly name: string;
  readonly call: () => Promise<unknown>;
  readonly note: string;
}

interface AuditReaders {
  readonly audit: FabricSession;
  readonly justice: FabricSession;
}

interface ScaleResult {
  readonly datasets: number;
  readonly seeding: SeedReport | undefined;
  /** 1-minute load average before and after measuring (the machine is shared). */
  readonly loadAverage: readonly [number, number];
  readonly results: readonly (TrialResult & { readonly note: string })[];
}

async function measure(session: FabricSession, scale: number, auditors: AuditReaders): Promise<ScaleResult['results']> {
  const measurements: Measurement[] = [];
  const window = await auditMarkers(auditors.justice);
  for (const [label, reader] of [['Audit auditor', auditors.audit], ['Justice officer', auditors.justice]] as const) {
    const held = await readAuditWindow(reader, window);
    if (held !== AUDIT_MARKERS) throw new Error(`audit window for the ${label}: ${String(held)} records, expected ${String(AUDIT_MARKERS)}`);
    measurements.push({
      name: `audit window of ${String(AUDIT_MARKERS)} records, ${label}`,
      note: `after ${String(scale)} records that day`,
      call: () => readAuditWindow(reader, window),
    });
  }
  for (const filter of FILTERS) {
    const members = filter.size(scale);
    const first = await list(session, filter, pageSize, '');
    if (first.records.length !== Math.min(pageSize, members)) {
      throw new Error(`${filter.label}: first page has ${String(first.records.length)} records, expected ${String(Math.min(pageSize, members))}`);
    }
    const deep = await deepBookmark(session, filter, members);
    measurements.push({
      name: `list ${filter.label}, first page`,
      note: `${String(members)} members`,
      call: () => list(session, filter, pageSize, ''),
    });
    measurements.push({
      name: `list ${filter.label}, deep page`,
      note: `from offset ${String(deep.offset)}`,
      call: () => list(session, filter, pageSize, deep.bookmark),
    });
  }
  measurements.push({
    name: 'ReadDataset (random seeded id)',
    note: `of ${String(scale)}`,
    call: () => session.contract.evaluateTransaction('ReadDataset', idOf(Math.floor(Math.random() * scale))),
  });
  const samples = measurements.map(() => ({ latencies: [] as number[], errors: 0, seconds: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, measurement] of measurements.entries()) {
      const trial = await closedLoop(concurrency, seconds, measurement.call);
      if (trial.firstErrors.length > 0) console.error(`  ${measurement.name}: ${String(trial.errors)} errors, e.g. ${trial.firstErrors.join(' | ')}`);
      const pooled = samples[index];
      if (pooled === undefined) continue;
      pooled.latencies.push(...trial.latenciesMs);
      pooled.errors += trial.errors;
      pooled.seconds += trial.seconds;
    }
  }
  return measurements.map((measurement, index) => {
    const pooled = samples[index] ?? { latencies: [], errors: 0, seconds: 1 };
    const result = { ...summarise(measurement.name, pooled.latencies, pooled.errors, pooled.seconds), note: measurement.note };
    console.error(`  ${measurement.name.padEnd(48)} p50 ${result.p50.toFixed(1).padStart(6)}  p95 ${result.p95.toFixed(1).padStart(6)} ms  ${result.throughput.toFixed(0)}/s`);
    return result;
  });
}

async function main(): Promise<void> {
  const sessions = OWNERS.map((department) => connectAs(department, 'officer'));
  const reader = sessions[0];
  const justice = sessions[2];
  if (reader === undefined || justice === undefined || scales.length === 0) throw new Error('nothing to do: BENCH_SCALES is empty');
  const auditor = connectAs('audit', 'auditor');
  const largest = scales[scales.length - 1] ?? 0;
  const scaleResults: ScaleResult[] = [];
  const notReached: { datasets: number; reason: string }[] = [];
  let rate = Number.NaN;
  try {
    let seeded = await seededCount(reader, largest);
    console.error(`P4 scale: ${String(seeded)} scale-* datasets already seeded; scales ${scales.join(', ')}`);
    for (const scale of scales) {
      let seeding: SeedReport | undefined;
      if (seeded < scale) {
        const from = Math.max(0, seeded - seedConcurrency);
        const estimateMinutes = (scale - from) / rate / 60;
        if (Number.isFinite(estimateMinutes) && estimateMinutes > budgetMinutes) {
          const reason = `seeding ${String(scale - from)} more at ${rate.toFixed(0)}/s would take ~${estimateMinutes.toFixed(0)} min > BENCH_SEED_BUDGET_MINUTES=${String(budgetMinutes)}`;
          console.error(`  skipping ${String(scale)}: ${reason}`);
          notReached.push({ datasets: scale, reason });
          continue;
        }
        console.error(`seeding ${idOf(from)}..${idOf(scale - 1)}, ${String(seedConcurrency)} in flight`);
        seeding = await seed(sessions, from, scale);
        rate = seeding.perSecond;
        console.error(`  seeded in ${seeding.seconds.toFixed(0)} s: ${seeding.perSecond.toFixed(1)} datasets/s, ${String(seeding.errors)} failed`);
        if (seeding.errors > 0) throw new Error(`${String(seeding.errors)} registrations failed`);
        seeded = scale;
      }
      await settle();
      const loadBefore = os.loadavg()[0] ?? Number.NaN;
      console.error(`measuring at ${String(scale)} datasets (load average ${loadBefore.toFixed(1)})`);
      const results = await measure(reader, scale, { audit: auditor, justice });
      scaleResults.push({ datasets: scale, seeding, loadAverage: [loadBefore, os.loadavg()[0] ?? Number.NaN], results });
    }
  } finally {
    for (const session of [...sessions, auditor]) session.close();
  }
  report(scaleResults, notReached);
}

function report(scaleResults: readonly ScaleResult[], notReached: readonly { datasets: number; reason: string }[]): void {
  const settings = { concurrency, seconds, rounds, pageSize, seedConcurrency, scales, ...blockCutting() };
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  console.log(`settings: ${JSON.stringify(settings)}`);
  console.log(`machine:  ${JSON.stringify(machine)}`);
  const first = scaleResults[0];
  const last = scaleResults[scaleResults.length - 1];
  if (first === undefined || last === undefined) return;
  const header = scaleResults.map((scale) => `${String(scale.datasets).padStart(7)} p50/p95 ms`.padStart(22)).join('');
  console.log(`\nP4 scale: latency by datasets seeded; ratio = p95 at ${String(last.datasets)} / p95 at ${String(first.datasets)} (goal <= 1.5x)`);
  console.log(`  ${'measurement'.padEnd(48)}${header}   ratio`);
  const ratios = first.results.map((result, index) => {
    const cells = scaleResults
      .map((scale) => {
        const cell = scale.results[index];
        return cell === undefined ? ''.padStart(22) : `${cell.p50.toFixed(1)}/${cell.p95.toFixed(1)}`.padStart(22);
      })
      .join('');
    const ratio = (last.results[index]?.p95 ?? Number.NaN) / result.p95;
    console.log(`  ${result.label.padEnd(48)}${cells}   ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
    return { measurement: result.label, from: first.datasets, to: last.datasets, ratioP95: ratio, ratioP50: (last.results[index]?.p50 ?? Number.NaN) / result.p50, met: ratio <= 1.5 };
  });
  for (const scale of scaleResults) {
    console.log(`  at ${String(scale.datasets)}: 1-min load average ${scale.loadAverage[0].toFixed(1)} → ${scale.loadAverage[1].toFixed(1)} (${String(os.cpus().length)} cores)`);
    if (scale.seeding !== undefined) console.log(`  seeding to ${String(scale.datasets)}: ${scale.seeding.perSecond.toFixed(1)} datasets/s over ${scale.seeding.seconds.toFixed(0)} s`);
  }
  for (const skipped of notReached) console.log(`  not reached: ${String(skipped.datasets)} (${skipped.reason})`);
  const directory = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ settings, machine, scales: scaleResults, ratios, notReached }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(REPO_ROOT, file)}`);
  const columns = ['measurement (p50 / p95 ms)', ...scaleResults.map((scale) => String(scale.datasets)), `p95 ratio ${String(last.datasets)}/${String(first.datasets)}`, 'goal ≤ 1.5×'];
  const rows = first.results.map((result, index) => [
    result.label,
    ...scaleResults.map((scale) => {
      const cell = scale.results[index];
      return cell === undefined ? '' : `${cell.p50.toFixed(1)} / ${cell.p95.toFixed(1)}`;
    }),
    `${(ratios[index]?.ratioP95 ?? Number.NaN).toFixed(2)}×`,
    ratios[index]?.met === true ? 'met' : '**not met**',
  ]);
  const notes = [
    ...scaleResults.map((scale) => `- at ${String(scale.datasets)}: load average ${scale.loadAverage[0].toFixed(1)} → ${scale.loadAverage[1].toFixed(1)}${scale.seeding === undefined ? '' : `; seeded at ${scale.seeding.perSecond.toFixed(1)} datasets/s`}`),
    ...notReached.map((skipped) => `- not reached: ${String(skipped.datasets)} (${skipped.reason})`),
  ];
  const body = [`Settings: \`${JSON.stringify(settings)}\``, '', ...table(columns, rows), '', ...notes];
  const written = recordResults(new Map([['p4', renderSection('p4', provenance('npm run bench:scale', file), body)]]));
  console.log(`current tables: ${path.relative(REPO_ROOT, written)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
