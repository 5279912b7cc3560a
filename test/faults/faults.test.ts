/**
 * Faults under load (`npm run test:faults`, issues #6 and #17), on the network's ordering mode
 * (SmartBFT by default: four consenters, one per department; or Raft). Steady load runs through the
 * four department gateways while the ordering leader and then a peer are SIGKILLed and restarted.
 * Afterwards: every 2xx is committed VALID on every peer, nothing took effect twice, throughput came
 * back within 10 s of each kill (the new leader's time to its first commit is reported), orderers and
 * peers hold the same blocks, and failures during the outages were prompt 503/504 problems. Then the
 * ordering service loses its quorum (BFT: 2 of 4 orderers down; Raft: 2 of 3): no request may
 * succeed, service resumes once one of them is back, and a failed request may have taken effect
 * only if its client was told the outcome is unknown (504).
 *
 * A compact report (timeline, recovery times, counts) is printed at the end and written to
 * $GOVSHARE_FAULTS_REPORT (default .govshare/fault-results/report.txt).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { connectAs, type FabricSession } from '../integration/support/fabric';
import { api, httpRequest } from '../integration/support/http';
import { DEPARTMENTS, gatewayReadyUrlOf, mspIdOf, ROLES, STATE_DIR, type Department } from '../integration/support/network';
import {
  BFT,
  cleanupScratch,
  describeLeader,
  describeRestarts,
  killNode,
  leaders,
  lookupTransaction,
  mapLimit,
  nodeStates,
  ordererBlockHeader,
  ORDERERS,
  peerBlockHeader,
  settle,
  sleep,
  startNode,
  waitForConvergence,
  waitForLeader,
  type BlockHeader,
  type FabricNode,
} from './cluster';
import {
  answerBoundMs,
  isSuccess,
  OpenLoopLoad,
  recoverySeconds,
  registerDataset,
  REQUEST_TIMEOUT_MS,
  successesPerSecond,
  WRITERS,
  type RequestRecord,
  waitForRateLimitHeadroom,
} from './load';

// Offered load: 12 requests/s by default, 3/s per gateway (9 registrations/s via the 3 departments + 3 reads/s
// via Audit); GOVSHARE_FAULTS_RATE overrides it. Recovery is judged against the baseline measured in this same
// run, and it needs headroom: on the project's 2-core machine the whole network commits ~28 tx/s at capacity
// (bench/README.md, BFT), and at 24 requests/s (18 registrations) the host was saturated (load average 15), so a
// restarted peer could not catch up faster than the chain grew and its first 2xx came only after ~11 s. A third
// of capacity still keeps ~3 blocks/s flowing (250 ms BatchTimeout) through every fault. The cap on requests in
// flight is far above what the load needs: transactions lost with a killed leader keep their requests open
// until the gateway's submit deadline.
const RATE = Number(process.env.GOVSHARE_FAULTS_RATE ?? '12');
const MAX_IN_FLIGHT = 400;
const BASELINE_S = 10;
const OUTAGE_S = 15;
/** Load after each restart: long enough to see the restarted peer's gateway serve again (RESERVE_LIMIT_S). */
const AFTER_RESTART_S = 15;
const RECOVERY_LIMIT_S = 10;
/**
 * After a peer restarts, its own department's gateway answers 2xx again within this many seconds. Measured
 * 1.9–8.7 s in fault runs on an otherwise idle machine (10.8–12.4 s under other load): the restarted peer's
 * chaincode relaunch and its gossip membership dominate (docs/network.md).
 */
const RESERVE_LIMIT_S = 15;
const RECOVERY_FRACTION = 0.5;
const CONVERGENCE_TIMEOUT_MS = 60_000;
const WRITE_RATE = (RATE * WRITERS.length) / (WRITERS.length + 1);
const FAILURE_STATUSES: readonly (number | string)[] = [503, 504];
const KILLED_PEER: FabricNode = 'peer0.justice';
const MODE = BFT ? `SmartBFT, ${String(ORDERERS.length)} consenters` : `Raft, ${String(ORDERERS.length)} orderers`;


