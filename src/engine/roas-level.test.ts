import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { recentRoasLevel } from './roas-level.ts';
import type { Metrics } from './types.ts';

const spending = (spendMinor: number, revenueMinor: number): Metrics => ({ ...emptyMetrics(), spendMinor, spendWithRevenueMinor: spendMinor, revenueMinor });

describe('recentRoasLevel', () => {
  it('moves the level to the recent ROAS when the recent days carry much more spend than the strength', () => {
    // Window 3.0, recent 4.0 on 10,000 major units against a strength of 100: level ≈ 3.99.
    const level = recentRoasLevel(spending(3_000_000, 9_000_000), spending(1_000_000, 4_000_000), 100, 100);
    expect(level.windowRoas).toBeCloseTo(3, 10);
    expect(level.recentRoas).toBeCloseTo(4, 10);
    expect(level.factor).toBeCloseTo((4 * 10_000 + 3 * 100) / 10_100 / 3, 10);
  });

  it('moves a small account little: 50 major units of recent spend against a strength of 100 move a third of the way', () => {
    const level = recentRoasLevel(spending(30_000, 60_000), spending(5_000, 20_000), 100, 100);
    // Window 2.0, recent 4.0: (4 × 50 + 2 × 100) / 150 = 2.667, factor 1.333.
    expect(level.factor).toBeCloseTo(4 / 3, 10);
  });

  it('counts spend in major units, so a yen account is not shrunk 100× less than a euro one', () => {
    const euro = recentRoasLevel(spending(30_000, 60_000), spending(5_000, 20_000), 100, 100);
    const yen = recentRoasLevel(spending(300, 600), spending(50, 200), 100, 1);
    expect(yen.factor).toBeCloseTo(euro.factor, 10);
  });

  it('leaves the rates alone without revenue in the window or in the recent days', () => {
    expect(recentRoasLevel(emptyMetrics(), spending(5_000, 20_000), 100, 100)).toEqual({ factor: 1, windowRoas: null, recentRoas: 4 });
    expect(recentRoasLevel(spending(30_000, 0), spending(5_000, 0), 100, 100).factor).toBe(1);
    expect(recentRoasLevel(spending(30_000, 60_000), emptyMetrics(), 100, 100)).toEqual({ factor: 1, windowRoas: 2, recentRoas: null });
  });

  it('with a zero strength takes the recent ROAS as it is', () => {
    expect(recentRoasLevel(spending(30_000, 60_000), spending(5_000, 5_000), 0, 100).factor).toBeCloseTo(0.5, 10);
  });
});
