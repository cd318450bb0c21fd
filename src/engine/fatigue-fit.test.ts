import { describe, expect, it } from 'vitest';
import { erfc, FATIGUE_FIT_ALPHA, fatigueCandidateZ, fitChangePoint, isFatigueFit, upperNormalTail } from './fatigue-fit.ts';
import { emptyMetrics } from './metrics.ts';
import { createRng } from './random.ts';
import type { Metrics, SegmentDay } from './types.ts';

const dateOf = (i: number) => `2026-11-${String(i + 1).padStart(2, '0')}`;

/** Days with binomial clicks at ctrOf(day), 2,000 impressions a day unless given. */
function series(days: number, ctrOf: (day: number) => number, seed = 1, impressions = 2_000): SegmentDay[] {
  const rng = createRng(seed);
  return Array.from({ length: days }, (_, i) => ({ date: dateOf(i), impressions, clicks: rng.binomial(impressions, ctrOf(i)), reach: Math.round(impressions / 1.25) }));
}

describe('erfc and the normal tail', () => {
  it('matches known values to about 1e-7 relative, far into the tail', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(upperNormalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperNormalTail(3.090232) / 0.001).toBeCloseTo(1, 5);
    expect(upperNormalTail(5) / 2.866516e-7).toBeCloseTo(1, 4);
    expect(upperNormalTail(-1.959964)).toBeCloseTo(0.975, 6);
  });
});

describe('fitChangePoint', () => {
  it('finds a step down where it happened, with the CTR on each side, and calls it fatigue', () => {
    const fit = fitChangePoint(series(30, (d) => (d < 20 ? 0.02 : 0.01)));
    expect(fit).not.toBeNull();
    expect(fit!.breakDate).toBe(dateOf(20));
    expect(fit!.ctrBefore).toBeCloseTo(0.02, 2);
    expect(fit!.ctrAfter).toBeCloseTo(0.01, 2);
    expect(fit!.pValue).toBeLessThan(1e-6);
    expect(fit!.breaksSearched).toBe(30 - 2 * 3 + 1);
    // 20 days × 2,000 impressions before the break, over the largest daily reach (1,600 people).
    expect(fit!.breakFrequency).toBeCloseTo((20 * 2_000) / 1_600, 6);
    expect(isFatigueFit(fit, 0.75)).toBe(true);
  });

  it('does not call a flat CTR fatigued: over 200 noisy flat series, false alarms stay below the nominal rate', () => {
    let alarms = 0;
    for (let seed = 1; seed <= 200; seed++) if (isFatigueFit(fitChangePoint(series(30, () => 0.015, seed, 1_500)), 0.9)) alarms++;
    expect(alarms / 200).toBeLessThanOrEqual(FATIGUE_FIT_ALPHA);
  });

  it('needs the decline to be at least the configured size, however significant', () => {
    const fit = fitChangePoint(series(30, (d) => (d < 15 ? 0.02 : 0.017), 3, 50_000));
    expect(fit!.pValue).toBeLessThan(FATIGUE_FIT_ALPHA);
    expect(isFatigueFit(fit, 0.75)).toBe(false);
    expect(isFatigueFit(fit, 0.9)).toBe(true);
  });

  it('discounts day-to-day swings beyond binomial noise (overdispersion)', () => {
    // Alternating ±30 % days: far more spread than binomial noise at 20,000 impressions a day.
    const swinging = series(30, (d) => (d % 2 === 0 ? 0.013 : 0.02) * (d < 24 ? 1 : 0.85), 5, 20_000);
    const fit = fitChangePoint(swinging)!;
    expect(fit.dispersion).toBeGreaterThan(5);
    expect(isFatigueFit(fit, 0.9)).toBe(false);
  });

  it('ignores rises, skips days without delivery, and needs three days and 1,000 impressions on each side', () => {
    expect(fitChangePoint(series(30, (d) => (d < 20 ? 0.01 : 0.02)))).toBeNull();
    expect(fitChangePoint(series(5, () => 0.02))).toBeNull();
    expect(fitChangePoint(series(30, (d) => (d < 20 ? 0.02 : 0.01), 1, 60))).toBeNull();
    const gaps = series(30, (d) => (d < 20 ? 0.02 : 0.01)).map((d, i) => (i % 3 === 0 ? { ...d, impressions: 0, clicks: 0, reach: 0 } : d));
    expect(fitChangePoint(gaps)!.days).toBe(20);
  });

  it('reports cumulative impressions only when reach is unknown', () => {
    const fit = fitChangePoint(series(30, (d) => (d < 20 ? 0.02 : 0.01)).map((d) => ({ ...d, reach: 0 })));
    expect(fit!.breakFrequency).toBeNull();
    expect(fit!.breakImpressions).toBe(40_000);
  });
});

describe('fatigueCandidateZ', () => {
  const m = (impressions: number, clicks: number): Metrics => ({ ...emptyMetrics(), impressions, clicks });
  it('passes a recent drop of a standard error or more, with enough impressions for a fit', () => {
    expect(fatigueCandidateZ(m(30_000, 450), m(7_000, 70))).toBeLessThan(-1);
    expect(fatigueCandidateZ(m(30_000, 450), m(7_000, 105))).toBeNull(); // no drop
    expect(fatigueCandidateZ(m(1_500, 30), m(300, 1))).toBeNull(); // too small to fit
    expect(fatigueCandidateZ(m(30_000, 450), m(0, 0))).toBeNull();
  });
});