const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const seedId = `faults-${runId}-seed`;
const reportLines: string[] = [];
const report = (line: string): void => {
  reportLines.push(line);
};
const fmt = (seconds: number): string => seconds.toFixed(1);
/** The 1/5/15-minute load averages: the recovery figures depend on how busy the host was. */
const hostLoad = (): string => loadavg().map((l) => l.toFixed(1)).join('/');

interface Fault {
  readonly node: FabricNode;
  readonly label: string;
  /** Seconds since load start: just before the SIGKILL, once it was done, when the restart began, when it was up. */
  readonly killAt: number;
  readonly killedAt: number;
  readonly restartAt: number;
  readonly upAt: number;
}

interface LoadRun {
  readonly load: OpenLoopLoad;
  readonly records: readonly RequestRecord[];
  readonly faults: readonly Fault[];
  readonly events: readonly { t: number; what: string }[];
  readonly endAt: number;
}

let run: LoadRun | undefined;
let startHeight = 0;
const sessions = new Map<Department, FabricSession>();

function loadRun(): LoadRun {
  if (run === undefined) throw new Error('the load phase did not complete; see the first test');
  return run;
}

/** Fresh direct Fabric sessions, one per department's own peer (created after the faults). */
function sessionOf(department: Department): FabricSession {
  let session = sessions.get(department);
  if (session === undefined) {
    session = connectAs(department, 'officer', department);
    sessions.set(department, session);
  }
  return session;
}

const describeRecord = (r: RequestRecord): string =>
  `#${r.seq} ${r.department} ${r.id} → ${String(r.outcome)} ${r.code ?? '-'} after ${fmt(r.end - r.start)}s` +
  ` (t=${fmt(r.start)}) txId=${r.txId ?? '-'} detail=${r.detail ?? '-'}`;

