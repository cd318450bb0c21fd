// npm run bench:quality — how good the engine's decisions are on every market family
// (src/simulation/families.ts), judged against the market's hidden truth, with the worst family
// beside the median. Each family gets --seeds markets (default 20); --family=NAME runs one;
// --history-days (21) and --loop-history-days (14) set how much history the run and the loop start from.
//   1. the geo split of one run on 21 days of history: share of the oracle's expected revenue
//      (the true response of revenue to spend, src/simulation/response.ts) for the default
//      strategy (bayes), the specification's (seed), uniform under Spain's floor, raw ROAS ratios
//      and the oracle itself; beside it, what the first run's step around the history's split
//      allows: the history's split, the best within the step, and the ceilings of bench/geo-ceiling.ts
//      (knowing the countries' values as a set, or only how the market draws them);
//   2. the interest choice of the same run: (chosen − random)/(oracle − random) in true value per
//      impression summed over the ad set's slots (an empty slot counts as a random interest), per
//      ad set weighed by its budget, for bayes, seed and raw revenue per impression; beside the
//      ceiling of bench/interest-ceiling.ts on the campaign's rows pooled over its ad sets (the
//      most any estimator could close from them; with heavy-tailed orders an upper bound, told each
//      interest's mean order value; not for shared ad sets, whose rows are blends that its model
//      does not describe); and the same choice judged as the loop judges it, by the
//      value per impression a union of the chosen interests delivers when Meta delivers by their true
//      size (tilted toward value where the family's delivery is optimized): (delivered − all
//      interests') / (best set's − all interests'), the best set of the same size by
//      bestInterests, beside the same estimator's ceiling choosing its best union;
//   3. the age and gender targeting of the same run: the revenue of the decided split with each ad
//      set's ages and gender, against the same split without narrowing and beside the best
//      targeting, under three assumptions of what a smaller audience costs in reach
//      (src/simulation/demographic-response.ts: reach exponents 0, 0.5 and 1), since no row shows it;
//   4. the 28-day closed loop of src/backtest/closed-loop.ts (`backtest`): cumulative expected
//      revenue of bayes against the specification's loop, and both as shares of the oracle's, with
//      where each falls short (its split's share of each day's oracle, its audience's against the
//      oracle's); and
//      the same loop with its own interest rows credited in equal shares of the day's delivery, as
//      LIVE sync credits an ad set of several interests (`backtest --interest-rows shared`).
// Every decision sees the market's Meta-like audience size estimates (StubMarket.audienceSizes,
// what `stub generate` stores in segment_sizes), joined to the snapshot as the store joins them;
// bayes is run again with no size (a CSV import without segment_size), reported beside.
// The engine is called only through optimizeCampaign and runBacktest, as a run would call it.
// Results: bench/results/decision-quality.json (a full run: every family, ≥ 20 markets each, the 28-day loop);
// partial runs write bench/results/decision-quality-partial.json.
// The stub-only analyses that came before (interest ceiling, loop variants, weekly regret) are
// `npm run bench:quality:stub` (bench/decision-quality.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { audienceWeightingOf, audienceWeights, bestInterests, pricedAudience, runBacktest, uniformSplit } from '../src/backtest/closed-loop.ts';
import { segmentSizeMap, snapshotFromRows } from '../src/backtest/snapshot-from-rows.ts';
import { loadConfig } from '../src/config.ts';
import { addCalendarDays as addDays } from '../src/engine/calendar.ts';
import { addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { deriveSeed } from '../src/engine/random.ts';
import { optimizeCampaign } from '../src/engine/optimizer.ts';
import type { EngineSettings, InsightRow, Metrics, Strategy } from '../src/engine/types.ts';
import { axisOf, FAMILY_NAMES, type MarketFamily, NAMED_FAMILIES, parseFamily } from '../src/simulation/families.ts';
import { bestTargeting, NO_NARROWING, revenueWithTargeting, type DemographicTargeting } from '../src/simulation/demographic-response.ts';
import { createStubMarket, getTruth, trueSegmentValues, valueScaleAtEnd, type StubCampaignTruth } from '../src/simulation/market.ts';
import { oracleSplit, revenueOfSplit } from '../src/simulation/response.ts';
import { ceilingSplit, countryTotals, firstStepBounds, geoCeilingApplies, historySplit } from './geo-ceiling.ts';
import { ceilingRanking, ceilingValues, interestCeilingKind } from './interest-ceiling.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SEEDS = Number(arg('seeds') ?? 20);
const LOOP_DAYS = Number(arg('loop-days') ?? 28);
// How many days of history the one run and the loop start from: a new campaign has only a few.
const HISTORY_DAYS = Number(arg('history-days') ?? 21);
const LOOP_HISTORY_DAYS = Number(arg('loop-history-days') ?? 14);
const DECISION_DAY = '2026-11-10';
if (!Number.isInteger(SEEDS) || SEEDS < 1) throw new RangeError('--seeds must be a whole number ≥ 1');
if (!Number.isInteger(LOOP_DAYS) || LOOP_DAYS < 0 || LOOP_DAYS > 365) throw new RangeError('--loop-days must be a whole number from 0 to 365');
for (const [name, days] of [['history-days', HISTORY_DAYS], ['loop-history-days', LOOP_HISTORY_DAYS]] as const) {
  if (!Number.isInteger(days) || days < 2 || days > 90) throw new RangeError(`--${name} must be a whole number from 2 to 90`);
}
const FAMILIES: [string, MarketFamily][] = arg('family') === undefined ? Object.entries(NAMED_FAMILIES) : [[arg('family')!, parseFamily(arg('family')!)]];
// The settings a new installation runs with (loadConfig's defaults), or a variant of them given as
// TARGETING_* variables in the environment; seed is the same settings with the specification's strategy.
const VARIANT = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('TARGETING_') && v !== undefined)) as Record<string, string>;
const DEFAULTS = loadConfig(VARIANT);
if (Object.keys(VARIANT).length > 0) console.log(`Settings variant: ${Object.entries(VARIANT).map(([k, v]) => `${k}=${v}`).join(' ')}`);
const PRODUCT: EngineSettings = DEFAULTS.engine;
const K = PRODUCT.maxInterests;
// How much reach a narrower audience loses: none, the square root of its share, all of its share.
const REACH_EXPONENTS = [0, 0.5, 1] as const;
type ReachExponent = (typeof REACH_EXPONENTS)[number];

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');

