import { describe, expect, it } from 'vitest';
import { betaBinomialLogLikelihood, fitBetaPrior, fitOrderValuePrior, fitValuePriors, logGamma, MIN_UNITS, type RateUnit } from './empirical-bayes.ts';
import { createRng } from './random.ts';

/** Units whose true rates are Beta(mean × k, (1 − mean) × k), each observed over `trials(i)` trials. */
function simulate(seed: string, units: number, mean: number, strength: number, trials: (i: number) => number): RateUnit[] {
  const rng = createRng(seed);
  return Array.from({ length: units }, (_, i) => {
    const n = trials(i);
    return { trials: n, successes: rng.binomial(n, rng.beta(mean * strength, (1 - mean) * strength)) };
  });
}

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 10);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 10);
    expect(logGamma(1e6)).toBeCloseTo(12815504.56914761, 4);
  });
});

describe('fitBetaPrior', () => {
  it('recovers a known CTR strength within a factor of 1.5 from 200 simulated units', () => {
    // Strength 2,000 around a 1.5 % CTR: units spread about ±0.27 points; 5,000–50,000 impressions each.
    for (const seed of ['a', 'b', 'c']) {
      const units = simulate(`ctr-${seed}`, 200, 0.015, 2_000, (i) => 5_000 + ((i * 7919) % 45_000));
      const prior = fitBetaPrior(units, 123);
      expect(prior.fitted).toBe(true);
      expect(prior.strength).toBeGreaterThan(2_000 / 1.5);
      expect(prior.strength).toBeLessThan(2_000 * 1.5);
      expect(prior.mean).toBeCloseTo(0.015, 3);
    }
  });

  it('recovers a weak CVR strength (50) as well', () => {
    const units = simulate('cvr', 150, 0.03, 50, (i) => 200 + ((i * 131) % 2_000));
    const prior = fitBetaPrior(units, 200);
    expect(prior.fitted).toBe(true);
    expect(prior.strength).toBeGreaterThan(50 / 1.5);
    expect(prior.strength).toBeLessThan(50 * 1.5);
  });

  it('is not pulled toward the units the optimizer chose to measure at length', () => {
    // The top fifth of 200 units (by true rate) got 1,000,000 trials each, as segments the optimizer
    // keeps choosing do; the rest 2,000. The pooled rate then sits near the chosen units' rate.
    const rng = createRng('adaptive');
    const truths = Array.from({ length: 200 }, () => rng.beta(0.03 * 120, 0.97 * 120));
    const cut = [...truths].sort((a, b) => b - a)[39]!;
    const units = truths.map((p) => {
      const n = p >= cut ? 1_000_000 : 2_000;
      return { trials: n, successes: rng.binomial(n, p) };
    });
    const pooled = units.reduce((s, u) => s + u.successes, 0) / units.reduce((s, u) => s + u.trials, 0);
    const populationMean = truths.reduce((a, b) => a + b, 0) / truths.length;
    const prior = fitBetaPrior(units, 200);
    expect(pooled / populationMean).toBeGreaterThan(1.3);
    expect(Math.abs(prior.mean / populationMean - 1)).toBeLessThan(0.08);
    expect(prior.strength).toBeGreaterThan(120 / 2);
    expect(prior.strength).toBeLessThan(120 * 2);
  });

  it('is at a likelihood maximum', () => {
    const units = simulate('max', 100, 0.02, 500, () => 3_000);
    const prior = fitBetaPrior(units, 1);
    const at = (k: number) => betaBinomialLogLikelihood(units, prior.mean, k);
    expect(at(prior.strength)).toBeGreaterThanOrEqual(at(prior.strength * 1.05));
    expect(at(prior.strength)).toBeGreaterThanOrEqual(at(prior.strength / 1.05));
  });

  it(`falls back to the fixed strength with fewer than ${MIN_UNITS} units`, () => {
    const units = simulate('thin', MIN_UNITS - 1, 0.015, 2_000, () => 10_000);
    const prior = fitBetaPrior(units, 2_000);
    expect(prior).toMatchObject({ fitted: false, strength: 2_000, units: MIN_UNITS - 1 });
    expect(prior.note).toMatch(/fewer than 8/);
  });

  it('falls back when the units differ no more than binomial noise', () => {
    // Every unit has the same true rate: the likelihood rises with strength all the way up.
    for (const seed of ['flat-a', 'flat-b', 'flat-c', 'flat-d']) {
      const rng = createRng(seed);
      const units = Array.from({ length: 50 }, () => ({ trials: 20_000, successes: rng.binomial(20_000, 0.02) }));
      const prior = fitBetaPrior(units, 2_000);
      expect(prior.fitted).toBe(false);
      expect(prior.strength).toBe(2_000);
      expect(prior.note).toMatch(/binomial noise/);
    }
  });

  it('ignores units without trials and falls back on a pooled rate of 0', () => {
    const units = Array.from({ length: 20 }, (_, i) => ({ trials: i % 2 ? 1_000 : 0, successes: 0 }));
    const prior = fitBetaPrior(units, 200);
    expect(prior.units).toBe(10);
    expect(prior.fitted).toBe(false);
  });
});

