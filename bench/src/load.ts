/**
 * Two load shapes, bounded in time: closed loop (N workers, each starts its next call when the
 * previous one ends) and open loop (calls start at a fixed rate, whatever the latency).
 */
import { performance } from 'node:perf_hooks';

export interface Samples {
  readonly latenciesMs: number[];
  errors: number;
  readonly firstErrors: string[];
  seconds: number;
}

function newSamples(): Samples {
  return { latenciesMs: [], errors: 0, firstErrors: [], seconds: 0 };
}

async function timed(samples: Samples, call: (sequence: number) => Promise<unknown>, sequence: number): Promise<void> {
  const start = performance.now();
  try {
    await call(sequence);
    samples.latenciesMs.push(performance.now() - start);
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
  const started = performance.now();
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
  const started = performance.now();
  const total = Math.round(ratePerSecond * seconds);
  const inFlight: Promise<void>[] = [];
  for (let sequence = 1; sequence <= total; sequence += 1) {
    const due = started + ((sequence - 1) * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(timed(samples, call, sequence));
  }
  await Promise.all(inFlight);
  samples.seconds = (performance.now() - started) / 1000;
  return samples;
}
