/**
 * Steady, bounded load through the department gateways: an open-loop generator that starts
 * requests at a fixed rate (round-robin over the four gateways, on loopback or by host name), with a cap on
 * requests in flight and on their total number, and a client-side timeout on each request.
 * Open loop, so that a few requests stuck behind a killed node do not stall the load itself.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { httpRequest, RequestTimeoutError } from '../integration/support/http';
import { gatewaysFile, type Department, type Role } from '../integration/support/network';

/**
 * The gateways' Fabric deadlines (their config's `deadlines`, defaults in gateway/src/fabric/transactions.ts):
 * a registration (one submit) must be answered within SUBMIT_DEADLINE_MS, a read within EVALUATE_DEADLINE_MS,
 * each plus ANSWER_SLACK_MS for HTTP, queueing and the event loop of a loaded 2-core host.
 */
export const SUBMIT_DEADLINE_MS = Number(process.env.GOVSHARE_SUBMIT_DEADLINE_MS ?? '8000');
export const EVALUATE_DEADLINE_MS = Number(process.env.GOVSHARE_EVALUATE_DEADLINE_MS ?? '3000');
export const ANSWER_SLACK_MS = 3_000;

/** The longest a request of this kind may wait for its answer. */
export const answerBoundMs = (kind: 'write' | 'read'): number =>
  (kind === 'write' ? SUBMIT_DEADLINE_MS : EVALUATE_DEADLINE_MS) + ANSWER_SLACK_MS;

/** Client-side cutoff of one request, far beyond any deadline: a request it cuts off is a hang, and fails the test. */
export const REQUEST_TIMEOUT_MS = 30_000;

export type Outcome = number | 'TIMEOUT' | 'NETWORK_ERROR';

/** Departments that own datasets and register them; the Audit org only reads the catalogue. */
export const WRITERS = ['education', 'finance', 'justice'] as const satisfies readonly Department[];

export interface RequestRecord {
  readonly seq: number;
  readonly kind: 'write' | 'read';
  readonly id: string;
  readonly department: Department;
  /** Seconds since the load started. */
  readonly start: number;
  readonly end: number;
  readonly outcome: Outcome;
  readonly code?: string | undefined;
  readonly txId?: string | undefined;
  readonly blockNumber?: string | undefined;
  readonly detail?: string | undefined;
}

export const isSuccess = (r: RequestRecord): boolean => typeof r.outcome === 'number' && r.outcome >= 200 && r.outcome < 300;