type GeoName = 'bayes' | 'seed' | 'uniform' | 'raw' | 'oracle';
type PickName = 'bayes' | 'seed' | 'raw' | 'ceiling';
interface FamilyFigures {
  geo: Record<GeoName, number[]>;
  /**
   * What the first run's step allows: the history's own split; the best split within the change
   * limit around it on the true curves; the best a Bayes estimator could choose there from the
   * same rows (bench/geo-ceiling.ts; empty where its likelihood is not the market's), knowing the
   * countries' values as a set (ceiling) or, countries alike, only how the market draws them
   * (bayesCeiling).
   */
  firstStep: { history: number[]; best: number[]; ceiling: number[]; bayesCeiling: number[] };
  interests: Record<PickName, number[]>;
  loop: { bayes: number[]; seed: number[]; uniform: number[]; lift: number[] };
  /**
   * Where each loop's revenue falls short of the oracle's, per market: its split's share of each day's
   * oracle revenue at the oracle's audience, and its audience's multiplier (learning included) over
   * the oracle's, each a mean over the days. A day's share of the oracle's is about their product.
   */
  loopParts: Record<'bayes' | 'seed', { split: number[]; audience: number[] }>;
  /** The loop whose own interest rows are equal shares of each day's delivery, as LIVE sync writes them. */
  sharedLoop: { bayes: number[]; seed: number[]; lift: number[] };
  /**
   * The interest choice judged by the value a union of the chosen interests delivers as Meta delivers it (by
   * true size, tilted toward value under optimized delivery); the ceiling: interest-ceiling.ts's estimator
   * choosing the union its values make best, knowing each interest's size and price and how Meta delivers.
   */
  delivered: { bayes: number[]; seed: number[]; ceiling: number[] };
  /**
   * Age and gender, per reach exponent: the decided split's revenue with each ad set's targeting over
   * the same split without narrowing (ad sets weighed by budget), and the best single targeting's.
   */
  demographics: Record<ReachExponent, { bayes: number[]; seed: number[]; best: number[] }>;
  /**
   * bayes with no audience size known (geo split, interest choice, delivered value, loop, loop vs
   * seed's), and the delivered value's ceiling without sizes: the ceiling's estimator choosing its
   * best union with every interest the same size to it, as no size known leaves it.
   */
  unknownSizes: { geo: number[]; interests: number[]; delivered: number[]; deliveredCeiling: number[]; loop: number[]; lift: number[] };
}


/** Budget in proportion to each country's observed revenue per spend, Spain raised to its floor. */
function rawRatioSplit(budget: number, totals: ReadonlyMap<string, Metrics>, spainMinPct: number): Map<string, number> {
  const roas = new Map([...totals].map(([code, m]) => [code, m.spendMinor > 0 ? m.revenueMinor / m.spendMinor : 0]));
  const sum = [...roas.values()].reduce((a, b) => a + b, 0);
  if (!(sum > 0)) return uniformSplit(budget, [...totals.keys()], spainMinPct);
  const split = new Map([...roas].map(([code, r]) => [code, (budget * r) / sum]));
  const floor = Math.ceil((budget * spainMinPct) / 100 - 1e-9);
  if ((split.get('ES') ?? 0) < floor) {
    const othersRoas = sum - (roas.get('ES') ?? 0);
    for (const [code, r] of roas) split.set(code, code === 'ES' ? floor : othersRoas > 0 ? ((budget - floor) * r) / othersRoas : 0);
  }
  return split;
}

