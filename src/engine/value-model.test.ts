import { describe, expect, it } from 'vitest';
import { fitStrengths, fittedPrior, NOMINAL_CONVERSION_RATE, pooledPrior, shrunkOrderValue, valuePerImpression } from './value-model.ts';
import { addMetrics, addRow, emptyMetrics, orderEvidence } from './metrics.ts';
import { smooth } from './scoring.ts';
import type { InsightRow, Metrics } from './types.ts';

const row = (impressions: number, clicks: number, conversions: number | null, revenueMinor: number | null): InsightRow => ({
  date: '2026-11-01', campaignId: 'c', adsetId: 'a', segmentType: 'interest', segmentId: 's', segmentName: 's', country: '', age: '', gender: '',
  impressions, reach: null, clicks, conversions, spendMinor: impressions, revenueMinor, currency: 'EUR',
});
const totalOf = (...rows: InsightRow[]) => rows.reduce((m, r) => addRow(m, r), emptyMetrics());
const poolOf = (units: readonly Metrics[]) => units.reduce((acc, m) => addMetrics(acc, m), emptyMetrics());

describe('value per impression', () => {
  it('is the product of the three shrunk rates where every row knows conversions and revenue', () => {
    const m = totalOf(row(10_000, 200, 8, 4_000), row(5_000, 90, 3, 1_800));
    const prior = pooledPrior(totalOf(row(100_000, 1_500, 40, 20_000)));
    const ctr = smooth(prior.ctr, prior.strengths.ctr, 290 / 15_000, 15_000);
    const cvr = smooth(prior.cvr, prior.strengths.cvr, 11 / 290, 290);
    const order = smooth(prior.order!, prior.strengths.order, 5_800 / 11, 11);
    expect(valuePerImpression(m, prior)).toBe(ctr * cvr * order);
    // No unpaired field appears where every row knew both.
    expect(Object.keys(m)).toHaveLength(9);
  });

  it('reads what revenue-only rows say a click is worth, instead of the prior alone', () => {
    // The pool knows both on most rows: 2 % of clicks convert at 500 per order (10 per click).
    const known = [totalOf(row(50_000, 1_000, 20, 10_000)), totalOf(row(40_000, 800, 16, 8_000))];
    const rich = totalOf(row(30_000, 600, null, 18_000)); // 30 per click
    const poor = totalOf(row(30_000, 600, null, 2_000)); // about 3.3 per click
    const prior = pooledPrior(poolOf([...known, rich, poor]));
    const value = (m: Metrics) => valuePerImpression(m, prior);
    expect(value(rich)).toBeGreaterThan(value(known[0]!));
    expect(value(known[0]!)).toBeGreaterThan(value(poor));
    // 600 clicks against a strength of 200: three quarters of the way from the pool to each own figure.
    expect(value(rich) / value(poor)).toBeGreaterThan(3);
  });

  it('takes the order value from the rows that know both, not revenue whose conversions are unknown', () => {
    const m = totalOf(row(10_000, 200, 10, 5_000), row(10_000, 200, null, 40_000), row(10_000, 200, 30, null));
    expect(orderEvidence(m)).toEqual({ revenueMinor: 5_000, conversions: 10 });
    const prior = { order: 500, strengths: { ctr: 1, cvr: 1, order: 20 } };
    expect(shrunkOrderValue(m, prior)).toBe(500);
    // Read naively (all revenue over all conversions) it would be 1,125 per order.
    expect(m.revenueMinor / m.conversions).toBe(1_125);
  });

  it('values an account that never counted a conversion by its revenue per click', () => {
    const units = [
      totalOf(row(20_000, 400, null, 8_000)),
      totalOf(row(20_000, 400, null, 2_000)),
      totalOf(row(20_000, 400, null, 4_000)),
    ];
    const pool = poolOf(units);
    for (const prior of [pooledPrior(pool), fittedPrior(fitStrengths(units), pool)]) {
      expect(prior.cvr).toBeCloseTo(NOMINAL_CONVERSION_RATE, 12);
      expect(prior.cvr * prior.order!).toBeCloseTo(14_000 / 1_200, 9);
      const [high, low, middle] = units.map((m) => valuePerImpression(m, prior));
      expect(high).toBeGreaterThan(middle!);
      expect(middle).toBeGreaterThan(low!);
      // The posterior mean of revenue per impression does not depend on the nominal rate.
      const ctr = smooth(prior.ctr, prior.strengths.ctr, 400 / 20_000, 20_000);
      expect(high).toBeCloseTo(ctr * smooth(14_000 / 1_200, prior.strengths.cvr, 20, 400), 9);
    }
  });
});
