// npm run bench:quality — how much revenue each strategy earns on stub markets whose truth is
// known, as a share of what the oracle (the true curves and the truly best interests, under the
// same Spain floor) earns. Medians over 20 market seeds.
//   1. the geo split decided once from 14 days of history (uniform, seed, bayes);
//   2. interest choice: 15 of 120 interests whose sample sizes differ by 100×;
//   3. the 28-day closed loop of src/backtest/closed-loop.ts (the same code as `backtest`).
import { runBacktest, trueInterestValues, trueMarkets, uniformSplit } from '../src/backtest/closed-loop.ts';
import { selectInterests } from '../src/engine/audience.ts';
import { exploreSegments, explorationSlots } from '../src/engine/exploration.ts';
import { createRng } from '../src/engine/random.ts';
import { allocateBudget, scoreCountries } from '../src/engine/geo.ts';
import { allocateByResponse, type CountryDaily } from '../src/engine/geo-bayes.ts';
import { addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { curveValue, waterFill, type Market } from '../src/engine/response-curve.ts';
import { scoreSegments } from '../src/engine/scoring.ts';
import { rescoreByValue } from '../src/engine/segment-value.ts';
import { SEED_SETTINGS } from '../src/engine/test-settings.ts';
import type { InsightRow, SegmentHistory } from '../src/engine/types.ts';
import { createStubMarket, getTruth } from '../src/sources/stub.ts';

const SEEDS = Number(process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? 20);
// The exploration share measured against no exploration (TARGETING_EXPLORATION_SHARE is 0 by default).
const EXPLORATION = Number(process.argv.find((a) => a.startsWith('--exploration='))?.slice(14) ?? 0.1);
const SPAIN_MIN_PCT = SEED_SETTINGS.spainMinPct;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const revenueOf = (markets: readonly Market[], split: ReadonlyMap<string, number>) => markets.reduce((s, m) => s + curveValue(m.curve, m.valuePerImpression, split.get(m.code) ?? 0), 0);

// 1. Geo split decided once.
const once: Record<'uniform' | 'seed' | 'bayes', number[]> = { uniform: [], seed: [], bayes: [] };
for (let s = 0; s < SEEDS; s++) {
  const market = createStubMarket({ seed: 1000 + s, campaigns: 1, days: 14, endDate: '2026-11-10', interestsPerCampaign: 20, behaviorsPerCampaign: 5 });
  const c = getTruth(market).campaigns[0]!;
  const budget = c.dailyBudgetMinor;
  const markets = trueMarkets(c, budget, SPAIN_MIN_PCT);
  const oracle = waterFill(markets, budget);
  const oracleRevenue = revenueOf(markets, new Map(markets.map((m, i) => [m.code, oracle.spends[i]!])));
  const countries = new Map<string, CountryDaily>();
  const daily = new Map<string, { spendMinor: number; impressions: number }>();
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (r.country === '') continue;
    let k = countries.get(r.country);
    if (!k) countries.set(r.country, (k = { countryCode: r.country, total: emptyMetrics(), daily: [] }));
    addRow(k.total, r);
    const key = `${r.country}|${r.date}`;
    let d = daily.get(key);
    if (!d) {
      daily.set(key, (d = { spendMinor: 0, impressions: 0 }));
      k.daily.push(d);
    }
    d.spendMinor += r.spendMinor;
    d.impressions += r.impressions;
  }
  const hist = [...countries.values()];
  const seedSplit = allocateBudget(budget, scoreCountries(hist, SEED_SETTINGS.priors, 100), SPAIN_MIN_PCT).allocations;
  const bayesSplit = allocateByResponse(budget, hist, SPAIN_MIN_PCT)!.allocations;
  once.uniform.push(revenueOf(markets, uniformSplit(budget, markets.map((m) => m.code), SPAIN_MIN_PCT)) / oracleRevenue);
  once.seed.push(revenueOf(markets, new Map(seedSplit.map((a) => [a.countryCode, a.amountMinor]))) / oracleRevenue);
  once.bayes.push(revenueOf(markets, new Map(bayesSplit.map((a) => [a.countryCode, a.amountMinor]))) / oracleRevenue);
}
console.log(`1. Geo split decided once on 14 days of history, ${SEEDS} market seeds, share of the oracle's expected revenue (median):`);
console.log(`   uniform ${pct(median(once.uniform))}; seed ${pct(median(once.seed))}; bayes ${pct(median(once.bayes))}`);

