// npm run bench:quality:stub — how much revenue each strategy earns on stub markets whose truth is
// known, as a share of what the oracle (the true curves and the truly best interests, under the
// same Spain floor) earns. Medians over 20 market seeds.
//   1. the geo split decided once from 14 days of history (uniform, seed, bayes);
//   2. interest choice: 15 of 120 interests whose sample sizes differ by 100×, after 30 and 90 days,
//      beside the most any estimator could close from the same data (bench/interest-ceiling.ts);
//   3. the 28-day closed loop of src/backtest/closed-loop.ts (the same code as `backtest`), under
//      each of its models of delivery to the chosen interests, with variants of the settings;
//   4. the regret of that loop week by week over 8 weeks.
import { OPTIMIZED_TILT } from '../src/simulation/delivery.ts';
import { AUDIENCE_WEIGHTINGS, bestInterests, type AudienceSizes, runBacktest, trueInterestValues, trueMarkets, uniformSplit, type AudienceWeighting } from '../src/backtest/closed-loop.ts';
import { selectInterests } from '../src/engine/audience.ts';
import { exploreSegments, explorationSlots } from '../src/engine/exploration.ts';
import { createRng } from '../src/engine/random.ts';
import { allocateBudget, scoreCountries } from '../src/engine/geo.ts';
import { allocateByResponse, type CountryDaily } from '../src/engine/geo-bayes.ts';
import { NO_COUNTRY_LIMITS } from '../src/engine/geo-constraints.ts';
import { decideGeoSplit } from '../src/engine/geo-value.ts';
import { addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { curveValue, waterFill, type Market } from '../src/engine/response-curve.ts';
import { scoreSegments } from '../src/engine/scoring.ts';
import { fitSegmentPriors, ratePriorsByType, rescoreByValue, weighByKnownSize, weighBySize } from '../src/engine/segment-value.ts';
import { SPEC_SETTINGS } from '../src/engine/test-settings.ts';
import type { CountryDay, EngineSettings, InsightRow, SegmentHistory } from '../src/engine/types.ts';
import { loadConfig } from '../src/config.ts';
import { addCalendarDays as addDays } from '../src/engine/calendar.ts';
import { createStubMarket, getTruth } from '../src/simulation/market.ts';
import { ceilingRanking, ceilingValues } from './interest-ceiling.ts';

const SEEDS = Number(process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? 20);
// The exploration share of sections 2 and 3's variants (TARGETING_EXPLORATION_SHARE is 0.1 by
// default, TARGETING_BUDGET_EXPLORATION_SHARE 0).
const EXPLORATION = Number(process.argv.find((a) => a.startsWith('--exploration='))?.slice(14) ?? 0.1);
const SPAIN_MIN_PCT = SPEC_SETTINGS.spainMinPct;
// The settings a new installation runs with (loadConfig's defaults).
const DEFAULTS = loadConfig({});
const PRODUCT = DEFAULTS.engine;
const SIZE_EXPONENT = PRODUCT.sizeExponent!;
const DECISION_DAY = '2026-11-10';
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const revenueOf = (markets: readonly Market[], split: ReadonlyMap<string, number>) => markets.reduce((s, m) => s + curveValue(m.curve, m.valuePerImpression, split.get(m.code) ?? 0), 0);

// 1. Geo split decided once.
const once: Record<'uniform' | 'seed' | 'bayes5' | 'bayes', number[]> = { uniform: [], seed: [], bayes5: [], bayes: [] };
const chosenOnce = new Map<string, number>();
for (let s = 0; s < SEEDS; s++) {
  const market = createStubMarket({ seed: 1000 + s, campaigns: 1, days: 14, endDate: '2026-11-10', interestsPerCampaign: 20, behaviorsPerCampaign: 5 });
  const c = getTruth(market).campaigns[0]!;
  const budget = c.dailyBudgetMinor;
  const markets = trueMarkets(c, budget, SPAIN_MIN_PCT);
  const oracle = waterFill(markets, budget);
  const oracleRevenue = revenueOf(markets, new Map(markets.map((m, i) => [m.code, oracle.spends[i]!])));
  const countries = new Map<string, CountryDaily>();
  const daily = new Map<string, CountryDay>();
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (r.country === '') continue;
    let k = countries.get(r.country);
    if (!k) countries.set(r.country, (k = { countryCode: r.country, total: emptyMetrics(), daily: [] }));
    addRow(k.total, r);
    const key = `${r.country}|${r.date}`;
    let d = daily.get(key);
    if (!d) {
      daily.set(key, (d = { spendMinor: 0, impressions: 0, date: r.date, clicks: 0, conversions: 0, clicksWithConversions: 0, revenueMinor: 0, spendWithRevenueMinor: 0 }));
      k.daily.push(d);
    }
    const m = addRow(emptyMetrics(), r);
    d.spendMinor += m.spendMinor;
    d.impressions += m.impressions;
    d.clicks! += m.clicks;
    d.conversions! += m.conversions;
    d.clicksWithConversions! += m.clicksWithConversions;
    d.revenueMinor! += m.revenueMinor;
    d.spendWithRevenueMinor! += m.spendWithRevenueMinor;
  }
  const hist = [...countries.values()];
  const seedSplit = allocateBudget(budget, scoreCountries(hist, SPEC_SETTINGS.priors, 100), SPAIN_MIN_PCT).allocations;
  const bayes5Split = allocateByResponse(budget, hist, SPAIN_MIN_PCT)!.allocations;
  const decided = decideGeoSplit({ totalMinor: budget, countries: hist, settings: { ...PRODUCT, spainMinPct: SPAIN_MIN_PCT }, minorPerMajor: 100, limits: NO_COUNTRY_LIMITS, exploration: null });
  chosenOnce.set(decided.chosen, (chosenOnce.get(decided.chosen) ?? 0) + 1);
  const bayesSplit = decided.allocations;
  once.uniform.push(revenueOf(markets, uniformSplit(budget, markets.map((m) => m.code), SPAIN_MIN_PCT)) / oracleRevenue);
  once.seed.push(revenueOf(markets, new Map(seedSplit.map((a) => [a.countryCode, a.amountMinor]))) / oracleRevenue);
  once.bayes5.push(revenueOf(markets, new Map(bayes5Split.map((a) => [a.countryCode, a.amountMinor]))) / oracleRevenue);
  once.bayes.push(revenueOf(markets, new Map(bayesSplit.map((a) => [a.countryCode, a.amountMinor]))) / oracleRevenue);
}
console.log(`1. Geo split decided once on 14 days of history, ${SEEDS} market seeds, share of the oracle's expected revenue (median):`);
console.log(`   uniform ${pct(median(once.uniform))}; seed ${pct(median(once.seed))}; bayes ${pct(median(once.bayes))} (worst ${pct(Math.min(...once.bayes))}; below seed on ${once.bayes.filter((b, i) => b < once.seed[i]!).length}, below uniform on ${once.bayes.filter((b, i) => b < once.uniform[i]!).length} of ${SEEDS}); engine version 5's bayes ${pct(median(once.bayes5))} (worst ${pct(Math.min(...once.bayes5))})`);
console.log(`   bayes's held-out check chose: ${[...chosenOnce].map(([c, n]) => `${c} ${n}`).join(', ')}`);