function countBy(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = isSuccess(r) ? String(r.outcome) : `${String(r.outcome)} ${r.code ?? '(no code)'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

async function restoreAllNodes(): Promise<void> {
  const states = await nodeStates();
  for (const [node, state] of states) {
    if (state !== 'up' && (node.startsWith('orderer') || node.startsWith('peer0.'))) {
      await startNode(node);
    }
  }
}

beforeAll(async () => {
  const states = await nodeStates();
  const down = [...states].filter(([, state]) => state !== 'up').map(([node]) => node);
  if (down.length > 0) throw new Error(`every node must be up before the fault tests; down: ${down.join(', ')}`);
  for (const department of DEPARTMENTS) {
    const ready = await httpRequest(gatewayReadyUrlOf(department), { timeoutMs: 5_000 });
    if (ready.status !== 200) throw new Error(`gateway of ${department} is not ready (${ready.status})`);
  }
  await waitForLeader(30_000);
  const seed = await registerDataset('education', seedId, () => 0);
  if (seed.outcome !== 201) throw new Error(`cannot register the seed dataset: ${describeRecord(seed)}`);
  // Every consenter in step before the load (an earlier test or run may have restarted one).
  const settled = await settle(`faults-${runId}-settle`);
  startHeight = settled.height;
  const waited = await waitForRateLimitHeadroom(seedId);
  if (waited.length > 0) report(`before the load, rate-limit windows: ${waited.join('; ')}`);
  report(`before the load: seed and 2 probe rounds committed, all orderers and peers at height ${startHeight} (${fmt(settled.waitedMs / 1000)}s)${describeRestarts(settled.restarted)}`);
});

afterAll(async () => {
  try {
    await restoreAllNodes();
    // The next user of the network (the Byzantine test, add-department) gets 4 consenters in step.
    const settled = await settle(`faults-${runId}-after`);
    report(`after the tests: every node up, 2 probe rounds committed, all at height ${settled.height} (${fmt(settled.waitedMs / 1000)}s)${describeRestarts(settled.restarted)}; host load average ${hostLoad()}`);
  } finally {
    for (const session of sessions.values()) session.close();
    cleanupScratch();
    const text = `${reportLines.join('\n')}\n`;
    const file = process.env.GOVSHARE_FAULTS_REPORT;
    // scripts/test-faults.sh passes a file and prints it after jest's output; a bare jest run prints it here.
    if (file === undefined) process.stdout.write(`\n${text}`);
    const target = file ?? path.join(STATE_DIR, 'fault-results', 'report.txt');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
});

describe('faults under steady load through the gateways', () => {
  test('leader orderer and a peer are SIGKILLed and restarted; every request is answered within its timeout', async () => {
    const events: { t: number; what: string }[] = [];
    const faults: Fault[] = [];
    const load = new OpenLoopLoad({
      ratePerSecond: RATE,
      maxInFlight: MAX_IN_FLIGHT,
      maxRequests: RATE * (BASELINE_S + 2 * (OUTAGE_S + AFTER_RESTART_S) + 10),
      idPrefix: `faults-${runId}`,
      seedId,
    });
    const event = (what: string): void => {
      events.push({ t: load.now(), what });
    };
    const until = (t: number): Promise<void> => sleep(Math.max(0, (t - load.now()) * 1000));

    // Watch the leadership while the load runs, to put elections and view changes on the timeline.
    let leaderSeen = '';
    const watch = { on: true };
    const watcher = (async () => {
      while (watch.on) {
        const seen = (await leaders()).map(describeLeader).join('+') || 'none agreed';
        if (seen !== leaderSeen) {
          event(`leader: ${seen}`);
          leaderSeen = seen;
        }
        await sleep(250);
      }
    })();

    const fault = async (node: FabricNode, label: string, outageUntil: number): Promise<void> => {
      const killAt = load.now();
      await killNode(node);
      const killedAt = load.now();
      event(`SIGKILL ${label}`);
      await until(outageUntil);
      const restartAt = load.now();
      event(`restart ${node}`);
      await startNode(node);
      const upAt = load.now();
      event(`${node} up`);
      faults.push({ node, label, killAt, killedAt, restartAt, upAt });
    };

    load.start();
    event('load started');
    try {
      await until(BASELINE_S);
      const leader = await waitForLeader(10_000);
      await fault(leader, `${leader} (leader)`, BASELINE_S + OUTAGE_S);
      await until(load.now() + AFTER_RESTART_S);
      await fault(KILLED_PEER, KILLED_PEER, load.now() + OUTAGE_S);
      await until(load.now() + AFTER_RESTART_S);
    } finally {
      event(`load stopping (${load.issued} requests started, ${load.inFlight} in flight)`);
      const endAt = load.now();
      await load.stop();
      event('every request answered');
      watch.on = false;
      await watcher;
      run = { load, records: [...load.records].sort((a, b) => a.seq - b.seq), faults, events, endAt };
    }

    const { records } = loadRun();
    const latencies = records.map((r) => r.end - r.start);
    report(`govshare fault test ${new Date().toISOString()} — run ${runId}; ordering: ${MODE}; host load average ${hostLoad()} (${String(cpus().length)} CPUs)`);
    report(
      `offered load: ${RATE} req/s open loop, round-robin over ${DEPARTMENTS.length} gateways, ≤${MAX_IN_FLIGHT} in flight, ` +
        `client timeout ${REQUEST_TIMEOUT_MS / 1000}s; ${records.length} requests, ${load.skipped} ticks skipped (in-flight cap)`,
    );
    report('timeline (s since load start):');
    for (const e of events) report(`  ${fmt(e.t).padStart(6)}  ${e.what}`);
    const writes = records.filter((r) => r.kind === 'write');
    const reads = records.filter((r) => r.kind === 'read');
    report(`registrations: ${countBy(writes)}; reads (Audit gateway): ${countBy(reads)}; max latency ${fmt(Math.max(...latencies))}s`);
    for (const f of faults) {
      const during = records.filter((r) => r.start >= f.killAt && r.start < f.upAt);
      const after = records.filter((r) => r.start >= f.upAt && r.start < f.upAt + AFTER_RESTART_S);
      report(
        `  started while ${f.node} was down (${fmt(f.upAt - f.killAt)}s): registrations ${countBy(during.filter((r) => r.kind === 'write'))};` +
          ` reads ${countBy(during.filter((r) => r.kind === 'read'))}`,
      );
      report(
        `  started in the ${AFTER_RESTART_S}s after ${f.node} was up: registrations ${countBy(after.filter((r) => r.kind === 'write'))};` +
          ` reads ${countBy(after.filter((r) => r.kind === 'read'))}`,
      );
    }
    const failed = records.filter((r) => !isSuccess(r));
    const slowest = failed.reduce((max, r) => Math.max(max, r.end - r.start), 0);
    report(`failed requests: ${failed.length}, slowest failure answered after ${fmt(slowest)}s`);
    const slowestAnswer = records.reduce<RequestRecord | undefined>((max, r) => (max === undefined || r.end - r.start > max.end - max.start ? r : max), undefined);
    const late = records.filter((r) => (r.end - r.start) * 1000 > answerBoundMs(r.kind));
    report(
      `slowest answer: ${slowestAnswer === undefined ? '-' : describeRecord(slowestAnswer)}; deadlines: registration ${answerBoundMs('write') / 1000}s, ` +
        `read ${answerBoundMs('read') / 1000}s (the gateway's submit/evaluate deadline + slack); answered later than that: ${late.length}`,
    );

    // None hung: every request got an HTTP answer, within its deadline.
    expect(records.filter((r) => typeof r.outcome !== 'number').map(describeRecord)).toEqual([]);
    expect(Math.max(...latencies) * 1000).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(late.map(describeRecord)).toEqual([]);
    expect(faults).toHaveLength(2);
  });

  test('requests that fail during the outages are 503/504 problems with a code', () => {
    const failed = loadRun().records.filter((r) => !isSuccess(r));
    const wrong = failed.filter((r) => !FAILURE_STATUSES.includes(r.outcome) || (r.code ?? '') === '');
    expect(wrong.map(describeRecord)).toEqual([]);
  });

  test(`throughput is back to ≥${RECOVERY_FRACTION * 100}% of baseline within ${RECOVERY_LIMIT_S} s of each kill`, () => {
    const { records, faults } = loadRun();
    const baselineBuckets = successesPerSecond(records, 2, BASELINE_S - 2);
    const baseline = baselineBuckets.reduce((a, b) => a + b, 0) / baselineBuckets.length;
    const threshold = RECOVERY_FRACTION * baseline;
    report(`baseline throughput: ${fmt(baseline)} 2xx/s (1-s buckets t=2..${BASELINE_S}: ${baselineBuckets.join(' ')})`);
    const slow: string[] = [];
    for (const f of faults) {
      const { seconds, buckets } = recoverySeconds(records, f.killAt, f.restartAt, threshold);
      const firstNew = records
        .filter((r) => r.kind === 'write' && isSuccess(r) && r.start >= f.killedAt)
        .reduce((min, r) => Math.min(min, r.end - f.killAt), Number.POSITIVE_INFINITY);
      const afterRestart = successesPerSecond(records, f.restartAt, AFTER_RESTART_S);
      // After the leader's kill, the new leader (BFT: the next view's) orders the first of the requests sent since.
      const newLeader = loadRun().events.find(
        (e) => e.t > f.killedAt && e.what.startsWith('leader: ') && !e.what.includes('none') && !e.what.includes(`${f.node} `),
      );
      report(
        `after SIGKILL ${f.label}: throughput ≥${fmt(threshold)}/s again after ${seconds === undefined ? 'never' : `${seconds}s`}` +
          ` (first success of a request sent after the kill: +${fmt(firstNew)}s); 2xx/s from the kill: ${buckets.join(' ')};` +
          ` after restart (${fmt(f.upAt - f.restartAt)}s to start): ${afterRestart.join(' ')}`,
      );
      if (f.label.endsWith('(leader)')) {
        report(
          `  new ${newLeader?.what.slice('leader: '.length) ?? 'leader not seen'} at +${newLeader === undefined ? '?' : fmt(newLeader.t - f.killAt)}s;` +
            ` time to first commit after the kill: ${fmt(firstNew)}s`,
        );
      }
      if (seconds === undefined || seconds > RECOVERY_LIMIT_S) slow.push(`${f.label}: ${String(seconds)} s`);
      if (f.node.startsWith('peer0.')) {
        // The restarted peer's own gateway: how long after the peer was up until it answered 2xx again.
        const department = f.node.slice('peer0.'.length);
        const own = records.filter((r) => r.department === department && r.start >= f.upAt);
        const firstServed = own.filter(isSuccess).reduce((min, r) => Math.min(min, r.end - f.upAt), Number.POSITIVE_INFINITY);
        const refused = own.filter((r) => !isSuccess(r) && r.end - f.upAt < firstServed);
        report(
          `gateway of ${department} serves again +${fmt(firstServed)}s after ${f.node} was up (limit ${RESERVE_LIMIT_S}s); ` +
            `answered before that: ${countBy(refused)}`,
        );
        if (!(firstServed <= RESERVE_LIMIT_S)) slow.push(`gateway of ${department} after ${f.node} restart: ${fmt(firstServed)} s`);
      }
    }
    // The offered load must have been served before the faults, or the comparison means nothing.
    expect(baseline).toBeGreaterThanOrEqual(WRITE_RATE * 0.5);
    expect(slow).toEqual([]);
  });

  test('ledger heights reconverge and orderers and peers hold identical block headers', async () => {
    const { records } = loadRun();
    const { height, waitedMs } = await waitForConvergence(CONVERGENCE_TIMEOUT_MS);
    report(`heights converged at ${height} on ${String(ORDERERS.length)} orderers and 4 peers, ${fmt(waitedMs / 1000)}s after the last answer (start ${startHeight})`);

    // Every block written during the run would be ~100 CLI fetches; the header chain links each block to its
    // predecessor (previous_hash), so equal headers at sampled points including the newest block cover the rest.
    const blocks = new Set<number>([startHeight - 1, height - 1]);
    for (let i = 1; i < 8; i++) blocks.add(startHeight + Math.floor(((height - 1 - startHeight) * i) / 8));
    for (const r of records) if (isSuccess(r) && r.blockNumber !== undefined) blocks.add(Number(r.blockNumber));
    const sample = [...blocks].filter((b) => b >= 0 && b < height).sort((a, b) => a - b);
    const checked = sample.filter((_, i) => i % Math.ceil(sample.length / 24) === 0 || i === sample.length - 1);

    const mismatches: string[] = [];
    await mapLimit(checked, 4, async (block) => {
      const headers: [string, BlockHeader][] = [
        ...(await Promise.all(ORDERERS.map(async (o): Promise<[string, BlockHeader]> => [o, await ordererBlockHeader(o, block)]))),
        ...(await Promise.all(
          DEPARTMENTS.map(async (d): Promise<[string, BlockHeader]> => [
            `peer0.${d}`,
            await peerBlockHeader(sessionOf(d), mspIdOf(d), block),
          ]),
        )),
      ];
      const reference = JSON.stringify(headers[0]?.[1]);
      for (const [node, header] of headers) {
        if (JSON.stringify(header) !== reference) mismatches.push(`block ${block}: ${node} ${JSON.stringify(header)} ≠ ${reference}`);
      }
    });
    report(`block headers (number, previous_hash, data_hash) equal on ${String(ORDERERS.length)} orderers + 4 peers for ${checked.length} blocks: ${checked.join(',')}`);
    expect(mismatches).toEqual([]);
  });

  test('every request answered 2xx is committed VALID on every peer (qscc GetTransactionByID)', async () => {
    const successes = loadRun().records.filter((r) => r.kind === 'write' && isSuccess(r));
    const problems: string[] = [];
    await mapLimit(successes, 16, async (r) => {
      if (r.txId === undefined) {
        problems.push(`${describeRecord(r)}: 2xx without txId`);
        return;
      }
      for (const d of DEPARTMENTS) {
        const lookup = await lookupTransaction(sessionOf(d), mspIdOf(d), r.txId);
        if (!lookup.found || lookup.validationCode !== 0) {
          problems.push(`${r.id} tx ${r.txId} on peer0.${d}: ${JSON.stringify(lookup)}`);
        }
      }
    });
    report(`2xx committed VALID on all 4 peers: ${successes.length - new Set(problems.map((p) => p.split(' ')[0])).size}/${successes.length}`);
    expect(problems).toEqual([]);
  });

  test('no duplicate effects: distinct ids and txIds; each 201 dataset reads back with its own txId', async () => {
    const records = loadRun().records.filter((r) => r.kind === 'write');
    const successes = records.filter(isSuccess);
    expect(new Set(successes.map((r) => r.id)).size).toBe(successes.length);
    expect(new Set(successes.map((r) => r.txId)).size).toBe(successes.length);

    const wrong: string[] = [];
    const committedDespiteError: string[] = [];
    const toldRetry: string[] = [];
    await mapLimit(records, 16, async (r) => {
      // Read through a different department's gateway than the one that registered it.
      // Roles rotate too, to stay far below any per-token rate limit.
      const reader = DEPARTMENTS[(DEPARTMENTS.indexOf(r.department) + 1) % DEPARTMENTS.length] ?? 'education';
      const response = await api(reader, 'GET', `/api/v1/datasets/${r.id}`, { role: ROLES[r.seq % ROLES.length] ?? 'officer' });
      const created = response.body.created as { txId?: unknown } | undefined;
      if (isSuccess(r)) {
        if (response.status !== 200 || created?.txId !== r.txId || response.body.version !== 1 || response.body.ownerMsp !== mspIdOf(r.department)) {
          wrong.push(`${describeRecord(r)}: read back ${response.status} ${JSON.stringify(response.body)}`);
        }
      } else if (response.status === 200) {
        // Allowed (a 504 says "may still commit"), but it must have taken effect once, by one transaction.
        committedDespiteError.push(describeRecord(r));
        // Only "outcome unknown" (504) may turn out to have happened; a 503 told the client to retry.
        if (r.outcome !== 504) toldRetry.push(describeRecord(r));
        if (response.body.version !== 1) wrong.push(`${describeRecord(r)}: version ${String(response.body.version)}`);
      } else if (response.status !== 404) {
        wrong.push(`${describeRecord(r)}: read back ${response.status} ${JSON.stringify(response.body)}`);
      }
    });
    report(
      `datasets read back: ${successes.length} 2xx each once with its own txId; ` +
        `${committedDespiteError.length} of ${records.length - successes.length} failed requests took effect anyway (once)`,
    );
    // Each with the answer its client was given (the 504 says "may still commit").
    for (const line of committedDespiteError) report(`  took effect: ${line}`);
    expect(wrong).toEqual([]);
    expect(toldRetry).toEqual([]);
  });
});

