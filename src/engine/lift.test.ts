import { describe, expect, it } from 'vitest';
import { type ArmCell, compareArms, fCdf, fQuantile, normalQuantile, studentTCdf, studentTQuantile, summarizeArm } from './lift.ts';
import { createRng, type Rng } from './random.ts';
import type { Metrics } from './types.ts';

const metrics = (m: Partial<Metrics>): Metrics => ({
  impressions: 0, clicks: 0, spendMinor: 0, reach: 0, impressionsWithReach: 0, conversions: 0, clicksWithConversions: 0, revenueMinor: 0, spendWithRevenueMinor: 0, ...m,
});

const day = (i: number) => `2026-12-${String(i + 1).padStart(2, '0')}`;

interface ArmTruth {
  ctr: number;
  cvr: number;
  /** Revenue per conversion, minor units. */
  orderValue: number;
}

/**
 * A simulated arm: adsets × days cells. Impressions per cell vary (lognormal, log-sd 0.5), and each
 * cell's CTR, CVR and order value are the arm's truth times mean-1 gamma noise (shape 12, i.e.
 * ±29 % from day to day: far more than binomial noise, as in real delivery), then clicks and
 * conversions are binomial draws. The ratios of expected sums are exactly the truth's rates.
 */
function simulateArm(rng: Rng, truth: ArmTruth, adsets: number, days: number, adsetEffects: readonly ArmTruth[] | null = null): ArmCell[] {
  const noise = () => rng.gamma(12, 1 / 12);
  const cells: ArmCell[] = [];
  for (let a = 0; a < adsets; a++) {
    // A persistent ad set effect (multipliers), the same in every period when given.
    const m = adsetEffects?.[a] ?? { ctr: 1, cvr: 1, orderValue: 1 };
    for (let d = 0; d < days; d++) {
      const impressions = Math.round(20_000 * Math.exp(rng.normal(0, 0.5)));
      const clicks = rng.binomial(impressions, Math.min(1, truth.ctr * m.ctr * noise()));
      const conversions = rng.binomial(clicks, Math.min(1, truth.cvr * m.cvr * noise()));
      // Sum of `conversions` order values, each gamma(shape 2) with the cell's mean: gamma(2k).
      const revenueMinor = conversions > 0 ? Math.round(rng.gamma(2 * conversions, (truth.orderValue * m.orderValue * noise()) / 2)) : 0;
      const spendMinor = Math.round(impressions * 0.9); // a 9 EUR CPM
      cells.push({ date: day(d), adsetId: `a${a}`, metrics: metrics({ impressions, clicks, conversions, clicksWithConversions: clicks, spendMinor, revenueMinor, spendWithRevenueMinor: spendMinor }) });
    }
  }
  return cells;
}

describe('fQuantile', () => {
  it("matches the tables' 95 % points, and F(1, d) is the square of t(d)", () => {
    expect(fQuantile(0.95, 1, 10)).toBeCloseTo(4.9646, 3);
    expect(fQuantile(0.95, 5, 30)).toBeCloseTo(2.5336, 3);
    expect(fQuantile(0.95, 20, 120)).toBeCloseTo(1.6587, 3);
    expect(fQuantile(0.95, 3, 2)).toBeCloseTo(19.164, 2);
    for (const d of [2, 7, 40]) expect(fQuantile(0.95, 1, d)).toBeCloseTo(studentTQuantile(0.975, d) ** 2, 6);
  });

  it('is the inverse of the CDF', () => {
    for (const [d1, d2] of [[2, 9], [18, 150], [4.5, 33.2]] as const) {
      for (const p of [0.1, 0.5, 0.95, 0.999]) expect(fCdf(fQuantile(p, d1, d2), d1, d2)).toBeCloseTo(p, 9);
    }
    expect(() => fQuantile(0.95, 0, 10)).toThrow(RangeError);
  });
});