/** (Σ chosen − k·mean) / (Σ top k − k·mean) in true value: every empty slot counts as a random interest. */
function gapClosed(chosen: readonly string[], values: ReadonlyMap<string, number>): number {
  const all = [...values.values()];
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const best = [...all].sort((a, b) => b - a).slice(0, K).reduce((a, v) => a + (v - mean), 0);
  const got = chosen.slice(0, K).reduce((a, id) => a + ((values.get(id) ?? mean) - mean), 0);
  return best > 0 ? got / best : 0;
}

/** (delivered − all's) / (best set's − all's): value per impression of a union delivered by true size. */
function deliveredGap(chosen: readonly string[], values: ReadonlyMap<string, number>, weightOf: (id: string) => number): number {
  const weighted = (ids: Iterable<string>) => {
    let w = 0;
    let v = 0;
    for (const id of ids) {
      w += weightOf(id);
      v += weightOf(id) * (values.get(id) ?? 0);
    }
    return w > 0 ? v / w : Number.NaN;
  };
  const all = weighted(values.keys());
  const best = weighted(bestInterests(values, weightOf, K)) - all;
  const got = chosen.length > 0 ? weighted(chosen) - all : 0;
  return best > 0 ? got / best : 0;
}

/** One run on the history: every ad set's decision, its geo split summed over the ad sets, its interest choice weighed by budget. */
function decide(strategy: Strategy, c: StubCampaignTruth, snapshot: ReturnType<typeof snapshotFromRows>, values: ReadonlyMap<string, number>, weightOf: (id: string) => number, marketSeed: number) {
  let delivered = 0;
  const targetings: { budgetMinor: number; targeting: DemographicTargeting }[] = [];
  const budget = c.dailyBudgetMinor;
  const decisions = optimizeCampaign({ snapshot, totalBudgetMinor: budget, settings: { ...PRODUCT, strategy }, randomSeed: deriveSeed('bench-quality', marketSeed, strategy) });
  const split = new Map<string, number>();
  let gap = 0;
  let weight = 0;
  for (const d of decisions) {
    const { budgetMinor, countries, interests } = d.decision;
    for (const c of countries) split.set(c.countryCode, (split.get(c.countryCode) ?? 0) + c.amountMinor);
    gap += budgetMinor * gapClosed(interests.map((i) => i.segmentId), values);
    delivered += budgetMinor * deliveredGap(interests.map((i) => i.segmentId), values, weightOf);
    targetings.push({ budgetMinor, targeting: { ageMin: d.decision.ageMin, ageMax: d.decision.ageMax, gender: d.decision.gender } });
    weight += budgetMinor;
  }
  return { split, targetings, interests: weight > 0 ? gap / weight : 0, delivered: weight > 0 ? delivered / weight : 0 };
}

