import { presentTraceEvent } from '../presentation/present-trace.ts';
import { describe, expect, it } from 'vitest';
import { allocateByResponse, type CountryDaily } from './geo-bayes.ts';
import { validateAllocation } from './geo.ts';
import { emptyMetrics } from './metrics.ts';

// A country whose every day follows capacity·(1 − exp(−spend/saturation)), with rates that give
// its value per impression.
function country(code: string, capacity: number, saturation: number, ctr: number, cvr: number, order: number, spends: number[]): CountryDaily {
  const daily = spends.map((s) => ({ spendMinor: s, impressions: Math.round(capacity * (1 - Math.exp(-s / saturation))) }));
  const impressions = daily.reduce((a, d) => a + d.impressions, 0);
  const spend = spends.reduce((a, b) => a + b, 0);
  const clicks = Math.round(impressions * ctr);
  const conversions = Math.round(clicks * cvr);
  return {
    countryCode: code,
    daily,
    total: { ...emptyMetrics(), impressions, clicks, spendMinor: spend, conversions, clicksWithConversions: clicks, revenueMinor: conversions * order, spendWithRevenueMinor: spend },
  };
}

const days = [8_000, 12_000, 10_000, 15_000, 9_000, 11_000, 14_000];

describe('allocateByResponse', () => {
  it('keeps the Spain floor, sums to the cent, and gives the better market more', () => {
    const countries = [
      country('ES', 150_000, 20_000, 0.012, 0.02, 5_000, days),
      country('MX', 400_000, 15_000, 0.02, 0.03, 3_000, days),
      country('AR', 300_000, 15_000, 0.01, 0.01, 3_000, days),
    ];
    const result = allocateByResponse(100_000, countries, 35)!;
    expect(validateAllocation(result.allocations, 100_000, 35)).toEqual({ valid: true });
    const amount = (c: string) => result.allocations.find((a) => a.countryCode === c)!.amountMinor;
    expect(amount('ES')).toBeGreaterThanOrEqual(35_000);
    expect(amount('MX')).toBeGreaterThan(amount('AR'));
    expect(result.trace.map(presentTraceEvent).some((t) => t.step === 'geo.response' && 'marginal_return' in t.numbers)).toBe(true);
  });

  it('does not pour money into a saturated market: the marginal returns of funded markets are equal', () => {
    const countries = [country('ES', 100_000, 50_000, 0.015, 0.02, 4_000, days), country('MX', 50_000, 2_000, 0.03, 0.05, 4_000, days), country('CO', 500_000, 60_000, 0.015, 0.02, 4_000, days)];
    const result = allocateByResponse(200_000, countries, 35)!;
    const funded = result.allocations.filter((a) => a.amountMinor > 0 && a.countryCode !== 'ES');
    const returns = funded.map((a) => a.marginalReturn);
    expect(Math.max(...returns) / Math.min(...returns)).toBeLessThan(1.01);
  });

  it('returns null when no country has enough spend variation to fit a curve', () => {
    expect(allocateByResponse(10_000, [country('ES', 1000, 100, 0.01, 0.01, 100, [50, 50, 50])], 35)).toBeNull();
  });

  it('adds Spain at its floor when the history has no Spanish rows', () => {
    const result = allocateByResponse(10_000, [country('MX', 400_000, 15_000, 0.02, 0.03, 3_000, days)], 35)!;
    expect(result.allocations.find((a) => a.countryCode === 'ES')!.amountMinor).toBeGreaterThanOrEqual(3_500);
    expect(validateAllocation(result.allocations, 10_000, 35)).toEqual({ valid: true });
  });
});

