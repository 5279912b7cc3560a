import { isMvccReadConflict } from './errors';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 };

export interface RetryEnvironment {
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  readonly onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

export const realRetryEnvironment: RetryEnvironment = {
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
  random: Math.random,
};

/** "Full jitter" exponential backoff: a uniform delay in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `attempt` until it succeeds, retrying (with backoff) only the failures `retryable` accepts. */
export async function retryWhile<T>(
  retryable: (err: unknown) => boolean,
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  env: RetryEnvironment = realRetryEnvironment,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (err) {
      if (!retryable(err) || attemptNumber >= policy.maxAttempts) {
        throw err;
      }
      const delayMs = backoffDelayMs(policy, attemptNumber, env.random);
      env.onRetry?.(attemptNumber, delayMs, err);
      await env.sleep(delayMs);
    }
  }
}

/**
 * Runs `attempt` until it succeeds, retrying only MVCC_READ_CONFLICT commit failures. Each call must build a NEW
 * transaction (new txId): a conflicting transaction is invalid on the ledger and cannot be resubmitted.
 */
export async function retryOnMvccConflict<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  env: RetryEnvironment = realRetryEnvironment,
): Promise<T> {
  return retryWhile(isMvccReadConflict, attempt, policy, env);
}