function runMarket(family: MarketFamily, marketSeed: number, figures: FamilyFigures): void {
  // 1–2. One run on 21 days of history.
  const market = createStubMarket({ seed: marketSeed, campaigns: 1, days: HISTORY_DAYS, endDate: DECISION_DAY, interestsPerCampaign: 120, behaviorsPerCampaign: 20, family });
  const c = getTruth(market).campaigns[0]!;
  const rows = [...market.rows()] as InsightRow[];
  const windowStart = addDays(DECISION_DAY, -(Math.min(DEFAULTS.windowDays, HISTORY_DAYS) - 1));
  const window = { start: windowStart, end: DECISION_DAY, recentStart: addDays(DECISION_DAY, -(PRODUCT.recentDays - 1)) };
  const snapshot = snapshotFromRows(c.campaignId, getTruth(market).currency, rows, window, market.pixelEvents(c.campaignId), segmentSizeMap(market.audienceSizes(c.campaignId), 'meta'));
  const unsized = snapshotFromRows(c.campaignId, getTruth(market).currency, rows, window, market.pixelEvents(c.campaignId));
  const budget = c.dailyBudgetMinor;
  const scale = valueScaleAtEnd(c);
  const oracle = oracleSplit(c.countries, budget, PRODUCT.spainMinPct, scale);
  const best = revenueOfSplit(c.countries, oracle, scale);
  const share = (split: ReadonlyMap<string, number>) => revenueOfSplit(c.countries, split, scale) / best;
  // Under paid prices an interest is worth its value per unit of spend, and a union weighs each by the spend its delivery takes.
  const paid = axisOf(family, 'prices') === 'paid';
  const truthOf = new Map(c.segments.map((g) => [g.segmentId, g]));
  // Meta delivers the union by size, or tilted toward value where the family's delivery is optimized.
  const interestValues = trueSegmentValues(c, 'interest');
  const deliveryModel = audienceWeightingOf(family);
  const sizes = new Map(c.segments.map((g) => [g.segmentId, g.sizeImpressions]));
  const priceOf = (id: string) => truthOf.get(id)?.cpmMultiplier ?? 1;
  const credited = pricedAudience(interestValues, audienceWeights(deliveryModel, sizes, interestValues).credit, paid ? priceOf : null);
  const values = credited.values;
  const bayes = decide('bayes', c, snapshot, values, credited.weightOf, marketSeed);
  const seed = decide('spec', c, snapshot, values, credited.weightOf, marketSeed);
  const totals = countryTotals(rows);
  figures.geo.bayes.push(share(bayes.split));
  figures.geo.seed.push(share(seed.split));
  figures.geo.uniform.push(share(uniformSplit(budget, c.countries.map((k) => k.countryCode), PRODUCT.spainMinPct)));
  figures.geo.raw.push(share(rawRatioSplit(budget, totals, PRODUCT.spainMinPct)));
  figures.geo.oracle.push(share(oracle));
  const history = historySplit(totals, budget);
  const bounds = firstStepBounds(history, budget, PRODUCT);
  figures.firstStep.history.push(share(history));
  figures.firstStep.best.push(share(oracleSplit(c.countries, budget, PRODUCT.spainMinPct, scale, bounds)));
  if (geoCeilingApplies(family)) {
    figures.firstStep.ceiling.push(share(ceilingSplit(c, rows, budget, PRODUCT.spainMinPct, bounds)));
    figures.firstStep.bayesCeiling.push(share(ceilingSplit(c, rows, budget, PRODUCT.spainMinPct, bounds, { values: 'any-country-draws', currency: getTruth(market).currency })));
  }
  figures.interests.bayes.push(bayes.interests);
  figures.interests.seed.push(seed.interests);
  for (const r of REACH_EXPONENTS) {
    const at = (t: DemographicTargeting, split: ReadonlyMap<string, number>) => revenueWithTargeting(c.countries, c.demographics, t, r, split, scale);
    // Each ad set's targeting at the decided split, weighed by its budget, over no narrowing there.
    const narrowing = (d: typeof bayes) => d.targetings.reduce((a, x) => a + x.budgetMinor * at(x.targeting, d.split), 0) / d.targetings.reduce((a, x) => a + x.budgetMinor, 0) / at(NO_NARROWING, d.split);
    figures.demographics[r].bayes.push(narrowing(bayes));
    figures.demographics[r].seed.push(narrowing(seed));
    figures.demographics[r].best.push(bestTargeting(c.countries, c.demographics, r, bayes.split, scale).revenue / at(NO_NARROWING, bayes.split));
  }
  const bayesUnsized = decide('bayes', c, unsized, values, credited.weightOf, marketSeed);
  figures.unknownSizes.geo.push(share(bayesUnsized.split));
  figures.unknownSizes.interests.push(bayesUnsized.interests);
  figures.unknownSizes.delivered.push(bayesUnsized.delivered);
  figures.delivered.bayes.push(bayes.delivered);
  figures.delivered.seed.push(seed.delivered);
  // Raw ratios: the campaign's interest rows pooled over its ad sets, ranked by revenue per impression (per spend under paid prices).
  const pooled = new Map<string, Metrics>();
  for (const r of rows) if (r.segmentType === 'interest') addRow(pooled.get(r.segmentId) ?? pooled.set(r.segmentId, emptyMetrics()).get(r.segmentId)!, r);
  const rawValue = (m: Metrics) => (paid ? (m.spendMinor > 0 ? m.revenueMinor / m.spendMinor : 0) : m.revenueMinor / m.impressions);
  const raw = [...pooled].filter(([, m]) => m.impressions > 0).sort((a, b) => rawValue(b[1]) - rawValue(a[1]) || (a[0] < b[0] ? -1 : 1));
  figures.interests.raw.push(gapClosed(raw.slice(0, K).map(([id]) => id), values));
  const ceilingKind = interestCeilingKind(family);
  if (ceilingKind !== null) {
    const histories = [...pooled].map(([segmentId, total]) => ({ segmentType: 'interest' as const, segmentId, segmentName: segmentId, total, recent: emptyMetrics() }));
    figures.interests.ceiling.push(gapClosed(ceilingRanking(c, histories, values, ceilingKind).slice(0, K), values));
    // The same estimator's best union, knowing each interest's size and price and how Meta delivers
    // (the tilt applied to its own values, not the true ones): what the rows allow on the loop's measure.
    // Its values per impression, priced and weighed as the truth is (each interest at its own price).
    const estimated = ceilingValues(c, histories, interestValues, ceilingKind);
    const judged = pricedAudience(estimated, audienceWeights(deliveryModel, sizes, estimated).credit, paid ? priceOf : null);
    figures.delivered.ceiling.push(deliveredGap(bestInterests(judged.values, judged.weightOf, K), values, credited.weightOf));
    const sameSize = new Map([...estimated.keys()].map((id) => [id, 1]));
    const judgedUnsized = pricedAudience(estimated, audienceWeights(deliveryModel, sameSize, estimated).credit, paid ? priceOf : null);
    figures.unknownSizes.deliveredCeiling.push(deliveredGap(bestInterests(judgedUnsized.values, judgedUnsized.weightOf, K), values, credited.weightOf));
  }

  // 3. The closed loop, its own decisions feeding its data.
  if (LOOP_DAYS > 0) {
    const report = runBacktest({ marketSeed, days: LOOP_DAYS, historyDays: LOOP_HISTORY_DAYS, windowDays: DEFAULTS.windowDays, strategies: ['uniform', 'spec', 'bayes', 'oracle'], settings: PRODUCT, startDate: DECISION_DAY, family });
    const of = (s: string) => report.series.find((x) => x.strategy === s)!;
    figures.loop.bayes.push(of('bayes').shareOfOracle);
    figures.loop.seed.push(of('spec').shareOfOracle);
    figures.loop.uniform.push(of('uniform').shareOfOracle);
    figures.loop.lift.push(of('bayes').cumulativeExpectedRevenueMinor / of('spec').cumulativeExpectedRevenueMinor - 1);
    for (const [name, strategy] of [['bayes', 'bayes'], ['seed', 'spec']] as const) {
      const { days } = of(strategy);
      figures.loopParts[name].split.push(days.reduce((a, d) => a + d.geoShareOfOracle, 0) / days.length);
      figures.loopParts[name].audience.push(days.reduce((a, d) => a + d.audienceMultiplier, 0) / days.length / report.oracleAudienceMultiplier);
    }
    const unknown = runBacktest({ marketSeed, days: LOOP_DAYS, historyDays: LOOP_HISTORY_DAYS, windowDays: DEFAULTS.windowDays, strategies: ['bayes'], settings: PRODUCT, startDate: DECISION_DAY, family, audienceSizes: 'unknown' }).series[0]!;
    figures.unknownSizes.loop.push(unknown.shareOfOracle);
    figures.unknownSizes.lift.push(unknown.cumulativeExpectedRevenueMinor / of('spec').cumulativeExpectedRevenueMinor - 1);
    const shared = runBacktest({ marketSeed, days: LOOP_DAYS, historyDays: LOOP_HISTORY_DAYS, windowDays: DEFAULTS.windowDays, strategies: ['spec', 'bayes'], settings: PRODUCT, startDate: DECISION_DAY, family, interestRows: 'shared' });
    const sharedOf = (s: string) => shared.series.find((x) => x.strategy === s)!;
    figures.sharedLoop.bayes.push(sharedOf('bayes').shareOfOracle);
    figures.sharedLoop.seed.push(sharedOf('spec').shareOfOracle);
    figures.sharedLoop.lift.push(sharedOf('bayes').cumulativeExpectedRevenueMinor / sharedOf('spec').cumulativeExpectedRevenueMinor - 1);
  }
}

