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
    expect(result.trace.some((t) => t.step === 'geo.response' && 'marginal_return' in t.numbers)).toBe(true);
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
