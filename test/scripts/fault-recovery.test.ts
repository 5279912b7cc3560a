/** The fault suite's rule for "throughput is back" (test/faults/load.ts), on the bucket series CI runs produced. */
import { recoveredFrom } from '../faults/load';

describe('recoveredFrom: the second from which throughput counts as back', () => {
  it('waits for the first second that itself reaches the threshold, however large the backlog burst after it', () => {
    // Leader SIGKILL in a CI run: nothing for 3 s, then the backlog of the new view.
    expect(recoveredFrom([0, 0, 0, 35, 10, 10, 7, 10, 10, 7, 10, 8, 10, 10], 4.6)).toBe(3);
  });

  it("does not fail on one low bucket of the load's jitter, at the end of the series or inside it", () => {
    // peer0.justice down (its third of the load refused by design), from two CI runs that the 1-s and 2-s rules failed.
    expect(recoveredFrom([8, 6, 5, 7, 7, 4, 7, 7, 4, 7, 6, 6, 6, 7, 4], 4.6)).toBe(0);
    expect(recoveredFrom([4, 7, 7, 5, 5, 8, 4, 6, 7, 7, 5, 7, 4, 7], 4.4)).toBe(1);
  });

  it('fails a throughput that stays low for longer than one window, and one that never comes back', () => {
    expect(recoveredFrom([9, 9, 9, 2, 3, 2, 9, 9, 9], 4.6)).toBe(6);
    expect(recoveredFrom([9, 9, 9, 9, 2, 3, 2], 4.6)).toBeUndefined();
    expect(recoveredFrom([0, 0, 0, 0], 4.6)).toBeUndefined();
  });
});