// 2. Interest choice, judged by true value per impression on the decision day, after 30 days of
// history (the default window) and after 90; beside the ceiling of bench/interest-ceiling.ts.
for (const days of [30, 90]) {
  const gap: Record<'seed' | 'raw' | 'bayes' | 'explore' | 'ceiling' | 'set' | 'deliverySet' | 'trueSet' | 'setByValue', number[]> = { seed: [], raw: [], bayes: [], explore: [], ceiling: [], set: [], deliverySet: [], trueSet: [], setByValue: [] };
  // The same choices judged as the loop judges them: each interest weighed by its size.
  const weighed: Record<'seed' | 'bayes' | 'set' | 'ceiling', number[]> = { seed: [], bayes: [], set: [], ceiling: [] };
  const recentStart = addDays(DECISION_DAY, -6);
  for (let s = 0; s < SEEDS; s++) {
    const market = createStubMarket({ seed: 2000 + s, campaigns: 1, days, endDate: DECISION_DAY, interestsPerCampaign: 120, behaviorsPerCampaign: 5 });
    const truth = getTruth(market).campaigns[0]!;
    const trueValue = trueInterestValues(truth);
    const histories = new Map<string, SegmentHistory>();
    const deliveryDays = new Map<string, Set<string>>();
    for (const r of market.rows() as Iterable<InsightRow>) {
      if (r.segmentType !== 'interest') continue;
      let h = histories.get(r.segmentId);
      if (!h) histories.set(r.segmentId, (h = { segmentType: 'interest', segmentId: r.segmentId, segmentName: r.segmentName, total: emptyMetrics(), recent: emptyMetrics() }));
      addRow(h.total, r);
      if (r.date >= recentStart) addRow(h.recent, r);
      if (r.impressions > 0) deliveryDays.set(r.segmentId, (deliveryDays.get(r.segmentId) ?? new Set()).add(r.date));
    }
    const list = [...histories.values()].map((h) => ({ ...h, activeDays: deliveryDays.get(h.segmentId)?.size ?? 0 }));
    const values = [...trueValue.values()];
    const k = 15;
    const random = (values.reduce((a, b) => a + b, 0) / values.length) * k;
    const oracle = [...values].sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0);
    const closed = (ids: string[]) => (ids.reduce((acc, id) => acc + (trueValue.get(id) ?? 0), 0) - random) / (oracle - random);
    const scores = scoreSegments(list, SPEC_SETTINGS, 100);
    gap.seed.push(closed(selectInterests(scores, new Map(), k).selected.map((i) => i.segmentId)));
    const raw = list.filter((h) => h.total.impressions > 0).sort((a, b) => b.total.revenueMinor / b.total.impressions - a.total.revenueMinor / a.total.impressions);
    gap.raw.push(closed(raw.slice(0, k).map((h) => h.segmentId)));
    const priors = ratePriorsByType(list, fitSegmentPriors(list));
    const rescored = rescoreByValue(scores, list, priors);
    gap.bayes.push(closed(selectInterests(rescored, new Map(), k).selected.map((i) => i.segmentId)));
    gap.ceiling.push(closed(ceilingRanking(truth, list, trueValue).slice(0, k)));
    const sizes = new Map(truth.segments.map((g) => [g.segmentId, g.sizeImpressions]));
    const sizeOf = (id: string) => sizes.get(id) ?? 0;
    const weighedMean = (ids: readonly string[]) => ids.reduce((a, id) => a + sizeOf(id) * (trueValue.get(id) ?? 0), 0) / ids.reduce((a, id) => a + sizeOf(id), 0);
    const everyone = weighedMean([...trueValue.keys()]);
    const best = weighedMean(bestInterests(trueValue, sizeOf, k));
    const closedWeighed = (ids: string[]) => (weighedMean(ids) - everyone) / (best - everyone);
    weighed.seed.push(closedWeighed(selectInterests(scores, new Map(), k).selected.map((i) => i.segmentId)));
    weighed.bayes.push(closedWeighed(selectInterests(rescored, new Map(), k).selected.map((i) => i.segmentId)));
    // The product's set choice: with the campaign segment pool, sizes only from a real source (the
    // stub's rows carry none, so by value); before it (engine version 5), sizes inferred from delivery.
    const set = PRODUCT.segmentPool === 'campaign'
      ? weighByKnownSize(rescored, new Map([['interest', k]]), SIZE_EXPONENT, () => null).scores
      : weighBySize(rescored, list, new Map([['interest', k]]), days, SIZE_EXPONENT).scores;
    const setIds = selectInterests(set, new Map(), k).selected.map((i) => i.segmentId);
    weighed.set.push(closedWeighed(setIds));
    // The most of the size-weighted gap this history allows: the best size-weighted set on the
    // ceiling's posterior means, knowing the true sizes too (for a fixed set the expected weighted
    // mean is linear in the values, so no choice from the same data beats it on average).
    weighed.ceiling.push(closedWeighed(bestInterests(ceilingValues(truth, list, trueValue), sizeOf, k)));
    gap.set.push(closed(setIds));
    gap.deliverySet.push(closed(selectInterests(weighBySize(rescored, list, new Map([['interest', k]]), days, SIZE_EXPONENT).scores, new Map(), k).selected.map((i) => i.segmentId)));
    // The set that earns the most when delivery follows size, knowing every true value and size:
    // how much of the unweighted gap a choice made for revenue closes at best.
    gap.trueSet.push(closed(bestInterests(trueValue, sizeOf, k)));
    // TARGETING_SIZE_EXPONENT=0: the set choice with every segment weighing alike.
    gap.setByValue.push(closed(selectInterests(weighBySize(rescored, list, new Map([['interest', k]]), days, 0).scores, new Map(), k).selected.map((i) => i.segmentId)));
    // With exploration: the best estimates fill k − slots, Thompson draws the rest (as the optimizer does).
    const slots = explorationSlots(EXPLORATION, k);
    const exploited = selectInterests(rescored, new Map(), k - slots).selected.map((i) => i.segmentId);
    const explored = exploreSegments(createRng(`bench:${s}`), rescored, list, 'interest', priors.get('interest')!, new Set(exploited), slots, new Set()).map((e) => e.score.segmentId);
    gap.explore.push(closed([...exploited, ...explored]));
  }
  console.log(`2. Interest choice after ${days} days of history, 15 of 120 interests, gap closed between a random choice and the oracle's (median):`);
  console.log(`   seed (composite × confidence) ${pct(median(gap.seed))}; raw revenue per impression ${pct(median(gap.raw))}; bayes (shrunk value per impression) ${pct(median(gap.bayes))}`);
  console.log(`   ceiling (Bayes estimator knowing the market's true parameters, not whose they are) ${pct(median(gap.ceiling))}: bayes reaches ${pct(median(gap.bayes) / median(gap.ceiling))} of it`);
  console.log(`   bayes's actual choice (${PRODUCT.segmentPool === 'campaign' ? 'by value: no audience size is known' : `the set by size^${SIZE_EXPONENT} × value, size from delivery`}) ${pct(median(gap.set))}; the set by size^${SIZE_EXPONENT} × value with size inferred from delivery (engine version 5) ${pct(median(gap.deliverySet))}; the set earning the most under delivery by size, from the true values and sizes, ${pct(median(gap.trueSet))}; the set choice at TARGETING_SIZE_EXPONENT=0 (every segment weighing alike) ${pct(median(gap.setByValue))}`);
  console.log(`   bayes with exploration share ${EXPLORATION} (${explorationSlots(EXPLORATION, 15)} of 15 slots drawn, one decision: exploring can only cost here) ${pct(median(gap.explore))}`);
  console.log(`   judged with each interest weighed by its size (gap between all interests and the best size-weighted set): seed ${pct(median(weighed.seed))}; bayes ranking by value ${pct(median(weighed.bayes))}; bayes's actual choice ${pct(median(weighed.set))}; ceiling (its posterior means and the true sizes, best size-weighted set) ${pct(median(weighed.ceiling))}`);
}