describe('the ordering service without a quorum', () => {
  test('no request succeeds, service resumes once one orderer is back, and a failed request took effect only if answered "outcome unknown"', async () => {
    const t0 = Date.now();
    const since = (): number => (Date.now() - t0) / 1000;
    const clock = since;
    const leader = await waitForLeader(30_000);
    // The leader and one follower: BFT, 2 of 4 leaves 2 < quorum 3; Raft, 2 of 3 leaves a follower alone.
    const follower = ORDERERS.find((o) => o !== leader) ?? '';
    const survivors = ORDERERS.filter((o) => o !== leader && o !== follower);
    await Promise.all([killNode(leader), killNode(follower)]);
    report(`quorum lost (${MODE}): SIGKILL ${leader} (leader) and ${follower} at t=0; ${survivors.join(', ')} left`);

    const ids = Array.from({ length: 6 }, (_, i) => `faults-${runId}-noquorum-${i}`);
    const outage = await mapLimit(ids, 2, (id) => {
      const i = ids.indexOf(id);
      return registerDataset(WRITERS[i % WRITERS.length] ?? 'education', id, clock, i);
    });
    report(`  6 requests without quorum (2 concurrent): ${countBy(outage)}; max latency ${fmt(Math.max(...outage.map((r) => r.end - r.start)))}s`);
    for (const r of outage) report(`    ${describeRecord(r)}`);
    const heightsDuring = await Promise.all(survivors.map(async (o) => (await ordererBlockHeader(o, 'newest')).number));

    // One of the two comes back: the quorum is there again (BFT 3 of 4, Raft 2 of 3).
    const restartAt = since();
    await startNode(follower);
    report(`  restarted ${follower} at t=${fmt(restartAt)}, up at t=${fmt(since())}; ${leader} still down`);

    // Bounded: requests until one succeeds, for at most 120 s.
    const attempts: RequestRecord[] = [];
    let recovered: RequestRecord | undefined;
    while (recovered === undefined && since() - restartAt < 120) {
      const department = WRITERS[attempts.length % WRITERS.length] ?? 'education';
      const record = await registerDataset(department, `faults-${runId}-recover-${attempts.length}`, clock, attempts.length);
      attempts.push(record);
      if (isSuccess(record)) recovered = record;
      else await sleep(1_000);
    }
    report(
      `  first success ${recovered === undefined ? 'never' : `at t=${fmt(recovered.end)} (${fmt(recovered.end - restartAt)}s after the restart)`};` +
        ` ${attempts.length} attempts: ${countBy(attempts)}; leader now ${(await leaders()).map(describeLeader).join(',') || 'none agreed'}`,
    );
    await startNode(leader);
    report(`  restarted ${leader} at t=${fmt(since())}`);

    const { height } = await waitForConvergence(CONVERGENCE_TIMEOUT_MS);
    const tookEffect: RequestRecord[] = [];
    const problems: string[] = [];
    for (const r of outage) {
      const reads = await Promise.all(
        (['education', 'audit'] as const).map(async (reader) => {
          const response = await api(reader, 'GET', `/api/v1/datasets/${r.id}`, { role: reader === 'audit' ? 'auditor' : 'approver' });
          return response.status;
        }),
      );
      const onLedger = reads.every((status) => status === 200);
      if (!onLedger && !reads.every((status) => status === 404)) problems.push(`${r.id} reads ${reads.join('/')} via education/audit`);
      if (r.txId !== undefined) {
        for (const d of DEPARTMENTS) {
          const lookup = await lookupTransaction(sessionOf(d), mspIdOf(d), r.txId);
          // A transaction of the outage is VALID on every peer exactly when its dataset exists (nothing half-done).
          if ((lookup.found && lookup.validationCode === 0) !== onLedger) {
            problems.push(`${r.id} tx ${r.txId} on peer0.${d}: ${JSON.stringify(lookup)} while the dataset ${onLedger ? 'exists' : 'does not'}`);
          }
        }
      }
      if (onLedger) tookEffect.push(r);
    }
    report(
      `  after convergence (height ${height}; ${survivors.join(', ')} were at ${heightsDuring.map((h) => h + 1).join(', ')} during the outage): ` +
        `${tookEffect.length} of the 6 took effect later${tookEffect.length > 0 ? `: ${tookEffect.map((r) => `${r.id} (answered ${String(r.outcome)} ${r.code ?? ''})`).join(', ')}` : ''}`,
    );

    expect(outage.filter(isSuccess).map(describeRecord)).toEqual([]);
    expect(outage.filter((r) => (r.end - r.start) * 1000 > answerBoundMs(r.kind)).map(describeRecord)).toEqual([]);
    expect(outage.filter((r) => !FAILURE_STATUSES.includes(r.outcome) || (r.code ?? '') === '').map(describeRecord)).toEqual([]);
    // Told "retry" (503) means it must not have happened; only "outcome unknown" (504) may have.
    expect(tookEffect.filter((r) => r.outcome !== 504).map(describeRecord)).toEqual([]);
    expect(problems).toEqual([]);
    expect(recovered).toBeDefined();
    if (recovered?.txId !== undefined) {
      for (const d of DEPARTMENTS) {
        expect(await lookupTransaction(sessionOf(d), mspIdOf(d), recovered.txId)).toEqual({ found: true, validationCode: 0 });
      }
    }
  });
});