// 2. Interest choice, judged by true value per impression on the decision day.
const gap: Record<'seed' | 'raw' | 'bayes' | 'explore', number[]> = { seed: [], raw: [], bayes: [], explore: [] };
for (let s = 0; s < SEEDS; s++) {
  const market = createStubMarket({ seed: 2000 + s, campaigns: 1, days: 30, endDate: '2026-11-10', interestsPerCampaign: 120, behaviorsPerCampaign: 5 });
  const trueValue = trueInterestValues(getTruth(market).campaigns[0]!);
  const histories = new Map<string, SegmentHistory>();
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (r.segmentType !== 'interest') continue;
    let h = histories.get(r.segmentId);
    if (!h) histories.set(r.segmentId, (h = { segmentType: 'interest', segmentId: r.segmentId, segmentName: r.segmentName, total: emptyMetrics(), recent: emptyMetrics() }));
    addRow(h.total, r);
    if (r.date > '2026-11-03') addRow(h.recent, r);
  }
  const list = [...histories.values()];
  const values = [...trueValue.values()];
  const k = 15;
  const random = (values.reduce((a, b) => a + b, 0) / values.length) * k;
  const oracle = [...values].sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0);
  const closed = (ids: string[]) => (ids.reduce((acc, id) => acc + (trueValue.get(id) ?? 0), 0) - random) / (oracle - random);
  const scores = scoreSegments(list, SEED_SETTINGS, 100);
  gap.seed.push(closed(selectInterests(scores, new Map(), k).selected.map((i) => i.interest_id)));
  const raw = list.filter((h) => h.total.impressions > 0).sort((a, b) => b.total.revenueMinor / b.total.impressions - a.total.revenueMinor / a.total.impressions);
  gap.raw.push(closed(raw.slice(0, k).map((h) => h.segmentId)));
  const rescored = rescoreByValue(scores, list);
  gap.bayes.push(closed(selectInterests(rescored, new Map(), k).selected.map((i) => i.interest_id)));
  // With exploration: the best estimates fill k − slots, Thompson draws the rest (as the optimizer does).
  const slots = explorationSlots(EXPLORATION, k);
  const exploited = selectInterests(rescored, new Map(), k - slots).selected.map((i) => i.interest_id);
  const explored = exploreSegments(createRng(`bench:${s}`), rescored, list, 'interest', new Set(exploited), slots, new Set()).map((e) => e.score.segmentId);
  gap.explore.push(closed([...exploited, ...explored]));
}
console.log(`2. Interest choice, 15 of 120 interests, gap closed between a random choice and the oracle's (median):`);
console.log(`   seed (composite × confidence) ${pct(median(gap.seed))}; raw revenue per impression ${pct(median(gap.raw))}; bayes (shrunk value per impression) ${pct(median(gap.bayes))}`);
console.log(`   bayes with exploration share ${EXPLORATION} (${explorationSlots(EXPLORATION, 15)} of 15 slots drawn, one decision: exploring can only cost here) ${pct(median(gap.explore))}`);

// 3. The closed loop.
const share: Record<string, number[]> = {};
const absCalibration: Record<string, number[]> = {};
const biasCalibration: Record<string, number[]> = {};
const lift: number[] = [];
const exploreLift: number[] = [];
const regretRatio: Record<string, number[]> = {};
for (let s = 0; s < SEEDS; s++) {
  const report = runBacktest({ marketSeed: 7 + s, days: 28, historyDays: 14, strategies: ['uniform', 'seed', 'bayes', 'oracle'], settings: SEED_SETTINGS, startDate: '2026-11-10' });
  for (const x of report.series) {
    (share[x.strategy] ??= []).push(x.shareOfOracle);
    if (x.calibrationAbsError !== null) (absCalibration[x.strategy] ??= []).push(x.calibrationAbsError);
    if (x.calibrationError !== null) (biasCalibration[x.strategy] ??= []).push(x.calibrationError);
    const first = x.days.slice(0, 7).reduce((a, d) => a + d.regretMinor, 0);
    const last = x.days.slice(-7).reduce((a, d) => a + d.regretMinor, 0);
    (regretRatio[x.strategy] ??= []).push(first > 0 ? last / first : 1);
  }
  const by = new Map(report.series.map((x) => [x.strategy, x.cumulativeExpectedRevenueMinor]));
  lift.push(by.get('bayes')! / by.get('seed')! - 1);
  // The same loop with bayes exploring (a seed per simulated day) against bayes without.
  const exploring = runBacktest({ marketSeed: 7 + s, days: 28, historyDays: 14, strategies: ['bayes'], settings: { ...SEED_SETTINGS, explorationShare: EXPLORATION }, startDate: '2026-11-10' }).series[0]!;
  const greedy = runBacktest({ marketSeed: 7 + s, days: 28, historyDays: 14, strategies: ['bayes'], settings: { ...SEED_SETTINGS, explorationShare: 0 }, startDate: '2026-11-10' }).series[0]!;
  (share.explore ??= []).push(exploring.shareOfOracle);
  (share.greedy ??= []).push(greedy.shareOfOracle);
  exploreLift.push(exploring.cumulativeExpectedRevenueMinor / by.get('seed')! - 1);
}
console.log(`3. 28-day closed loop after 14 days of history (geo and interests; median):`);
for (const strategy of ['uniform', 'seed', 'bayes']) {
  const cal = absCalibration[strategy];
  console.log(`   ${strategy.padEnd(8)} ${pct(median(share[strategy]!))} of oracle revenue; last-week/first-week regret ${median(regretRatio[strategy]!).toFixed(2)}${cal ? `; expected ROAS / realized − 1 over the last 7 days: mean ${pct(median(biasCalibration[strategy]!))}, mean absolute ${pct(median(cal))}` : ''}`);
}
console.log(`   bayes vs seed, cumulative revenue: median ${pct(median(lift))}, worst seed ${pct(Math.min(...lift))}, best ${pct(Math.max(...lift))}`);
console.log(`   bayes exploring (share ${EXPLORATION}) ${pct(median(share.explore!))} of oracle revenue, not exploring ${pct(median(share.greedy!))}; exploring vs seed: median ${pct(median(exploreLift))}, worst ${pct(Math.min(...exploreLift))}, best ${pct(Math.max(...exploreLift))}`);
