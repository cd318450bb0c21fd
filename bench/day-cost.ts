// npm run bench:day-cost — how closely the `bayes` split reads each country's impressions curve, with
// and without the days' common cost swing (src/engine/day-cost.ts), on every market family whose
// impressions saturate: the median over the countries of every ad set of 20 markets of
// |log(fitted saturation / true saturation)|, and in how many ad sets the days show the swing.
import os from 'node:os';
import { fitImpressionCurves, type DatedSpendPoint } from '../src/engine/day-cost.ts';
import type { InsightRow } from '../src/engine/types.ts';
import { NAMED_FAMILIES } from '../src/simulation/families.ts';
import { createStubMarket, getTruth } from '../src/simulation/market.ts';

const SEEDS = 20;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const started = performance.now();
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log('family: median |log(fitted / true saturation)| without the swing → with it; ad sets whose days show the swing');
for (const [name, family] of Object.entries(NAMED_FAMILIES)) {
  const errors = { without: [] as number[], with: [] as number[] };
  let shown = 0;
  let adsets = 0;
  for (let seed = 3000; seed < 3000 + SEEDS; seed++) {
    const market = createStubMarket({ seed, campaigns: 1, days: 21, endDate: '2026-11-10', interestsPerCampaign: 120, behaviorsPerCampaign: 20, family });
    const c = getTruth(market).campaigns[0]!;
    const rows = [...market.rows()] as InsightRow[];
    for (const adset of c.adsets) {
      const byCountry = new Map<string, Map<string, DatedSpendPoint>>();
      for (const r of rows) {
        if (r.adsetId !== adset.adsetId || r.segmentType !== '' || r.age !== '' || r.gender !== '' || r.country === '') continue;
        const days = byCountry.get(r.country) ?? byCountry.set(r.country, new Map()).get(r.country)!;
        const d = days.get(r.date) ?? days.set(r.date, { date: r.date, spendMinor: 0, impressions: 0 }).get(r.date)!;
        d.spendMinor += r.spendMinor;
        d.impressions += r.impressions;
      }
      const codes = [...byCountry.keys()];
      const series = codes.map((code) => [...byCountry.get(code)!.values()]);
      const without = fitImpressionCurves(series).curves;
      const fitted = fitImpressionCurves(series, { common: true });
      adsets++;
      if (fitted.test?.shown === true) shown++;
      codes.forEach((code, i) => {
        const truth = c.countries.find((k) => k.countryCode === code)!;
        // A flat cost per impression has no saturation to read.
        if (!truth.impressionsSaturate) return;
        const S = truth.saturationSpendMinor * adset.budgetShare;
        if (without[i]) errors.without.push(Math.abs(Math.log(without[i]!.saturation / S)));
        if (fitted.curves[i]) errors.with.push(Math.abs(Math.log(fitted.curves[i]!.saturation / S)));
      });
    }
  }
  const figures = errors.without.length === 0 ? 'impressions do not saturate' : `${median(errors.without).toFixed(3)} → ${median(errors.with).toFixed(3)}`;
  console.log(`  ${name}: ${figures}; swing shown in ${shown} of ${adsets} ad sets`);
}
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