const stats = (xs: readonly number[], versus?: { seed?: readonly number[]; uniform?: readonly number[] }) => ({
  median: median(xs),
  worst: xs.length > 0 ? Math.min(...xs) : Number.NaN,
  ...(versus?.seed ? { belowSeed: xs.filter((x, i) => x < versus.seed![i]! - 1e-9).length } : {}),
  ...(versus?.uniform ? { belowUniform: xs.filter((x, i) => x < versus.uniform![i]! - 1e-9).length } : {}),
});

const started = performance.now();
const results: Record<string, unknown> = {};
const perFamily: { name: string; figures: FamilyFigures }[] = [];
console.log(`Decision quality on ${FAMILIES.length} market families, ${SEEDS} markets each (one run on ${HISTORY_DAYS} days of history; loop ${LOOP_DAYS} days after ${LOOP_HISTORY_DAYS}); the product's default settings, seed = the same with the specification's strategy.`);
for (const [name, family] of FAMILIES) {
  const t0 = performance.now();
  const figures: FamilyFigures = { geo: { bayes: [], seed: [], uniform: [], raw: [], oracle: [] }, firstStep: { history: [], best: [], ceiling: [], bayesCeiling: [] }, interests: { bayes: [], seed: [], raw: [], ceiling: [] }, loop: { bayes: [], seed: [], uniform: [], lift: [] }, loopParts: { bayes: { split: [], audience: [] }, seed: { split: [], audience: [] } }, sharedLoop: { bayes: [], seed: [], lift: [] }, delivered: { bayes: [], seed: [], ceiling: [] }, demographics: { 0: { bayes: [], seed: [], best: [] }, 0.5: { bayes: [], seed: [], best: [] }, 1: { bayes: [], seed: [], best: [] } }, unknownSizes: { geo: [], interests: [], delivered: [], deliveredCeiling: [], loop: [], lift: [] } };
  for (let s = 0; s < SEEDS; s++) runMarket(family, 3000 + s, figures);
  perFamily.push({ name, figures });
  const g = figures.geo;
  const geo = Object.fromEntries((['bayes', 'seed', 'uniform', 'raw', 'oracle'] as const).map((k) => [k, stats(g[k], k === 'seed' || k === 'oracle' ? { uniform: g.uniform } : k === 'uniform' ? { seed: g.seed } : { seed: g.seed, uniform: g.uniform })]));
  const interests = Object.fromEntries((['bayes', 'seed', 'raw', 'ceiling'] as const).map((k) => [k, figures.interests[k].length === 0 ? null : stats(figures.interests[k], k === 'seed' || k === 'ceiling' ? undefined : { seed: figures.interests.seed })]));
  const loop = LOOP_DAYS > 0 ? { bayes: stats(figures.loop.bayes, { seed: figures.loop.seed }), seed: stats(figures.loop.seed), uniform: stats(figures.loop.uniform), bayesOverSeed: stats(figures.loop.lift) } : null;
  const partsOf = (k: 'bayes' | 'seed') => ({ split: stats(figures.loopParts[k].split), audience: stats(figures.loopParts[k].audience) });
  const loopParts = LOOP_DAYS > 0 ? { bayes: partsOf('bayes'), seed: partsOf('seed') } : null;
  const sharedLoop = LOOP_DAYS > 0 ? { bayes: stats(figures.sharedLoop.bayes, { seed: figures.sharedLoop.seed }), seed: stats(figures.sharedLoop.seed), bayesOverSeed: stats(figures.sharedLoop.lift) } : null;
  const firstStep = { history: stats(figures.firstStep.history), best: stats(figures.firstStep.best), ceiling: figures.firstStep.ceiling.length > 0 ? stats(figures.firstStep.ceiling) : null, bayesCeiling: figures.firstStep.bayesCeiling.length > 0 ? stats(figures.firstStep.bayesCeiling, { uniform: figures.geo.uniform }) : null };
  const u = figures.unknownSizes;
  const delivered = { bayes: stats(figures.delivered.bayes, { seed: figures.delivered.seed }), seed: stats(figures.delivered.seed), ceiling: figures.delivered.ceiling.length > 0 ? stats(figures.delivered.ceiling) : null };
  const demographics = Object.fromEntries(REACH_EXPONENTS.map((r) => [`reach^${r}`, { bayes: stats(figures.demographics[r].bayes, { seed: figures.demographics[r].seed }), seed: stats(figures.demographics[r].seed), best: stats(figures.demographics[r].best) }]));
  const unknownSizes = { geo: stats(u.geo, { seed: g.seed, uniform: g.uniform }), interests: stats(u.interests, { seed: figures.interests.seed }), delivered: stats(u.delivered, { seed: figures.delivered.seed }), deliveredCeiling: u.deliveredCeiling.length > 0 ? stats(u.deliveredCeiling) : null, ...(LOOP_DAYS > 0 ? { loop: stats(u.loop, { seed: figures.loop.seed }), bayesOverSeed: stats(u.lift) } : {}) };
  // Every market's figures too (seed 3000 + index), for paired comparisons between branches.
  const perMarket = { marketSeeds: Array.from({ length: SEEDS }, (_, s) => 3000 + s), geo: figures.geo, firstStep: figures.firstStep, interests: figures.interests, delivered: figures.delivered, demographics: figures.demographics, loop: LOOP_DAYS > 0 ? figures.loop : null, loopParts: LOOP_DAYS > 0 ? figures.loopParts : null, sharedLoop: LOOP_DAYS > 0 ? figures.sharedLoop : null, unknownSizes: figures.unknownSizes };
  const interestCeiling = interestCeilingKind(family);
  results[name] = { axes: family, markets: SEEDS, geo, firstStep, interests, interestCeiling, delivered, demographics, loop, loopParts, sharedLoop, unknownSizes, perMarket, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  const line = (label: string, x: { median: number; worst: number; belowSeed?: number; belowUniform?: number }) =>
    `${label} ${pct(x.median)} (worst ${pct(x.worst)}${x.belowSeed !== undefined ? `, below seed ${x.belowSeed}/${SEEDS}` : ''}${x.belowUniform !== undefined ? `, below uniform ${x.belowUniform}/${SEEDS}` : ''})`;
  console.log(`\n${name} (saturation in ${family.saturation}; segment rows: ${family.segmentRows}; sizes ${family.sizes}) — ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  geo split, share of the oracle's revenue: ${line('bayes', geo.bayes!)}; ${line('seed', geo.seed!)}; ${line('uniform', geo.uniform!)}; ${line('raw ratios', geo.raw!)}; oracle ${pct(geo.oracle!.median)}`);
  console.log(`  first step (±${PRODUCT.maxChangePct} % of the history's split), share of the oracle's revenue: ${line('history\'s split', firstStep.history)}; ${line('best within it', firstStep.best)}; ${firstStep.ceiling && firstStep.bayesCeiling ? `${line('ceiling (Bayes estimator knowing the values as a set)', firstStep.ceiling)}; ${line('Bayes ceiling (knowing how they are drawn)', firstStep.bayesCeiling)}` : 'ceilings n/a (incomplete or drifting rows, or heavy-tailed orders)'}`);
  console.log(`  interest choice, gap closed random → oracle: ${line('bayes', interests.bayes!)}; ${line('seed', interests.seed!)}; ${line('raw', interests.raw!)}; ${interests.ceiling ? line(interestCeiling === 'rows' ? 'ceiling (campaign-wide)' : 'upper bound (order values known)', interests.ceiling) : 'ceiling n/a (blended rows)'}`);
  console.log(`  interest choice, value a union delivers by true size, gap closed all interests → best set: ${line('bayes', delivered.bayes)}; ${line('seed', delivered.seed)}; ${delivered.ceiling ? line(interestCeiling === 'rows' ? 'ceiling' : 'the estimator told the order values', delivered.ceiling) : 'ceiling n/a (blended rows)'}`);
  console.log(`  age and gender, revenue against no narrowing at the decided split, by reach lost to a smaller audience: ${REACH_EXPONENTS.map((r) => { const d = demographics[`reach^${r}`]!; return `share^${r}: ${line('bayes', d.bayes)}, ${line('seed', d.seed)}, best ${pct(d.best.median)}`; }).join('; ')}`);
  if (loop) console.log(`  ${LOOP_DAYS}-day loop, share of the oracle's revenue: ${line('bayes', loop.bayes)}; seed ${pct(loop.seed.median)} (worst ${pct(loop.seed.worst)}); uniform ${pct(loop.uniform.median)}; bayes vs seed cumulative ${pct(loop.bayesOverSeed.median)} (worst ${pct(loop.bayesOverSeed.worst)})`);
  if (loopParts) console.log(`  ${LOOP_DAYS}-day loop, where it falls short (means over the days): the split's share of each day's oracle revenue at the oracle's audience, bayes ${pct(loopParts.bayes.split.median)} (worst ${pct(loopParts.bayes.split.worst)}), seed ${pct(loopParts.seed.split.median)}; the audience's multiplier, learning included, over the oracle's, bayes ${pct(loopParts.bayes.audience.median)} (worst ${pct(loopParts.bayes.audience.worst)}), seed ${pct(loopParts.seed.audience.median)}`);
  if (sharedLoop) console.log(`  ${LOOP_DAYS}-day loop, its interest rows shared as LIVE sync credits them: ${line('bayes', sharedLoop.bayes)}; seed ${pct(sharedLoop.seed.median)} (worst ${pct(sharedLoop.seed.worst)}); bayes vs seed cumulative ${pct(sharedLoop.bayesOverSeed.median)} (worst ${pct(sharedLoop.bayesOverSeed.worst)})`);
  console.log(`  bayes with no audience size known: ${line('geo split', unknownSizes.geo)}; ${line('interest choice', unknownSizes.interests)}; ${line('delivered', unknownSizes.delivered)}${unknownSizes.deliveredCeiling ? ` (${line('ceiling without sizes', unknownSizes.deliveredCeiling)})` : ''}${unknownSizes.loop && unknownSizes.bayesOverSeed ? `; ${line('loop', unknownSizes.loop)}; vs seed cumulative ${pct(unknownSizes.bayesOverSeed.median)} (worst ${pct(unknownSizes.bayesOverSeed.worst)})` : ''}`);
}

// Summary: per measure, the worst family (by its median) and the median across families.
const measures: [string, (f: FamilyFigures) => number[]][] = [
  ['geo split: bayes', (f) => f.geo.bayes],
  ['geo split: seed', (f) => f.geo.seed],
  ['geo split: uniform', (f) => f.geo.uniform],
  ['geo split: raw ratios', (f) => f.geo.raw],
  ['first step: best within it', (f) => f.firstStep.best],
  ['first step: ceiling', (f) => f.firstStep.ceiling],
  ['first step: Bayes ceiling', (f) => f.firstStep.bayesCeiling],
  ['interest choice: bayes', (f) => f.interests.bayes],
  ['interest choice: seed', (f) => f.interests.seed],
  ['interest choice: raw', (f) => f.interests.raw],
  ['interest choice: bayes, no size known', (f) => f.unknownSizes.interests],
  ['delivered value: bayes', (f) => f.delivered.bayes],
  ['delivered value: seed', (f) => f.delivered.seed],
  ['delivered value: ceiling (told the order values where they are heavy-tailed)', (f) => f.delivered.ceiling],
  ['delivered value: bayes, no size known', (f) => f.unknownSizes.delivered],
  ['delivered value: ceiling, no size known (likewise)', (f) => f.unknownSizes.deliveredCeiling],
  ...REACH_EXPONENTS.flatMap((r): [string, (f: FamilyFigures) => number[]][] => [
    [`age and gender, reach share^${r}: bayes`, (f) => f.demographics[r].bayes],
    [`age and gender, reach share^${r}: seed`, (f) => f.demographics[r].seed],
    [`age and gender, reach share^${r}: best`, (f) => f.demographics[r].best],
  ]),
  ...(LOOP_DAYS > 0
    ? ([
      ['loop: bayes share of oracle', (f: FamilyFigures) => f.loop.bayes],
      ['loop: seed share of oracle', (f: FamilyFigures) => f.loop.seed],
      ['loop: bayes vs seed cumulative revenue', (f: FamilyFigures) => f.loop.lift],
      ["loop: bayes split's share of each day's oracle", (f: FamilyFigures) => f.loopParts.bayes.split],
      ["loop: bayes audience over the oracle's", (f: FamilyFigures) => f.loopParts.bayes.audience],
      ["loop: seed split's share of each day's oracle", (f: FamilyFigures) => f.loopParts.seed.split],
      ["loop: seed audience over the oracle's", (f: FamilyFigures) => f.loopParts.seed.audience],
      ['loop: bayes share, no size known', (f: FamilyFigures) => f.unknownSizes.loop],
      ['loop: bayes vs seed, no size known', (f: FamilyFigures) => f.unknownSizes.lift],
      ['loop, shared rows: bayes share of oracle', (f: FamilyFigures) => f.sharedLoop.bayes],
      ['loop, shared rows: seed share of oracle', (f: FamilyFigures) => f.sharedLoop.seed],
      ['loop, shared rows: bayes vs seed cumulative revenue', (f: FamilyFigures) => f.sharedLoop.lift],
    ] as [string, (f: FamilyFigures) => number[]][])
    : []),
];
const summary: Record<string, { worstFamily: string; worstFamilyMedian: number; medianAcrossFamilies: number }> = {};
console.log(`\nSummary over ${perFamily.length} families (each family's median; worst family; median across families):`);
for (const [label, pick] of measures) {
  const medians = perFamily.filter((p) => pick(p.figures).length > 0).map((p) => ({ name: p.name, m: median(pick(p.figures)) }));
  if (medians.length === 0) continue;
  const worst = medians.reduce((a, b) => (b.m < a.m ? b : a));
  summary[label] = { worstFamily: worst.name, worstFamilyMedian: worst.m, medianAcrossFamilies: median(medians.map((x) => x.m)) };
  console.log(`  ${label.padEnd(40)} worst ${worst.name} ${pct(worst.m)}; median ${pct(summary[label]!.medianAcrossFamilies)}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`\n${perFamily.length} families × ${SEEDS} markets in ${seconds.toFixed(0)} s.`);

// Only the defaults, over every family with 20 markets and the 28-day loop, write the file the docs cite.
const full = FAMILIES.length === FAMILY_NAMES.length && SEEDS >= 20 && LOOP_DAYS === 28 && HISTORY_DAYS === 21 && LOOP_HISTORY_DAYS === 14 && Object.keys(VARIANT).length === 0;
const file = path.join(import.meta.dirname, 'results', full ? 'decision-quality.json' : 'decision-quality-partial.json');
mkdirSync(path.dirname(file), { recursive: true });
const round = (_: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v);
writeFileSync(file, `${JSON.stringify({ command: `npm run bench:quality -- ${process.argv.slice(2).join(' ')}`.trim(), settingsVariant: VARIANT, marketsPerFamily: SEEDS, historyDays: HISTORY_DAYS, loopDays: LOOP_DAYS, loopHistoryDays: LOOP_HISTORY_DAYS, maxInterests: K, families: results, summary, seconds: Math.round(seconds) }, round, 2)}\n`);
console.log(`Written: ${path.relative(process.cwd(), file)}`);