describe('fitOrderValuePrior', () => {
  it('recovers a known strength in conversions from simulated order values', () => {
    // Unit means ~ gamma with sd 1,000 around 5,000; one order's sd 5,000 → strength (5,000/1,000)² = 25.
    for (const seed of ['orders-a', 'orders-b', 'orders-c', 'orders-d']) {
      const rng = createRng(seed);
      const units = Array.from({ length: 1_000 }, (_, i) => {
        const unitMean = 5_000 + rng.normal(0, 1_000);
        const conversions = 1 + (i % 60);
        let revenue = 0;
        for (let k = 0; k < conversions; k++) revenue += unitMean + rng.normal(0, 5_000);
        return { conversions, revenueMinor: revenue };
      });
      const prior = fitOrderValuePrior(units, 20);
      expect(prior.fitted).toBe(true);
      expect(prior.mean).toBeGreaterThan(4_900);
      expect(prior.mean).toBeLessThan(5_100);
      expect(prior.strength).toBeGreaterThan(25 / 1.6);
      expect(prior.strength).toBeLessThan(25 * 1.6);
      expect(Math.sqrt(prior.perConversionVariance)).toBeGreaterThan(4_000);
      expect(Math.sqrt(prior.perConversionVariance)).toBeLessThan(6_000);
    }
  });

  it('stays near the true strength when most units have a single order', () => {
    // Gamma orders (shape 2.5, as the stub market's) around unit means with sd 25 %: strength ≈ 0.4/0.0625 = 6.4.
    for (const seed of ['single-a', 'single-b', 'single-c']) {
      const rng = createRng(seed);
      const units = Array.from({ length: 120 }, (_, i) => {
        const unitMean = 5_000 * Math.exp(rng.normal(0, 0.25) - 0.03125);
        const conversions = i % 3 === 0 ? 1 + (i % 40) : 1;
        return { conversions, revenueMinor: rng.gamma(2.5 * conversions, unitMean / 2.5) };
      });
      const prior = fitOrderValuePrior(units, 20);
      expect(prior.fitted).toBe(true);
      expect(prior.strength).toBeGreaterThan(6.4 / 3);
      expect(prior.strength).toBeLessThan(6.4 * 3);
    }
  });

  it('falls back on thin data and on units that do not differ', () => {
    expect(fitOrderValuePrior([{ conversions: 3, revenueMinor: 300 }], 20)).toMatchObject({ fitted: false, strength: 20, perConversionVariance: 10_000 });
    const same = Array.from({ length: 30 }, (_, i) => ({ conversions: 1 + i, revenueMinor: 100 * (1 + i) }));
    expect(fitOrderValuePrior(same, 20).fitted).toBe(false);
  });
});

describe('fitValuePriors', () => {
  it('fits CTR and CVR from metrics and leaves order value fixed without revenue', () => {
    const rng = createRng('metrics');
    const units = Array.from({ length: 40 }, () => {
      const impressions = rng.int(10_000, 80_000);
      const clicks = rng.binomial(impressions, rng.beta(3, 200));
      return { impressions, clicks, clicksWithConversions: clicks, conversions: rng.binomial(clicks, rng.beta(2, 60)), revenueMinor: 0, spendWithRevenueMinor: 0 };
    });
    const p = fitValuePriors(units, { ctr: 2_000, cvr: 200, order: 20 });
    expect(p.ctr.fitted).toBe(true);
    expect(p.ctr.strength).toBeGreaterThan(100);
    expect(p.ctr.strength).toBeLessThan(500);
    expect(p.order).toMatchObject({ fitted: false, strength: 20 });
  });
});
