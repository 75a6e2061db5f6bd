import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../src/db/monotonic-ms.js';

describe('monotonicMs', () => {
  it('should advance as performance.now() does, in fractions of a millisecond', async () => {
    const [ours, theirs] = [monotonicMs(), performance.now()];
    await sleep(50);
    const [oursLater, theirsLater] = [monotonicMs(), performance.now()];
    expect(oursLater - ours).toBeGreaterThanOrEqual(49);
    // Two clocks read back to back on a busy machine may be a few ms apart; a wrong unit is 1000x off.
    expect(Math.abs(oursLater - ours - (theirsLater - theirs))).toBeLessThan(10);
    // Microseconds are kept: a millisecond clock would step in whole numbers.
    const readings = Array.from({ length: 1_000 }, monotonicMs);
    expect(readings.some((ms) => !Number.isInteger(ms))).toBe(true);
  });
});
