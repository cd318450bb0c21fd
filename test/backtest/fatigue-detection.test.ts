// The change-point fit judges fatigue daily, and a false call costs a whole rest, hence its strict
// level: it must raise far fewer false alarms than the specification's z-test while still finding
// a good part of what the z-test finds. `npm run bench:fatigue` prints the rates.
import { describe, expect, it } from 'vitest';
import { measureFatigueDetection } from '../../src/backtest/fatigue-detection.ts';
import { SPEC_SETTINGS } from '../../src/engine/test-settings.ts';

describe('fatigue detection on 20 stub markets: the fit against the specification z-test', () => {
  it('raises under a fifth of the z-test false alarms and finds over half of what it finds', () => {
    const count = measureFatigueDetection(20, SPEC_SETTINGS);
    expect(count.positives).toBe(160);
    expect(count.fitFalse * 5).toBeLessThan(count.zFalse);
    expect(count.fitFalse / count.negatives).toBeLessThan(0.002);
    expect(count.fitTrue / count.positives).toBeGreaterThan(0.3);
    expect(count.fitTrue).toBeGreaterThanOrEqual(0.55 * count.zTrue);
  });
});