describe('each country\'s expected revenue with its uncertainty', () => {
  it('brackets the expected revenue, and says when the curve is a prior or the amount is outside the fitted spends', () => {
    const countries = [
      country('ES', 150_000, 20_000, 0.012, 0.02, 5_000, days),
      country('MX', 400_000, 15_000, 0.02, 0.03, 3_000, days),
      // One day of spend: no curve can be fitted, MX's bend is borrowed.
      country('PT', 80_000, 10_000, 0.015, 0.02, 4_000, [5_000]),
    ];
    const result = allocateByResponse(100_000, countries, 35)!;
    const entries = result.trace.map(presentTraceEvent).filter((t) => t.step === 'geo.response');
    expect(entries).toHaveLength(3);
    for (const t of entries) {
      const n = t.numbers as Record<string, number | string | boolean>;
      expect(n.expected_revenue_90_low_minor as number).toBeLessThanOrEqual(n.expected_revenue_minor as number);
      expect(n.expected_revenue_90_high_minor as number).toBeGreaterThanOrEqual(n.expected_revenue_minor as number);
      expect(typeof n.outside_fitted_spends).toBe('boolean');
    }
    const of = (code: string) => entries.find((t) => t.numbers.country === code)!.numbers;
    expect(of('PT').interval_covers).toBe('value per impression only (prior curve)');
    expect(of('MX').interval_covers).toBe('value per impression and curve level');
    // MX is the better market: it gets more than its largest observed day (15,000), beyond the data.
    expect(result.allocations.find((a) => a.countryCode === 'MX')!.amountMinor).toBeGreaterThan(16_500);
    expect(of('MX').outside_fitted_spends).toBe(true);
  });

  it('covers the true expected revenue at the chosen amount in most stub markets (nominal 90 %)', async () => {
    const { trueMarkets } = await import('../backtest/closed-loop.ts');
    const { curveValue } = await import('./response-curve.ts');
    const { addRow } = await import('./metrics.ts');
    const { createStubMarket, getTruth } = await import('../simulation/market.ts');
    let cases = 0;
    let covered = 0;
    for (let seed = 0; seed < 20; seed++) {
      const market = createStubMarket({ seed: 1000 + seed, campaigns: 1, days: 14, endDate: '2026-11-10', interestsPerCampaign: 20, behaviorsPerCampaign: 5 });
      const c = getTruth(market).campaigns[0]!;
      const markets = trueMarkets(c, c.dailyBudgetMinor, 35);
      const byCountry = new Map<string, CountryDaily>();
      const byDay = new Map<string, { spendMinor: number; impressions: number }>();
      for (const r of market.rows()) {
        if (r.country === '') continue;
        let k = byCountry.get(r.country);
        if (!k) byCountry.set(r.country, (k = { countryCode: r.country, total: emptyMetrics(), daily: [] }));
        addRow(k.total, r);
        let d = byDay.get(`${r.country}|${r.date}`);
        if (!d) {
          byDay.set(`${r.country}|${r.date}`, (d = { spendMinor: 0, impressions: 0 }));
          k.daily.push(d);
        }
        d.spendMinor += r.spendMinor;
        d.impressions += r.impressions;
      }
      const result = allocateByResponse(c.dailyBudgetMinor, [...byCountry.values()], 35)!;
      for (const a of result.allocations.filter((x) => x.amountMinor > 0)) {
        const n = result.trace.map(presentTraceEvent).find((t) => t.step === 'geo.response' && t.numbers.country === a.countryCode)!.numbers;
        const m = markets.find((x) => x.code === a.countryCode)!;
        const truth = curveValue(m.curve, m.valuePerImpression, a.amountMinor);
        cases++;
        if (truth >= (n.expected_revenue_90_low_minor as number) && truth <= (n.expected_revenue_90_high_minor as number)) covered++;
      }
    }
    // Measured: 84 % of 361 cases over 40 markets (docs/decision-quality.md), below the nominal 90 %;
    // 7 misses in 10 fall within 1.5 half-widths.
    expect(cases).toBeGreaterThan(150);
    expect(covered / cases).toBeGreaterThan(0.75);
    expect(covered / cases).toBeLessThan(0.97);
  });
});