describe('studentTQuantile', () => {
  it('matches the tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3027, 3);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5706, 3);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 3);
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.95996, 4);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.5706, 3);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902, 3);
  });

  it('is the inverse of the CDF for fractional degrees of freedom', () => {
    for (const df of [1.5, 3.7, 12.3, 250.5]) {
      for (const p of [0.6, 0.9, 0.975, 0.999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
    }
  });
});

describe('compareArms', () => {
  it('gives zero lift and an interval around it for identical arms', () => {
    const rng = createRng(1);
    const arm = simulateArm(rng, { ctr: 0.015, cvr: 0.03, orderValue: 4000 }, 3, 10);
    const r = compareArms(arm, arm);
    expect(r.state).toBe('ok');
    for (const k of ['ctr', 'cvr', 'roas'] as const) {
      expect(r[k].lift).toBeCloseTo(0, 12);
      expect(r[k].ci95!.low).toBeLessThan(0);
      expect(r[k].ci95!.high).toBeGreaterThan(0);
      // On the log scale the interval is symmetric: (1 + low)(1 + high) = 1.
      expect((1 + r[k].ci95!.low) * (1 + r[k].ci95!.high)).toBeCloseTo(1, 10);
    }
  });

  it('finds a large true lift and excludes zero', () => {
    const rng = createRng(2);
    const t = simulateArm(rng, { ctr: 0.02, cvr: 0.03, orderValue: 4000 }, 3, 14);
    const h = simulateArm(rng, { ctr: 0.01, cvr: 0.03, orderValue: 4000 }, 3, 14);
    const r = compareArms(t, h);
    expect(r.ctr.lift!).toBeGreaterThan(0.6);
    expect(r.ctr.ci95!.low).toBeGreaterThan(0.5);
    expect(r.ctr.ci95!.high).toBeLessThan(1.6);
    expect(r.ctr.treatment! / r.ctr.holdout! - 1).toBeCloseTo(r.ctr.lift!, 12);
  });

  it('covers the true lift in about 95 % of 400 seeded simulations (CTR, CVR and ROAS)', () => {
    const base: ArmTruth = { ctr: 0.015, cvr: 0.03, orderValue: 4000 };
    const lifted: ArmTruth = { ctr: 0.015 * 1.1, cvr: 0.03 * 0.95, orderValue: 4000 * 1.05 };
    const truth = { ctr: 1.1 - 1, cvr: 0.95 - 1, roas: 1.1 * 0.95 * 1.05 - 1 };
    const covered = { ctr: 0, cvr: 0, roas: 0 };
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const rng = createRng(`lift-coverage-${s}`);
      // 3 treatment and 2 holdout ad sets over 10 days: a small, realistic experiment.
      const r = compareArms(simulateArm(rng, lifted, 3, 10), simulateArm(rng, base, 2, 10));
      for (const k of ['ctr', 'cvr', 'roas'] as const) {
        expect(r[k].state).toBe('ok');
        if (r[k].ci95!.low <= truth[k] && truth[k] <= r[k].ci95!.high) covered[k]++;
      }
    }
    for (const k of ['ctr', 'cvr', 'roas'] as const) {
      expect(covered[k] / runs).toBeGreaterThanOrEqual(0.9);
      expect(covered[k] / runs).toBeLessThanOrEqual(0.99);
    }
  });

  it('adjusted by the pre-period, covers the true lift despite persistent ad set differences (400 simulations)', () => {
    const base: ArmTruth = { ctr: 0.015, cvr: 0.03, orderValue: 4000 };
    const lifted: ArmTruth = { ctr: 0.015 * 1.1, cvr: 0.03 * 0.95, orderValue: 4000 * 1.05 };
    const truth = { ctr: 0.1, cvr: -0.05, roas: 1.1 * 0.95 * 1.05 - 1 };
    const covered = { raw: { ctr: 0, cvr: 0, roas: 0 }, adjusted: { ctr: 0, cvr: 0, roas: 0 } };
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const rng = createRng(`lift-adjusted-${s}`);
      // Ad sets differ persistently by ±20 % (log-sd 0.2) in each rate, as the STUB market's do.
      const effects = () => Array.from({ length: 3 }, () => ({ ctr: Math.exp(rng.normal(0, 0.2)), cvr: Math.exp(rng.normal(0, 0.2)), orderValue: Math.exp(rng.normal(0, 0.2)) }));
      const et = effects();
      const eh = effects();
      const baseline = { treatment: simulateArm(rng, base, 3, 28, et), holdout: simulateArm(rng, base, 2, 28, eh) };
      const r = compareArms(simulateArm(rng, lifted, 3, 10, et), simulateArm(rng, base, 2, 10, eh), undefined, baseline);
      for (const k of ['ctr', 'cvr', 'roas'] as const) {
        const a = r[k].adjusted!;
        if (a.ci95.low <= truth[k] && truth[k] <= a.ci95.high) covered.adjusted[k]++;
        if (r[k].ci95!.low <= truth[k] && truth[k] <= r[k].ci95!.high) covered.raw[k]++;
      }
    }
    for (const k of ['ctr', 'cvr', 'roas'] as const) {
      expect(covered.adjusted[k] / runs, JSON.stringify(covered)).toBeGreaterThanOrEqual(0.9);
      expect(covered.adjusted[k] / runs).toBeLessThanOrEqual(0.99);
      // Without the adjustment the persistent differences make the raw interval miss far more often.
      expect(covered.raw[k] / runs, JSON.stringify(covered)).toBeLessThan(0.8);
    }
  });

  it('says "not enough data" with the reason instead of a number', () => {
    const rng = createRng(3);
    const none = compareArms([], []);
    expect(none).toMatchObject({ state: 'not_enough_data', ctr: { state: 'not_enough_data', lift: null, ci95: null } });
    expect(none.reason).toMatch(/treatment arm has 0 day\(s\).*at least 3/);

    // Two days: too few, whatever the volume.
    const twoDays = compareArms(simulateArm(rng, { ctr: 0.015, cvr: 0.03, orderValue: 4000 }, 3, 2), simulateArm(rng, { ctr: 0.015, cvr: 0.03, orderValue: 4000 }, 3, 2));
    expect(twoDays.state).toBe('not_enough_data');
    expect(twoDays.roas.reason).toMatch(/2 day\(s\)/);

    // Enough days and clicks, too few conversions: CTR is reported, CVR and ROAS are not.
    const fewConversions = (cells: ArmCell[]) => cells.map((c) => ({ ...c, metrics: { ...c.metrics, conversions: c.metrics.conversions > 0 ? 1 : 0 } }));
    const t = fewConversions(simulateArm(rng, { ctr: 0.015, cvr: 0.001, orderValue: 4000 }, 2, 5));
    const h = fewConversions(simulateArm(rng, { ctr: 0.015, cvr: 0.001, orderValue: 4000 }, 2, 5));
    const partial = compareArms(t, h);
    expect(partial.state).toBe('ok');
    expect(partial.ctr.state).toBe('ok');
    expect(partial.cvr).toMatchObject({ state: 'not_enough_data', lift: null });
    expect(partial.cvr.reason).toMatch(/conversions since the start; at least 30/);
    expect(partial.roas.state).toBe('not_enough_data');
  });

  it('summarizes an arm: sums, ad sets and days with delivery', () => {
    const cells: ArmCell[] = [
      { date: day(0), adsetId: 'a', metrics: metrics({ impressions: 100, clicks: 3, spendMinor: 50 }) },
      { date: day(1), adsetId: 'a', metrics: metrics({ impressions: 0 }) },
      { date: day(0), adsetId: 'b', metrics: metrics({ impressions: 200, clicks: 5, spendMinor: 70 }) },
    ];
    expect(summarizeArm(cells)).toEqual({ adsets: 2, days: 1, total: metrics({ impressions: 300, clicks: 8, spendMinor: 120 }) });
  });
});
