// npm run bench:day-cost — how closely the `bayes` split reads each country's impressions curve, with
// and without the days' common cost swing (src/engine/day-cost.ts), on every market family whose
// impressions saturate: the median over the countries of every ad set of 20 markets of
// |log(fitted saturation / true saturation)|, and in how many ad sets the days show the swing.
import os from 'node:os';
import { snapshotFromRows } from '../src/backtest/snapshot-from-rows.ts';
import { addCalendarDays as addDays } from '../src/engine/calendar.ts';
import { fitImpressionCurves } from '../src/engine/day-cost.ts';
import { NAMED_FAMILIES } from '../src/simulation/families.ts';
import { createStubMarket, getTruth } from '../src/simulation/market.ts';

const SEEDS = 20;
const END = '2026-11-10';
const WINDOW = { start: addDays(END, -20), end: END, recentStart: addDays(END, -6) };
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
    const market = createStubMarket({ seed, campaigns: 1, days: 21, endDate: END, interestsPerCampaign: 120, behaviorsPerCampaign: 20, family });
    const c = getTruth(market).campaigns[0]!;
    const snapshot = snapshotFromRows(c.campaignId, getTruth(market).currency, market.rows(), WINDOW, []);
    for (const adset of snapshot.adsets) {
      const share = c.adsets.find((a) => a.adsetId === adset.adsetId)!.budgetShare;
      const codes = adset.countries.map((k) => k.countryCode);
      const series = adset.countries.map((k) => k.daily ?? []);
      const without = fitImpressionCurves(series).curves;
      const fitted = fitImpressionCurves(series, { common: true });
      adsets++;
      if (fitted.test?.shown === true) shown++;
      codes.forEach((code, i) => {
        const truth = c.countries.find((k) => k.countryCode === code)!;
        // A flat cost per impression has no saturation to read, and another curve shape no exponential saturation to compare with.
        if (!truth.impressionsSaturate || (truth.curve ?? 'exponential') !== 'exponential') return;
        const S = truth.saturationSpendMinor * share;
        if (without[i]) errors.without.push(Math.abs(Math.log(without[i]!.saturation / S)));
        if (fitted.curves[i]) errors.with.push(Math.abs(Math.log(fitted.curves[i]!.saturation / S)));
      });
    }
  }
  const figures = errors.without.length === 0 ? 'impressions do not saturate' : `${median(errors.without).toFixed(3)} → ${median(errors.with).toFixed(3)}`;
  console.log(`  ${name}: ${figures}; swing shown in ${shown} of ${adsets} ad sets`);
}
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
