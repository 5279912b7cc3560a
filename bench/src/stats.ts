/** Throughput and latency percentiles of one measured trial. */
export interface TrialResult {
  readonly label: string;
  readonly completed: number;
  readonly errors: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarise(label: string, latenciesMs: readonly number[], errors: number, seconds: number): TrialResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    label,
    completed: sorted.length,
    errors,
    seconds,
    throughput: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

/** Combines repeated trials of the same thing: all samples pooled, throughput over all time. */
export function pool(label: string, trials: readonly TrialResult[], samples: readonly number[]): TrialResult {
  const seconds = trials.reduce((sum, trial) => sum + trial.seconds, 0);
  const errors = trials.reduce((sum, trial) => sum + trial.errors, 0);
  return summarise(label, samples, errors, seconds);
}