// 3. The closed loop, with the settings a new installation runs with (a 30-day window, the ±20 %
// change per run, 14-day fatigue rests, 10 % of the slots explored, sizes weighing ^0.75).
const loop = (marketSeed: number, strategies: Parameters<typeof runBacktest>[0]['strategies'], settings: EngineSettings, audienceWeighting: AudienceWeighting = 'delivery', days = 28, audienceSizes: AudienceSizes = 'estimated') =>
  runBacktest({ marketSeed, days, historyDays: 14, windowDays: DEFAULTS.windowDays, audienceWeighting, strategies, settings, startDate: DECISION_DAY, audienceSizes });
const lastOverFirstWeek = (x: ReturnType<typeof loop>['series'][number]) => {
  const first = x.days.slice(0, 7).reduce((a, d) => a + d.regretMinor, 0);
  return first > 0 ? x.days.slice(-7).reduce((a, d) => a + d.regretMinor, 0) / first : 1;
};
const share: Record<string, number[]> = {};
const absCalibration: Record<string, number[]> = {};
const biasCalibration: Record<string, number[]> = {};
// The same bias over every day of the loop, not only its last 7.
const wholeLoopBias: Record<string, number[]> = {};
const loopBias = (x: ReturnType<typeof loop>['series'][number]) => {
  const days = x.days.filter((d) => d.predictedRoas !== null && d.revenueMinor > 0);
  return days.length > 0 ? days.reduce((a, d) => a + d.predictedRoas! / (d.revenueMinor / d.spendMinor) - 1, 0) / days.length : null;
};
const regretRatio: Record<string, number[]> = {};
// Per delivery model: seed's and bayes's shares of the oracle, bayes's lift over seed and regret ratio.
type ModelFigures = { seed: number[]; bayes: number[]; lift: number[]; regret: number[] };
const newFigures = (): ModelFigures => ({ seed: [], bayes: [], lift: [], regret: [] });
const models: Record<AudienceWeighting, ModelFigures> = { delivery: newFigures(), optimized: newFigures(), equal: newFigures() };
const variants: Record<string, { settings: EngineSettings; sizes?: AudienceSizes; models: Record<AudienceWeighting, ModelFigures> }> = {
  'with no audience size (a CSV without segment_size; the default is the market\'s Meta-like estimate)': { settings: PRODUCT, sizes: 'unknown', models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'choosing as engine version 5 (the ad set\'s own rows, sizes inferred from delivery)': { settings: (({ segmentPool: _p, ...v5 }) => v5)(PRODUCT), models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'not exploring the interest and behavior slots': { settings: { ...PRODUCT, explorationShare: 0 }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  [`exploring ${EXPLORATION} of the budget too`]: { settings: { ...PRODUCT, budgetExplorationShare: EXPLORATION }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'without the change-per-run limit': { settings: { ...PRODUCT, maxChangePct: 100 }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'with sizes weighing ^0.25 (engine version 3)': { settings: { ...PRODUCT, sizeExponent: 0.25 }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'with sizes weighing ^0.5': { settings: { ...PRODUCT, sizeExponent: 0.5 }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
  'with sizes weighing ^1': { settings: { ...PRODUCT, sizeExponent: 1 }, models: { delivery: newFigures(), optimized: newFigures(), equal: newFigures() } },
};
for (let s = 0; s < SEEDS; s++) {
  for (const model of AUDIENCE_WEIGHTINGS) {
    const report = loop(7 + s, model === 'delivery' ? ['uniform', 'spec', 'bayes', 'oracle'] : ['spec', 'bayes'], PRODUCT, model);
    const seed = report.series.find((x) => x.strategy === 'spec')!;
    const bayes = report.series.find((x) => x.strategy === 'bayes')!;
    const m = models[model];
    m.seed.push(seed.shareOfOracle);
    m.bayes.push(bayes.shareOfOracle);
    m.lift.push(bayes.cumulativeExpectedRevenueMinor / seed.cumulativeExpectedRevenueMinor - 1);
    m.regret.push(lastOverFirstWeek(bayes));
    if (model === 'delivery') {
      for (const x of report.series) {
        (share[x.strategy] ??= []).push(x.shareOfOracle);
        if (x.calibrationAbsError !== null) (absCalibration[x.strategy] ??= []).push(x.calibrationAbsError);
        if (x.calibrationError !== null) (biasCalibration[x.strategy] ??= []).push(x.calibrationError);
        const whole = loopBias(x);
        if (whole !== null) (wholeLoopBias[x.strategy] ??= []).push(whole);
        (regretRatio[x.strategy] ??= []).push(lastOverFirstWeek(x));
      }
      (share['bayes geo'] ??= []).push(median(bayes.days.map((d) => d.geoShareOfOracle)));
      (share['bayes audience'] ??= []).push(median(bayes.days.map((d) => d.audienceMultiplier)) / report.oracleAudienceMultiplier);
    }
    // The same loop with one setting changed (a seed per simulated day where it explores).
    for (const v of Object.values(variants)) {
      const x = loop(7 + s, ['bayes'], v.settings, model, 28, v.sizes ?? 'estimated').series[0]!;
      v.models[model].bayes.push(x.shareOfOracle);
      v.models[model].lift.push(x.cumulativeExpectedRevenueMinor / seed.cumulativeExpectedRevenueMinor - 1);
      v.models[model].regret.push(lastOverFirstWeek(x));
    }
  }
}
const range = (xs: number[]) => `median ${pct(median(xs))}, worst ${pct(Math.min(...xs))}, best ${pct(Math.max(...xs))}`;
console.log(`3. 28-day closed loop after 14 days of history, decisions reading ${DEFAULTS.windowDays} days back (geo and interests, delivery to the chosen interests by size; the product's default settings; median):`);
for (const strategy of ['uniform', 'spec', 'bayes']) {
  const cal = absCalibration[strategy];
  console.log(`   ${strategy.padEnd(8)} ${pct(median(share[strategy]!))} of oracle revenue; last-week/first-week regret ${median(regretRatio[strategy]!).toFixed(2)}${cal ? `; expected ROAS / realized − 1 over the last 7 days: mean ${pct(median(biasCalibration[strategy]!))}, mean absolute ${pct(median(cal))}; over all 28 days: mean ${pct(median(wholeLoopBias[strategy]!))}` : ''}`);
}
console.log(`   bayes's daily geo split alone ${pct(median(share['bayes geo']!))} of the oracle's; its interests' audience effect ${pct(median(share['bayes audience']!))} of the oracle's interests'`);
const describeModel: Record<AudienceWeighting, string> = {
  delivery: 'delivery by size',
  optimized: `delivery by size tilted toward value (^${OPTIMIZED_TILT})`,
  equal: 'every chosen interest credited alike (the loop\'s model before 2026-11-25; its rows show another value than it credits)',
};
for (const model of AUDIENCE_WEIGHTINGS) {
  const m = models[model];
  console.log(`   ${describeModel[model]}: seed ${pct(median(m.seed))}, bayes ${pct(median(m.bayes))} of oracle revenue; bayes vs seed ${range(m.lift)}; bayes's last-week/first-week regret ${median(m.regret).toFixed(2)}`);
}
for (const [name, v] of Object.entries(variants)) {
  console.log(`   bayes ${name}: ${AUDIENCE_WEIGHTINGS.map((model) => `${model} ${pct(median(v.models[model].bayes))} (vs seed ${pct(median(v.models[model].lift))}, worst ${pct(Math.min(...v.models[model].lift))}; regret ${median(v.models[model].regret).toFixed(2)})`).join('; ')}`);
}

// 4. Does the regret flatten? The same loop for 8 weeks: each week's regret as a share of the
// oracle's revenue that week (the first 2 weeks of the window are the stub's history, which ages out by day 31).
const WEEKS = 8;
const weekly: Record<string, number[][]> = {};
for (let s = 0; s < SEEDS; s++) {
  for (const model of ['delivery', 'optimized'] as const) {
    const report = loop(7 + s, ['spec', 'bayes', 'oracle'], PRODUCT, model, WEEKS * 7);
    const oracle = report.series.find((x) => x.strategy === 'oracle')!;
    for (const x of report.series) {
      if (x.strategy === 'oracle') continue;
      const rows = (weekly[`${x.strategy}, ${describeModel[model]}`] ??= Array.from({ length: WEEKS }, () => []));
      for (let w = 0; w < WEEKS; w++) {
        const regret = x.days.slice(w * 7, w * 7 + 7).reduce((a, d) => a + d.regretMinor, 0);
        rows[w]!.push(regret / oracle.days.slice(w * 7, w * 7 + 7).reduce((a, d) => a + d.expectedRevenueMinor, 0));
      }
    }
  }
}
console.log(`4. Regret by week over ${WEEKS} weeks of the same loop, as a share of the oracle's revenue that week (median):`);
for (const [name, rows] of Object.entries(weekly)) console.log(`   ${name}: ${rows.map((r) => pct(median(r))).join(', ')}`);
