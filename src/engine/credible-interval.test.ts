import { describe, expect, it } from 'vitest';
import { valueInterval } from './credible-interval.ts';
import { pooledPrior } from './value-model.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { createRng, type Rng } from './random.ts';
import type { Metrics } from './types.ts';

const STRENGTHS = { ctr: 2_000, cvr: 200, order: 4 };
const ORDER_SD = 2_000;

interface Truth {
  ctr: number;
  cvr: number;
  order: number;
}

/** A unit whose true rates come from the priors the interval assumes, observed over `impressions`. */
function observe(rng: Rng, truth: Truth, impressions: number): Metrics {
  const clicks = rng.binomial(impressions, truth.ctr);
  const conversions = rng.binomial(clicks, truth.cvr);
  let revenue = 0;
  for (let k = 0; k < conversions; k++) revenue += truth.order + rng.normal(0, ORDER_SD);
  return { ...emptyMetrics(), impressions, clicks, spendMinor: clicks * 30, conversions, clicksWithConversions: clicks, revenueMinor: Math.round(revenue), spendWithRevenueMinor: clicks * 30 };
}

function drawTruth(rng: Rng): Truth {
  return { ctr: rng.beta(0.015 * STRENGTHS.ctr, 0.985 * STRENGTHS.ctr), cvr: rng.beta(0.04 * STRENGTHS.cvr, 0.96 * STRENGTHS.cvr), order: 5_000 + rng.normal(0, ORDER_SD / Math.sqrt(STRENGTHS.order)) };
}

describe('valueInterval', () => {
  it('narrows with more data and its confidence rises', () => {
    const rng = createRng('narrow');
    const truth = { ctr: 0.02, cvr: 0.05, order: 5_000 };
    const pool = Array.from({ length: 10 }, () => observe(rng, drawTruth(rng), 200_000));
    const pooled = pool.reduce((acc, m) => addMetrics(acc, m), emptyMetrics());
    const widths = [2_000, 20_000, 200_000, 2_000_000].map((n) => valueInterval([{ total: observe(rng, truth, n), weight: 1 }], pooledPrior(pooled, STRENGTHS), ORDER_SD ** 2));
    for (let i = 1; i < widths.length; i++) {
      expect(widths[i]!.relativeHalfWidth).toBeLessThan(widths[i - 1]!.relativeHalfWidth);
      expect(widths[i]!.confidence).toBeGreaterThanOrEqual(widths[i - 1]!.confidence);
    }
    expect(widths[3]!.confidence).toBeGreaterThan(0.8);
    expect(widths[0]!.confidence).toBeLessThan(0.5);
    for (const w of widths) expect(w.lower).toBeLessThanOrEqual(w.mean);
  });

  it('covers the true value per impression in most of 200 seeded simulations (nominal 90 %)', () => {
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const rng = createRng(`coverage-${s}`);
      const truths = Array.from({ length: 10 }, () => drawTruth(rng));
      const observed = truths.map((t) => observe(rng, t, rng.int(5_000, 100_000)));
      const pooled = observed.reduce((acc, m) => addMetrics(acc, m), emptyMetrics());
      const interval = valueInterval([{ total: observed[0]!, weight: 1 }], pooledPrior(pooled, STRENGTHS), ORDER_SD ** 2);
      const t = truths[0]!;
      const value = t.ctr * t.cvr * t.order;
      if (value >= interval.lower && value <= interval.upper) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(170); // 185 of 200 when written
    expect(covered).toBeLessThanOrEqual(200);
  });

  it('caps confidence at 0.95 and gives 0 when the interval reaches zero', () => {
    const big = { ...emptyMetrics(), impressions: 1e9, clicks: 2e7, conversions: 1e6, clicksWithConversions: 2e7, revenueMinor: 5e9, spendMinor: 1e8, spendWithRevenueMinor: 1e8 };
    expect(valueInterval([{ total: big, weight: 1 }], pooledPrior(big, STRENGTHS), ORDER_SD ** 2).confidence).toBe(0.95);
    const none = emptyMetrics();
    const empty = valueInterval([{ total: none, weight: 1 }], pooledPrior(none, STRENGTHS), null);
    expect(empty.confidence).toBe(0);
  });
});
