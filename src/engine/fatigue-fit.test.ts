import { describe, expect, it } from 'vitest';
import { createStubMarket, getTruth } from '../simulation/market.ts';
import { erfc, FATIGUE_FIT_ALPHA, fatigueCandidateZ, fitChangePoint, isFatigueFit, upperNormalTail } from './fatigue-fit.ts';
import { addRow, emptyMetrics } from './metrics.ts';
import { createRng } from './random.ts';
import { detectFatigue } from './scoring.ts';
import { SEED_SETTINGS } from './test-settings.ts';
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

// Detection on the stub market, whose truth marks about 5 % of interests and behaviors fatigued
// (CTR decays linearly over the window's last 10 days). Each (ad set, segment) is one case, judged
// by the seed's z-test (recent 7 days against earlier) and by the fit on its daily points.
describe('detection on 20 stub markets: the fit against the seed z-test', () => {
  it('measures true and false positive rates', () => {
    const count = { positives: 0, negatives: 0, zTrue: 0, zFalse: 0, fitTrue: 0, fitFalse: 0, candidates: 0, missedByScreen: 0 };
    for (let seed = 1; seed <= 20; seed++) {
      const market = createStubMarket({ seed, campaigns: 1, days: 30, endDate: '2026-11-30' });
      const fatigued = new Map(getTruth(market).campaigns[0]!.segments.map((s) => [s.segmentId, s.fatigued]));
      const cases = new Map<string, { fatigued: boolean; days: SegmentDay[]; total: Metrics; recent: Metrics }>();
      for (const row of market.rows()) {
        if (row.segmentType !== 'interest' && row.segmentType !== 'behavior') continue;
        const key = `${row.adsetId}:${row.segmentId}`;
        let c = cases.get(key);
        if (!c) cases.set(key, (c = { fatigued: fatigued.get(row.segmentId)!, days: [], total: emptyMetrics(), recent: emptyMetrics() }));
        c.days.push({ date: row.date, impressions: row.impressions, clicks: row.clicks, reach: row.reach ?? 0 });
        addRow(c.total, row);
        if (row.date >= '2026-11-24') addRow(c.recent, row);
      }
      for (const c of cases.values()) {
        const z = detectFatigue(c.total, c.recent, SEED_SETTINGS).isFatigued;
        // As in a run: only the store's candidates get daily points and a fit.
        const candidate = fatigueCandidateZ(c.total, c.recent) !== null;
        const fit = candidate && isFatigueFit(fitChangePoint(c.days), SEED_SETTINGS.fatigueCtrDropRatio);
        if (candidate) count.candidates++;
        if (c.fatigued) {
          count.positives++;
          if (z) count.zTrue++;
          if (fit) count.fitTrue++;
          if (!candidate && isFatigueFit(fitChangePoint(c.days), SEED_SETTINGS.fatigueCtrDropRatio)) count.missedByScreen++;
        } else {
          count.negatives++;
          if (z) count.zFalse++;
          if (fit) count.fitFalse++;
        }
      }
    }
    const rate = (n: number, d: number) => `${n}/${d} = ${((100 * n) / d).toFixed(1)} %`;
    console.log(
      `fatigue detection, 20 stub markets × 2 ad sets (30 days):\n` +
      `  z-test (seed): true positives ${rate(count.zTrue, count.positives)}, false positives ${rate(count.zFalse, count.negatives)}\n` +
      `  change-point fit (bayes): true positives ${rate(count.fitTrue, count.positives)}, false positives ${rate(count.fitFalse, count.negatives)}\n` +
      `  candidates for a fit: ${rate(count.candidates, count.positives + count.negatives)}; fatigued segments the screen kept from a fit that would have found them: ${count.missedByScreen}`,
    );
    // Measured (see the report printed above): the fit raises a tenth of the z-test's false alarms
    // and finds about two thirds of what it finds (38 % against 59 % when written). It is judged
    // daily and a false call costs a whole rest, hence its strict level (FATIGUE_FIT_ALPHA). The
    // z-test's recent window also happens to match where the stub puts its decline (the last 10
    // days), which a fit that searches for the break cannot beat.
    expect(count.positives).toBe(160);
    expect(count.fitFalse * 5).toBeLessThan(count.zFalse);
    expect(count.fitFalse / count.negatives).toBeLessThan(0.002);
    expect(count.fitTrue / count.positives).toBeGreaterThan(0.3);
    expect(count.fitTrue).toBeGreaterThanOrEqual(0.55 * count.zTrue);
  });
});
