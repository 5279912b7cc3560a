import { CommitFailedError, GovshareChaincodeError } from '../src/fabric/errors';
import { backoffDelayMs, retryOnMvccConflict, type RetryEnvironment } from '../src/fabric/retry';

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150 };

function fakeClock(random = 0.5): RetryEnvironment & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    random: () => random,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  };
}

const mvcc = () => new CommitFailedError('MVCC_READ_CONFLICT', 'conflict', { txId: 'tx' });

describe('retryOnMvccConflict', () => {
  it('retries an MVCC_READ_CONFLICT with a fresh attempt and returns the eventual result', async () => {
    const env = fakeClock();
    const attempts: number[] = [];

    const result = await retryOnMvccConflict(
      (n) => {
        attempts.push(n);
        return n < 3 ? Promise.reject(mvcc()) : Promise.resolve('committed');
      },
      policy,
      env,
    );

    expect(result).toBe('committed');
    expect(attempts).toEqual([1, 2, 3]);
    expect(env.slept).toEqual([50, 75]); // 0.5 × min(150, 100·2^(n-1))
  });

  it('gives up after maxAttempts and rethrows the conflict', async () => {
    const env = fakeClock();
    let calls = 0;

    await expect(
      retryOnMvccConflict(
        () => {
          calls++;
          return Promise.reject(mvcc());
        },
        policy,
        env,
      ),
    ).rejects.toMatchObject({ validationCode: 'MVCC_READ_CONFLICT' });
    expect(calls).toBe(3);
    expect(env.slept).toHaveLength(2);
  });

  it.each([
    ['another validation code', new CommitFailedError('ENDORSEMENT_POLICY_FAILURE', 'policy')],
    ['a chaincode error', new GovshareChaincodeError('DATASET_EXISTS', 'exists')],
    ['an unexpected error', new Error('boom')],
  ])('does not retry %s', async (_case, error) => {
    const env = fakeClock();
    let calls = 0;

    await expect(
      retryOnMvccConflict(
        () => {
          calls++;
          return Promise.reject(error);
        },
        policy,
        env,
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(env.slept).toEqual([]);
  });
});

describe('backoffDelayMs', () => {
  it('is jittered within an exponentially growing, capped window', () => {
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelayMs(policy, 2, () => 0.999)).toBe(149);
    expect(backoffDelayMs(policy, 10, () => 0.999)).toBe(149);
  });
});
