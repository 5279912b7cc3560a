/**
 * Two load shapes, bounded in time: closed loop (N workers, each starts its next call when the
 * previous one ends) and open loop (calls start at a fixed rate, whatever the latency; each call's
 * latency counts from its scheduled start).
 */
import { performance } from 'node:perf_hooks';

export interface Samples {
  readonly latenciesMs: number[];
  /** When each success completed, in ms since the trial started (same order as latenciesMs). */
  readonly completedAtMs: number[];
  errors: number;
  readonly firstErrors: string[];
  seconds: number;
  /** performance.now() when the trial started. */
  readonly startedAt: number;
}

function newSamples(): Samples {
  return { latenciesMs: [], completedAtMs: [], errors: 0, firstErrors: [], seconds: 0, startedAt: performance.now() };
}

/** Runs one call; its latency counts from `start` (an open loop passes the call's scheduled time). */
async function timed(samples: Samples, call: (sequence: number) => Promise<unknown>, sequence: number, start = performance.now()): Promise<void> {
  try {
    await call(sequence);
    const end = performance.now();
    samples.latenciesMs.push(end - start);
    samples.completedAtMs.push(end - samples.startedAt);
  } catch (error) {
    samples.errors += 1;
    if (samples.firstErrors.length < 3) samples.firstErrors.push(error instanceof Error ? error.message : String(error));
  }
}

export async function closedLoop(
  concurrency: number,
  seconds: number,
  call: (sequence: number) => Promise<unknown>,
): Promise<Samples> {
  const samples = newSamples();
  const started = samples.startedAt;
  const deadline = started + seconds * 1000;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      sequence += 1;
      await timed(samples, call, sequence);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  samples.seconds = (performance.now() - started) / 1000;
  return samples;
}

export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  call: (sequence: number) => Promise<unknown>,
): Promise<Samples> {
  const samples = newSamples();
  const started = samples.startedAt;
  const total = Math.round(ratePerSecond * seconds);
  const inFlight: Promise<void>[] = [];
  for (let sequence = 1; sequence <= total; sequence += 1) {
    const due = started + ((sequence - 1) * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Latency from the scheduled send, not from when the generator got round to it: a generator that
    // lags (a busy event loop) must not hide the queueing it causes (coordinated omission).
    inFlight.push(timed(samples, call, sequence, due));
  }
  await Promise.all(inFlight);
  samples.seconds = (performance.now() - started) / 1000;
  return samples;
}