function registration(id: string): Record<string, string> {
  return {
    id,
    title: `Fault test dataset ${id}`,
    description: 'Registered under load while nodes are killed and restarted',
    classification: 'INTERNAL',
    fingerprint: createHash('sha256').update(`content of ${id}`).digest('hex'),
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

interface Call {
  readonly seq: number;
  readonly kind: 'write' | 'read';
  readonly department: Department;
  readonly role: Role;
  readonly id: string;
}

/** One request to a gateway with a client-side timeout; never throws. */
async function timedCall(call: Call, clock: () => number): Promise<RequestRecord> {
  const gateway = gatewaysFile()[call.department];
  const start = clock();
  const base = { seq: call.seq, kind: call.kind, id: call.id, department: call.department, start };
  const headers: Record<string, string> = { authorization: `Bearer ${gateway.tokens[call.role]}` };
  if (call.kind === 'write') headers['content-type'] = 'application/json';
  try {
    const answer = await httpRequest(call.kind === 'write' ? `${gateway.url}/api/v1/datasets` : `${gateway.url}/api/v1/datasets/${call.id}`, {
      method: call.kind === 'write' ? 'POST' : 'GET',
      headers,
      ...(call.kind === 'write' ? { body: JSON.stringify(registration(call.id)) } : {}),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const text = answer.text;
    let body: Record<string, unknown>;
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = { detail: text.slice(0, 200) };
    }
    return {
      ...base,
      end: clock(),
      outcome: answer.status,
      code: str(body.code),
      txId: str(body.txId),
      blockNumber: str(body.blockNumber),
      detail: str(body.detail),
    };
  } catch (err) {
    const timedOut = err instanceof RequestTimeoutError;
    return {
      ...base,
      end: clock(),
      outcome: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
      detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

/** POST /api/v1/datasets as the department's officer. */
export function registerDataset(department: Department, id: string, clock: () => number, seq = 0): Promise<RequestRecord> {
  return timedCall({ seq, kind: 'write', department, role: 'officer', id }, clock);
}

export interface LoadOptions {
  readonly ratePerSecond: number;
  readonly maxInFlight: number;
  readonly maxRequests: number;
  readonly idPrefix: string;
  /** An existing dataset, committed on every peer, for the reads. */
  readonly seedId: string;
}

export class OpenLoopLoad {
  readonly records: RequestRecord[] = [];
  /** Ticks at which no request was started because maxInFlight were still open. */
  skipped = 0;
  #t0 = 0;
  #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #issued = 0;
  #stopped = false;

  constructor(readonly options: LoadOptions) {}

  /** Seconds since start(). */
  readonly now = (): number => (performance.now() - this.#t0) / 1000;

  start(): void {
    this.#t0 = performance.now();
    this.#tick(0);
  }

  #tick(k: number): void {
    if (this.#stopped || this.#issued >= this.options.maxRequests) return;
    if (this.#inFlight.size >= this.options.maxInFlight) {
      this.skipped += 1;
    } else {
      const seq = this.#issued++;
      // Three of every four requests register a dataset through a department's gateway; the fourth
      // reads a dataset through the Audit gateway (the supervisor reads the catalogue): the seed dataset,
      // committed on every peer before the load, so that a lagging peer cannot turn a read into a 404.
      const slot = seq % (WRITERS.length + 1);
      const writer = WRITERS[slot];
      const call: Call =
        writer === undefined
          ? { seq, kind: 'read', department: 'audit', role: 'auditor', id: this.options.seedId }
          : { seq, kind: 'write', department: writer, role: 'officer', id: `${this.options.idPrefix}-${String(seq).padStart(5, '0')}` };
      const request = timedCall(call, this.now).then((record) => {
        this.records.push(record);
        this.#inFlight.delete(request);
      });
      this.#inFlight.add(request);
    }
    // Scheduled against the start time, so the rate does not drift with timer latency.
    const dueMs = ((k + 1) * 1000) / this.options.ratePerSecond - (performance.now() - this.#t0);
    this.#timer = setTimeout(() => {
      this.#tick(k + 1);
    }, Math.max(0, dueMs));
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get issued(): number {
    return this.#issued;
  }

  /** Stops starting requests and waits for every request in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }
}

/** 2xx registrations completed per 1-s bucket over [from, from + seconds). */
export function successesPerSecond(records: readonly RequestRecord[], from: number, seconds: number): number[] {
  const buckets = new Array<number>(seconds).fill(0);
  for (const r of records) {
    if (r.kind !== 'write' || !isSuccess(r)) continue;
    const index = Math.floor(r.end - from);
    if (index >= 0 && index < seconds) buckets[index] = (buckets[index] ?? 0) + 1;
  }
  return buckets;
}

/** Seconds of each window over which recovered throughput is judged (see recoverySeconds). */
const RECOVERY_WINDOW_S = 3;

/**
 * Seconds after `killAt` from which throughput stays at or above `threshold` until `until` (the node's restart):
 * the first second i whose own bucket reaches the threshold (commits really flow again at that rate then) and from
 * which every 3-s window, up to the last one that ends at `until`, has a mean at or above it. Windows, not single
 * buckets: while a peer is down its department's share of the load is refused by design and the rest runs at
 * ~6 successes a second, where one bucket of 4 is the load's jitter, not a lost recovery (two CI runs failed on a
 * single such bucket, one of them the last before the restart). A backlog burst (0 0 0 35 ...) cannot make an
 * earlier second count: the second itself must reach the threshold. Undefined when it never does.
 */
export function recoverySeconds(
  records: readonly RequestRecord[],
  killAt: number,
  until: number,
  threshold: number,
): { seconds: number | undefined; buckets: number[] } {
  const buckets = successesPerSecond(records, killAt, Math.floor(until - killAt));
  return { seconds: recoveredFrom(buckets, threshold), buckets };
}

/** The first index from which `buckets` count as recovered (recoverySeconds's rule), or undefined. */
export function recoveredFrom(buckets: readonly number[], threshold: number, window = RECOVERY_WINDOW_S): number | undefined {
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const windowAt = (j: number): number[] => buckets.slice(Math.max(0, Math.min(j, buckets.length - window)), Math.max(0, Math.min(j, buckets.length - window)) + window);
  for (let i = 0; i < buckets.length; i++) {
    if ((buckets[i] ?? 0) < threshold) continue;
    let held = true;
    for (let j = i; j < buckets.length && held; j++) held = mean(windowAt(j)) >= threshold;
    if (held) return i;
  }
  return undefined;
}

/** The clients of the load: each writer's officer, and Audit's auditor for the reads. */
const LOAD_CLIENTS: readonly (readonly [Department, Role])[] = [...WRITERS.map((d) => [d, 'officer'] as const), ['audit', 'auditor']];

/**
 * Waits until every client of the load has at least half of its per-token rate limit left in the current
 * window (the gateway's RateLimit header, express-rate-limit draft-7: "limit=600, remaining=N, reset=S"):
 * in `npm test` the fuzzing just before may have spent a token's window, and a 429 would be the tests' own
 * doing, not a fault's. Returns what it waited for, for the report.
 */
export async function waitForRateLimitHeadroom(probeId: string, maxWaitS = 65): Promise<string[]> {
  const waited: string[] = [];
  for (const [department, role] of LOAD_CLIENTS) {
    const gateway = gatewaysFile()[department];
    const answer = await httpRequest(`${gateway.url}/api/v1/datasets/${probeId}`, {
      headers: { authorization: `Bearer ${gateway.tokens[role]}` },
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const field = (name: string): number | undefined => {
      const match = new RegExp(`${name}=(\\d+)`).exec(answer.headers.ratelimit ?? '');
      return match?.[1] === undefined ? undefined : Number(match[1]);
    };
    const [limit, remaining, reset] = [field('limit'), field('remaining'), field('reset')];
    if (limit !== undefined && remaining !== undefined && reset !== undefined && remaining < limit / 2) {
      const seconds = Math.min(reset + 1, maxWaitS);
      waited.push(`${department} ${role}: ${String(remaining)} of ${String(limit)} left, waited ${String(seconds)}s for the next window`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
  return waited;
}
