// The closed loop on a stub market whose truth is known: each simulated day a strategy decides,
// the market delivers that decision (with noise and diminishing returns), the day's results join
// the history the next decision reads. The same engine that runs in production decides; only the
// data is synthetic.
//
// What the market responds to, and the assumptions that are ours rather than the stub's:
// - the geo split, through each country's true response of revenue to spend
//   (src/simulation/response.ts: the stub's own, for the market's family);
// - the chosen interests, through AUDIENCE_INFLUENCE: the stub models no per-interest delivery,
//   so the day's value per impression moves toward the mean true value of the chosen interests
//   relative to all of them, for half of the delivery (the rest reaches people outside the
//   chosen interests, as Meta's audience expansion does). The mean weighs each interest by its
//   share of the delivery (audienceWeighting: by size, 'delivery', the default; or tilted toward
//   the valuable ones, 'optimized'), as deliverToInterests splits it.
// - Interest history grows only for the chosen interests (deliverToInterests: their share of the
//   day's delivery at their true rates), and every history is read over the same rolling window
//   (windowDays, production's TARGETING_WINDOW_DAYS) as the countries', so an interest never
//   chosen again ages out of it. This is what lets
//   exploration pay: the loop learns about an interest only by choosing it.
// - Those rows are each interest's own share ('breakdown': figures Meta's API does not give), or
//   the day's delivery credited to the chosen interests in equal shares, as LIVE sync credits an
//   ad set of several interests once the recommendation is applied ('shared', interestRows).
import { DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR, flooredCountriesOfSettings } from '../engine/ad-set-groups.ts';
import { addCalendarDays as addDays, inclusiveDays } from '../engine/calendar.ts';
import { fatigueFitCandidates, fatigueFitStart } from '../engine/fatigue-fit.ts';
import { addMetrics, addRow, dayOf, emptyMetrics, subtractMetrics } from '../engine/metrics.ts';
import { optimizeCampaign } from '../engine/optimizer.ts';
import { createRng, deriveSeed, type Rng } from '../engine/random.ts';
import type { Market } from '../engine/response-curve.ts';
import type { AdSetSnapshot, CampaignSnapshot, CountryDay as SnapshotDay, CountryHistory, EarlierRuns, EngineSettings, RestingSegment, InsightRow, Metrics, SegmentBlend, SegmentHistory, SegmentSize, Strategy } from '../engine/types.ts';
import { attachSegmentSizes, segmentSizeMap } from './snapshot-from-rows.ts';
import { axisOf, DEFAULT_FAMILY, familyName, type MarketFamily, type ReportingAxis } from '../simulation/families.ts';
import { orderSum, type OrderSpread } from '../simulation/orders.ts';
import { isSignificantEdit, learningEfficiency } from '../simulation/learning.ts';
import { applySplit, countryLearning, historyAdSet, poolSpread, recordConversions, spendByCountry, type AdSetRestarts, type Grouping } from '../simulation/country-adsets.ts';
import { reportedAtAge, reportedMetrics } from '../simulation/reporting.ts';
import { countriesOnDay, createStubMarket, getTruth, marketDay, trueSegmentValues, valueScaleAtEnd, type MarketDay, type StubCampaignTruth, type StubCountryTruth } from '../simulation/market.ts';
import { conversionFactor, oracleSplit, trueImpressions, trueRevenue, type ValueScale } from '../simulation/response.ts';
import { segmentKey } from '../engine/segment-key.ts';
import { optimizedTilt } from '../simulation/delivery.ts';
import { equalShares } from '../engine/money.ts';
import { addBlendDay, blendDayOf } from '../engine/segment-blends.ts';

export const AUDIENCE_INFLUENCE = 0.5;

export type BacktestStrategy = Strategy | 'uniform' | 'oracle';

export type AudienceSizes = 'estimated' | 'unknown';
export const AUDIENCE_SIZES: readonly AudienceSizes[] = ['estimated', 'unknown'];

export interface BacktestOptions {
  marketSeed: number | string;
  /** Simulated days of the loop. */
  days: number;
  /** Days of stub history before the loop starts. */
  historyDays: number;
  /** Days each decision reads back, as TARGETING_WINDOW_DAYS does in production. */
  windowDays: number;
  /** Default: the family's delivery ('optimized' for delivery 'optimized', else 'delivery'). */
  audienceWeighting?: AudienceWeighting;
  strategies: readonly BacktestStrategy[];
  settings: EngineSettings;
  /** Last day of the initial history (YYYY-MM-DD). */
  startDate: string;
  /**
   * 'estimated' (default): each interest and behavior carries the stub market's Meta-like audience
   * size estimate (StubMarket.audienceSizes: a rounded range around a noisy estimate of the true
   * size), as `stub generate` stores it and as Meta gives it in LIVE mode. 'unknown': none, as
   * after a CSV import without segment_size.
   */
  audienceSizes?: AudienceSizes;
  /** The stub market's assumptions (src/simulation/families.ts); default the original market. */
  family?: MarketFamily;
  /** How the loop's own delivery reaches the interest rows (see InterestRows); default 'breakdown'. */
  interestRows?: InterestRows;
  /**
   * Where the split is applied one ad set per country (edits 'reset-learning-per-country'): the
   * daily budget a country needs for an ad set of its own, as META_SPLIT_MIN_DAILY_BUDGET_MINOR;
   * default its default.
   */
  splitMinDailyBudgetMinor?: number;
}

/**
 * How the loop's own delivery is reported per chosen interest.
 * - 'breakdown': each interest's own share of the delivery at its own rates, as a union's
 *   per-interest breakdown would show it.
 * - 'shared': the ad set's delivery credited to its interests in equal parts, as LIVE sync credits
 *   Meta's rows (Meta has no interest breakdown): every chosen interest shows the set's blend.
 */
export type InterestRows = 'breakdown' | 'shared';
export const INTEREST_ROWS: readonly InterestRows[] = ['breakdown', 'shared'];

export interface BacktestDay {
  day: number;
  date: string;
  spendMinor: number;
  /** What the decision earns in expectation under the true market: the quantity compared across strategies. */
  expectedRevenueMinor: number;
  /** What the noisy market delivered on this day. */
  revenueMinor: number;
  conversions: number;
  /** The optimizer's own expected_roas for the day; null for uniform and oracle. */
  predictedRoas: number | null;
  /** (oracle's expected revenue − this strategy's) for the day. */
  regretMinor: number;
  /** The day's geo split alone, with the oracle's interests: its expected revenue / the oracle's. */
  geoShareOfOracle: number;
  /** The chosen interests' effect on value per impression (1 = as good as all interests on average). */
  audienceMultiplier: number;
}

export interface BacktestSeries {
  strategy: BacktestStrategy;
  days: BacktestDay[];
  cumulativeExpectedRevenueMinor: number;
  shareOfOracle: number;
  /** Mean of predicted / realized ROAS − 1 over the last 7 days (bias); null without predictions. */
  calibrationError: number | null;
  /** Mean of |predicted / realized ROAS − 1| over the last 7 days. */
  calibrationAbsError: number | null;
  /** Where the split is applied one ad set per country (edits 'reset-learning-per-country'): how often an ad set restarted learning; else null. */
  adSetRestarts: AdSetRestarts | null;
}

export interface BacktestReport {
  marketSeed: number | string;
  /** The market family's name (src/simulation/families.ts). */
  family: string;
  campaignId: string;
  currency: string;
  dailyBudgetMinor: number;
  historyDays: number;
  windowDays: number;
  days: number;
  audienceInfluence: number;
  audienceWeighting: AudienceWeighting;
  /** Whether the decisions saw the market's audience size estimates ('estimated') or none. */
  audienceSizes: AudienceSizes;
  /** How the loop's own delivery reached the interest rows. */
  interestRows: InterestRows;
  /** The oracle's interests' audience multiplier: the best any choice of interests reaches. */
  oracleAudienceMultiplier: number;
  series: BacktestSeries[];
}

interface CountryDay {
  date: string;
  country: string;
  metrics: Metrics;
}

/**
 * The campaign-level truth as the engine's curve type, for the families whose value per
 * impression is constant on exponentially saturating impressions (the default): the ad sets' budget shares
 * cancel out of each country's curve (see simulation/market.ts). Other families have no such
 * form: use simulation/response.ts.
 */
export function trueMarkets(c: StubCampaignTruth, budgetMinor: number, spainMinPct: number): Market[] {
  if (c.countries.some((k) => !k.impressionsSaturate || k.valueSaturationImpressions !== null || (k.curve ?? 'exponential') !== 'exponential')) throw new RangeError('trueMarkets describes only markets whose value per impression is constant on exponential curves; use simulation/response.ts');
  const creative = valueScaleAtEnd(c);
  const floor = Math.ceil((budgetMinor * spainMinPct) / 100 - 1e-9);
  return c.countries.map((k) => ({
    code: k.countryCode,
    curve: { capacity: k.capacityImpressions, saturation: k.saturationSpendMinor },
    valuePerImpression: k.ctr * k.cvr * k.revenuePerConversionMinor * creative.ctr * creative.cvr * creative.aov,
    minMinor: k.countryCode === 'ES' ? floor : 0,
    maxMinor: budgetMinor,
  }));
}

/** True value per impression of each interest on the decision day (fatigue included). */
export function trueInterestValues(c: StubCampaignTruth): Map<string, number> {
  return trueSegmentValues(c, 'interest');
}

/**
 * How Meta delivers an ad set's impressions among its chosen interests, and so how their true
 * values combine into the audience's.
 * - 'delivery': in proportion to each interest's size (where its people are).
 * - 'optimized': in proportion to size × (value / the mean value of all interests)^OPTIMIZED_TILT:
 *   Meta's delivery optimisation tilts the same union toward the interests whose people convert.
 * In both, deliverToInterests splits the loop's delivery with the same weights the audience's
 * value is credited with, so the interest rows the optimizer reads show the value per impression
 * the audience is credited with.
 * - 'equal': delivery by size but every chosen interest credited alike, the loop's model until
 *   2026-11-25. It credits a tiny interest as much as a big one although the tiny one receives
 *   almost none of the delivery: the rows it writes show a size-weighted value per impression, the
 *   audience is credited with the plain mean;
 *   kept as a sensitivity check (docs/decision-quality.md).
 */
export type AudienceWeighting = 'delivery' | 'optimized' | 'equal';
export const AUDIENCE_WEIGHTINGS: readonly AudienceWeighting[] = ['delivery', 'optimized', 'equal'];

/** The weighting a family's market delivers with: tilted toward value where its delivery is optimized, else by size. */
export function audienceWeightingOf(family: MarketFamily): AudienceWeighting {
  return axisOf(family, 'delivery') === 'optimized' ? 'optimized' : 'delivery';
}

/** The weights each chosen interest's delivery and credit take under a model (see AudienceWeighting). */
export function audienceWeights(weighting: AudienceWeighting, sizes: ReadonlyMap<string, number>, values: ReadonlyMap<string, number>): { delivery: (id: string) => number; credit: (id: string) => number } {
  const size = (id: string) => sizes.get(id) ?? 0;
  if (weighting === 'equal') return { delivery: size, credit: () => 1 };
  if (weighting === 'delivery') return { delivery: size, credit: size };
  const tilt = optimizedTilt(values);
  const tilted = (id: string) => size(id) * tilt(id);
  return { delivery: tilted, credit: tilted };
}

/** Each interest's relative cost per impression in the market's truth (1 = the campaign's average). */
function segmentPrices(c: StubCampaignTruth): (id: string) => number {
  const prices = new Map(c.segments.map((g) => [g.segmentId, g.cpmMultiplier]));
  return (id) => prices.get(id) ?? 1;
}

/**
 * What the chosen interests are credited with. Under 'ignored' prices, their weighted value per
 * impression; under 'paid' prices their weighted value per impression over their weighted cost per
 * impression (what a unit of spend earns), which is the weighted mean of value / price with weights
 * w × price — so bestInterests and audienceMultiplier apply unchanged. The price acts on what the
 * audience is credited with, as a conversion rate would: the same expected revenue as buying
 * fewer impressions, without changing the countries' impression curves.
 */
export function pricedAudience(values: ReadonlyMap<string, number>, weightOf: (id: string) => number, priceOf: ((id: string) => number) | null): { values: ReadonlyMap<string, number>; weightOf: (id: string) => number } {
  if (priceOf === null) return { values, weightOf };
  return { values: new Map([...values].map(([id, v]) => [id, v / priceOf(id)])), weightOf: (id) => weightOf(id) * priceOf(id) };
}

/** How much the chosen interests move value per impression: 1 = no better than all interests (weighted alike). */
function audienceMultiplier(chosen: readonly string[], values: ReadonlyMap<string, number>, weightOf: (id: string) => number): number {
  if (chosen.length === 0 || values.size === 0) return 1;
  const mean = (ids: Iterable<string>) => {
    let w = 0;
    let v = 0;
    for (const id of ids) {
      w += weightOf(id);
      v += weightOf(id) * (values.get(id) ?? 0);
    }
    return w > 0 ? v / w : 0;
  };
  const all = mean(values.keys());
  return all > 0 ? 1 + AUDIENCE_INFLUENCE * (mean(chosen) / all - 1) : 1;
}

/**
 * The k interests whose weighted mean value is highest: a fractional program, solved by Dinkelbach's
 * iteration (take the k largest w·(v − λ), set λ to their weighted mean, repeat until λ stops
 * moving; it converges in a few steps). With equal weights it is the k most valuable.
 */
export function bestInterests(values: ReadonlyMap<string, number>, weightOf: (id: string) => number, k: number): string[] {
  const ids = [...values.keys()].sort();
  let lambda = -Infinity;
  let pick: string[] = [];
  for (let step = 0; step < 100; step++) {
    const at = lambda === -Infinity ? 0 : lambda;
    pick = [...ids].sort((a, b) => weightOf(b) * (values.get(b)! - at) - weightOf(a) * (values.get(a)! - at) || (a < b ? -1 : 1)).slice(0, k);
    const w = pick.reduce((s, id) => s + weightOf(id), 0);
    const next = w > 0 ? pick.reduce((s, id) => s + weightOf(id) * values.get(id)!, 0) / w : 0;
    if (next <= lambda + 1e-15) break;
    lambda = next;
  }
  return pick;
}

export function uniformSplit(budget: number, countries: readonly string[], spainMinPct: number): Map<string, number> {
  const floor = Math.ceil((budget * spainMinPct) / 100 - 1e-9);
  const spain = Math.max(floor, Math.floor(budget / countries.length));
  const others = countries.filter((c) => c !== 'ES');
  const each = others.length > 0 ? Math.floor((budget - spain) / others.length) : 0;
  const split = new Map(others.map((c) => [c, each]));
  split.set('ES', budget - each * others.length);
  return split;
}

function snapshotOf(campaignId: string, currency: string, countryDays: readonly CountryDay[], segments: readonly SegmentHistory[], blends: readonly SegmentBlend[], pixel: CampaignSnapshot['pixelEvents'], start: string, end: string, recentStart: string): CampaignSnapshot {
  const byCountry = new Map<string, CountryHistory & { daily: SnapshotDay[] }>();
  const total = emptyMetrics();
  const recent = emptyMetrics();
  for (const d of countryDays) {
    if (d.date < start) continue;
    let c = byCountry.get(d.country);
    if (!c) byCountry.set(d.country, (c = { countryCode: d.country, total: emptyMetrics(), daily: [] }));
    addMetrics(c.total, d.metrics);
    addMetrics(total, d.metrics);
    if (d.date >= recentStart) addMetrics(recent, d.metrics);
    c.daily.push(dayOf(d.date, d.metrics));
  }
  const adset: AdSetSnapshot = { adsetId: null, segments: [...segments], countries: [...byCountry.values()], demographics: [], total, recent, ...(blends.length > 0 ? { blends: [...blends] } : {}) };
  return { campaignId, currency, windowStart: start, windowEnd: end, adsets: [adset], pixelEvents: pixel };
}

/** The countries' learning efficiencies weighed by their spend: the ad sets' learning as the day's delivery meets it. */
function spendWeighted(split: ReadonlyMap<string, number>, learning: ReadonlyMap<string, number>): number {
  let spend = 0;
  let weighted = 0;
  for (const [country, amount] of split) {
    spend += amount;
    weighted += amount * (learning.get(country) ?? 1);
  }
  return spend > 0 ? weighted / spend : 1;
}

/**
 * The day's delivery of a split, country by country, at the market's true response that day
 * (`today`: countriesOnDay) and the creative's scale (valueScaleAtEnd): what the history of the
 * stub's own rows would have shown, through the day's swings (`day`: marketDay). `saturation` is the day's conversion-rate saturation relative
 * to the market's planned split (1 when value per impression does not fall), for the interest rows.
 * `learning`: each country's ad set's learning efficiency where the split is applied one ad set per
 * country (country-adsets.ts); null where one ad set delivers every country.
 */
function deliver(rng: Rng, c: StubCampaignTruth, today: readonly StubCountryTruth[], creative: ValueScale, split: ReadonlyMap<string, number>, audience: number, date: string, day: MarketDay, learning: ReadonlyMap<string, number> | null): { days: CountryDay[]; saturation: number } {
  let saturated = 0;
  let planned = 0;
  let drifted = 0;
  let undrifted = 0;
  const days = today.map((k, i) => {
    const spend = split.get(k.countryCode) ?? 0;
    const impressions = Math.round((trueImpressions(k, spend) / day.cpm[i]!) * Math.exp(rng.normal(0, 0.03)));
    const q = conversionFactor(k, impressions);
    if (k.valueSaturationImpressions !== null) {
      saturated += impressions * k.ctr * k.cvr * q;
      planned += impressions * k.ctr * k.cvr * conversionFactor(k, trueImpressions(k, c.dailyBudgetMinor * k.budgetShare));
    }
    if (k !== c.countries[i]) {
      drifted += impressions * k.ctr * k.cvr * q;
      undrifted += impressions * k.ctr * c.countries[i]!.cvr * q;
    }
    const clicks = rng.binomial(impressions, Math.min(0.5, k.ctr * creative.ctr * day.ctr));
    const conversions = rng.binomial(clicks, Math.min(0.9, k.cvr * creative.cvr * day.cvr * audience * (learning?.get(k.countryCode) ?? 1) * q));
    const order = k.revenuePerConversionMinor * creative.aov;
    const revenue = orderSum(rng, conversions, order, axisOf(c.family, 'orders'));
    const metrics: Metrics = { ...emptyMetrics(), impressions, clicks, spendMinor: spend, conversions, clicksWithConversions: clicks, revenueMinor: revenue, spendWithRevenueMinor: spend };
    return { date, country: k.countryCode, metrics };
  });
  // Drifting countries (countriesOnDay) move the day's conversions as a whole: the interest rows carry that too.
  const drift = undrifted > 0 ? drifted / undrifted : 1;
  return { days, saturation: (planned > 0 ? saturated / planned : 1) * drift };
}

interface SegmentDays {
  segmentType: 'interest' | 'behavior';
  segmentId: string;
  segmentName: string;
  /** One entry per date with delivery, oldest first; `shared`: the part of the day's metrics that is shares of a blend. */
  days: { date: string; metrics: Metrics; shared?: Metrics }[];
}

/** One ad set-day credited in equal shares to `segments`: the day's whole delivery to them. */
interface BlendDay {
  date: string;
  segments: SegmentBlend['segments'];
  total: Metrics;
}

/**
 * A day's metrics as the source reports them when read at the decision's last day; `labels` name
 * the row after its date, the same for every share of one delivery.
 */
type ReadAs = (date: string, metrics: Metrics, labels: readonly string[]) => Metrics;
const AS_STORED: ReadAs = (_, metrics) => metrics;

/** The blend days in the window, one blend per set of segments. */
function windowedBlends(days: readonly BlendDay[], start: string, readAs: ReadAs): SegmentBlend[] {
  const adset: Pick<AdSetSnapshot, 'blends'> = {};
  for (const d of days) if (d.date >= start) addBlendDay(adset, d.segments, readAs(d.date, d.total, ['blend']));
  return adset.blends ?? [];
}

/**
 * Segment histories over the decision's window, as the store's snapshot would read them: daily
 * points for the fatigue fit's candidates and the resting segments (fatigueFitCandidates).
 */
function windowed(segments: ReadonlyMap<string, SegmentDays>, start: string, end: string, recentStart: string, resting: readonly RestingSegment[], readAs: ReadAs): SegmentHistory[] {
  const histories = [...segments.values()].map((g) => {
    const total = emptyMetrics();
    const recent = emptyMetrics();
    let activeDays = 0;
    let shared: Metrics | undefined;
    for (const d of g.days) {
      if (d.date < start) continue;
      // The loop's segment-day is all shares or none: a share reads like every share of its day.
      const labels = d.shared !== undefined ? ['shares'] : [g.segmentId];
      const metrics = readAs(d.date, d.metrics, labels);
      addMetrics(total, metrics);
      if (d.shared !== undefined) shared = addMetrics(shared ?? emptyMetrics(), readAs(d.date, d.shared, labels));
      if (metrics.impressions > 0) activeDays++;
      if (d.date >= recentStart) addMetrics(recent, metrics);
    }
    return { segmentType: g.segmentType, segmentId: g.segmentId, segmentName: g.segmentName, total, recent, activeDays, ...(shared !== undefined ? { shared } : {}) };
  });
  // The store's snapshot lists only segments with rows in the window.
  const listed: SegmentHistory[] = histories.filter((h) => h.total.impressions > 0);
  const restingIds = new Set(resting.map(segmentKey));
  const fitStart = fatigueFitStart(start, end);
  for (const h of fatigueFitCandidates(listed, (x) => restingIds.has(segmentKey(x)))) {
    // A share of a blend shows the set's CTR, not the segment's: only its own rows can show it tiring.
    h.daily = segments.get(h.segmentId)!.days
      .filter((d) => d.date >= fitStart && d.date <= end)
      .map((d) => ({ date: d.date, own: d.shared === undefined ? d.metrics : subtractMetrics(d.metrics, d.shared) }))
      .filter((d) => d.own.impressions > 0)
      .map((d) => ({ date: d.date, impressions: d.own.impressions, clicks: d.own.clicks, reach: d.own.reach }));
  }
  return listed;
}

/** What the loop's market says of every interest's delivery, the same every day. */
interface InterestMarket {
  marketSeed: number | string;
  truth: ReadonlyMap<string, StubCampaignTruth['segments'][number]>;
  /** How Meta splits a union's delivery among its interests (size, or size tilted by value). */
  deliveryWeightOf: (id: string) => number;
  /** Each interest's price relative to the others' under paid prices; null: one price for all. */
  priceOf: ((id: string) => number) | null;
  reporting: ReportingAxis;
  interestRows: InterestRows;
  orders: OrderSpread;
}

/** Where a strategy's interest rows go: its segment history, and the blends of shared days. */
interface RecordedRows {
  history: Map<string, SegmentDays>;
  blendDays: BlendDay[];
}

/** One day: the ad sets' creative with the day's swing, the interests in force and the countries' delivery. */
interface InterestDay {
  date: string;
  creative: ValueScale;
  chosen: readonly string[];
  delivered: readonly CountryDay[];
}

/**
 * The day's delivery seen through the chosen interests: AUDIENCE_INFLUENCE of the impressions and
 * spend went to people in them (split by deliveryWeightOf: size, or size tilted by value), at the interest's true CTR, CVR and
 * order value on the decision day and the ad sets' creative (valueScaleAtEnd); the rest reached people
 * outside them and is not attributed.
 * Interests not chosen get no row, so what the loop learns about an interest comes only from
 * choosing it, by exploitation or exploration. A noise stream per interest and day keeps the same
 * interest's noise identical across strategies.
 */
function deliverToInterests(market: InterestMarket, into: RecordedRows, day: InterestDay): void {
  const { marketSeed, truth, deliveryWeightOf, priceOf, reporting, interestRows, orders } = market;
  const { history, blendDays } = into;
  const { date, creative, chosen, delivered } = day;
  const picked = chosen.map((id) => truth.get(id)).filter((g) => g !== undefined);
  const size = picked.reduce((a, g) => a + deliveryWeightOf(g.segmentId), 0);
  // Under paid prices each interest's row shows its own cost per impression.
  const spendWeight = (id: string) => deliveryWeightOf(id) * (priceOf === null ? 1 : priceOf(id));
  const spendWeights = picked.reduce((a, g) => a + spendWeight(g.segmentId), 0);
  if (picked.length === 0 || !(size > 0)) return;
  const impressions = delivered.reduce((a, d) => a + d.metrics.impressions, 0) * AUDIENCE_INFLUENCE;
  const spend = delivered.reduce((a, d) => a + d.metrics.spendMinor, 0) * AUDIENCE_INFLUENCE;
  const rows = picked.map((g) => {
    const rng = createRng(deriveSeed(`backtest:${String(marketSeed)}`, 'interest', g.segmentId, date));
    const share = deliveryWeightOf(g.segmentId) / size;
    const n = Math.round(impressions * share);
    const clicks = rng.binomial(n, Math.min(0.5, g.ctr * (1 - g.fatigueDepth) * creative.ctr));
    const conversions = rng.binomial(clicks, Math.min(0.9, g.cvr * creative.cvr));
    const revenue = orderSum(rng, conversions, g.revenuePerConversionMinor * creative.aov, orders);
    const spendMinor = Math.round(priceOf === null ? spend * share : (spend * spendWeight(g.segmentId)) / spendWeights);
    return { impressions: n, clicks, spendMinor, conversions, revenueMinor: revenue };
  });
  const shared = interestRows === 'shared' && picked.length > 1;
  const credited = shared ? sharedCredit(rows, date) : rows;
  const blend: BlendDay = { date, segments: picked.map((g) => ({ segmentType: 'interest' as const, segmentId: g.segmentId })), total: emptyMetrics() };
  picked.forEach((g, i) => {
    const metrics = reportedMetrics(credited[i]!, reporting, marketSeed, [date, 'interest', g.segmentId]);
    let h = history.get(g.segmentId);
    if (!h) history.set(g.segmentId, (h = { segmentType: 'interest', segmentId: g.segmentId, segmentName: g.segmentName, days: [] }));
    h.days.push({ date, metrics, ...(shared ? { shared: metrics } : {}) });
    addMetrics(blend.total, metrics);
  });
  if (shared) blendDays.push(blend);
}

export type DeliveredFigures = { impressions: number; clicks: number; spendMinor: number; conversions: number; revenueMinor: number };

/** The day's delivery to the chosen interests, summed and credited back in equal whole shares, as LIVE sync credits an ad set's rows. */
export function sharedCredit(rows: readonly DeliveredFigures[], date: string): DeliveredFigures[] {
  const k = rows.length;
  const parts = (metric: keyof DeliveredFigures) => equalShares(rows.reduce((a, r) => a + r[metric], 0), k, `loop|${date}|${metric}`);
  const [impressions, clicks, spendMinor, conversions, revenueMinor] = (['impressions', 'clicks', 'spendMinor', 'conversions', 'revenueMinor'] as const).map(parts);
  return rows.map((_, i) => ({ impressions: impressions![i]!, clicks: clicks![i]!, spendMinor: spendMinor![i]!, conversions: conversions![i]!, revenueMinor: revenueMinor![i]! }));
}

export function runBacktest(options: BacktestOptions): BacktestReport {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 365) throw new RangeError('days must be a whole number from 1 to 365');
  if (!Number.isInteger(options.historyDays) || options.historyDays < 3 || options.historyDays > 365) throw new RangeError('history days must be a whole number from 3 to 365');
  if (!Number.isInteger(options.windowDays) || options.windowDays < 1 || options.windowDays > 400) throw new RangeError('window days must be a whole number from 1 to 400');
  const family = options.family ?? DEFAULT_FAMILY;
  const reporting = axisOf(family, 'reporting');
  // A lagged source reports a day anew each time it is read: the loop keeps what was delivered
  // (the market's rows as reported once settled) and reads each day as of the decision's last day.
  const settled: MarketFamily = reporting === 'lagged' ? { ...family, reporting: 'complete' } : family;
  const market = createStubMarket({ seed: options.marketSeed, campaigns: 1, days: options.historyDays, endDate: options.startDate, interestsPerCampaign: 120, behaviorsPerCampaign: 20, family: settled });
  const truth = getTruth(market);
  const c = truth.campaigns[0]!;
  const budget = c.dailyBudgetMinor;
  const spainMinPct = options.settings.spainMinPct;
  const creative = valueScaleAtEnd(c);
  const oracle = oracleSplit(c.countries, budget, spainMinPct, creative);
  const interestValues = trueInterestValues(c);
  const weighting = options.audienceWeighting ?? audienceWeightingOf(family);
  const sizeOf = new Map(c.segments.map((g) => [g.segmentId, g.sizeImpressions]));
  const weights = audienceWeights(weighting, sizeOf, interestValues);
  const priceOf = axisOf(family, 'prices') === 'paid' ? segmentPrices(c) : null;
  const edits = axisOf(family, 'edits');
  const credit = pricedAudience(interestValues, weights.credit, priceOf);
  const oracleInterests = bestInterests(credit.values, credit.weightOf, options.settings.maxInterests);
  // The split's expected revenue, each country's conversion rate scaled by the audience and, where ad sets learn per country, by its ad set's learning.
  const expectedRevenue = (split: ReadonlyMap<string, number>, audience: number, today: readonly StubCountryTruth[] = c.countries, learning: ReadonlyMap<string, number> | null = null) =>
    today.reduce((a, k) => a + trueRevenue(k, split.get(k.countryCode) ?? 0, { ...creative, cvr: creative.cvr * audience * (learning?.get(k.countryCode) ?? 1) }), 0);
  const oracleAudience = audienceMultiplier(oracleInterests, credit.values, credit.weightOf);
  const oracleDaily = expectedRevenue(oracle, oracleAudience);
  // Countries that drift (family drift 'countries') keep drifting in the loop: each day has its own
  // truth, so its own oracle split. The same objects, oracle and revenue every day where none drifts.
  const daysOf = Array.from({ length: options.days }, (_, i) => {
    const today = countriesOnDay(c, i + 1);
    if (today === c.countries) return { today, oracle, oracleRevenue: oracleDaily };
    const split = oracleSplit(today, budget, spainMinPct, creative);
    return { today, oracle: split, oracleRevenue: expectedRevenue(split, oracleAudience, today) };
  });
  const oracleTotal = daysOf.every((d) => d.today === c.countries) ? oracleDaily * options.days : daysOf.reduce((a, d) => a + d.oracleRevenue, 0);
  // The loop's days swing as the history's did (costs, CTR, CVR, weekends): noise every strategy meets alike.
  const marketDays = Array.from({ length: options.days }, (_, i) => marketDay(c, options.marketSeed, addDays(options.startDate, i + 1)));

  // The initial history: country days for the geo curves, segment totals for the audience.
  const countryDays: CountryDay[] = [];
  const byKey = new Map<string, CountryDay>();
  const segmentDays = new Map<string, SegmentDays>();
  const historyBlends: BlendDay[] = [];
  const addSegmentRows = (rows: readonly InsightRow[]) => {
    const blend = blendDayOf(rows);
    const shares = blend !== null;
    if (shares) historyBlends.push({ date: rows[0]!.date, ...blend });
    for (const r of rows) {
      let s = segmentDays.get(r.segmentId);
      if (!s) segmentDays.set(r.segmentId, (s = { segmentType: r.segmentType as SegmentDays['segmentType'], segmentId: r.segmentId, segmentName: r.segmentName, days: [] }));
      let last = s.days.at(-1);
      if (last?.date !== r.date) s.days.push((last = { date: r.date, metrics: emptyMetrics() }));
      addRow(last.metrics, r);
      if (shares) last.shared = addRow(last.shared ?? emptyMetrics(), r);
    }
  };
  // One ad set-day's segment rows at a time, to tell shares of one blend from per-segment figures.
  let adsetDay: InsightRow[] = [];
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (adsetDay.length > 0 && (adsetDay[0]!.adsetId !== r.adsetId || adsetDay[0]!.date !== r.date)) {
      addSegmentRows(adsetDay);
      adsetDay = [];
    }
    if (r.country !== '') {
      const key = `${r.date}|${r.country}`;
      let d = byKey.get(key);
      if (!d) {
        byKey.set(key, (d = { date: r.date, country: r.country, metrics: emptyMetrics() }));
        countryDays.push(d);
      }
      addRow(d.metrics, r);
    } else if (r.segmentType === 'interest' || r.segmentType === 'behavior') {
      adsetDay.push(r);
    }
  }
  addSegmentRows(adsetDay);
  const interestMarket: InterestMarket = { marketSeed: options.marketSeed, truth: new Map(c.segments.map((g) => [g.segmentId, g])), deliveryWeightOf: weights.delivery, priceOf, reporting, interestRows: options.interestRows ?? 'breakdown', orders: axisOf(c.family, 'orders') };
  // What `stub generate` stores in segment_sizes (source 'meta'), read back as a run reads it.
  const audienceSizes = options.audienceSizes ?? 'estimated';
  const storedSizes = audienceSizes === 'estimated' ? segmentSizeMap(market.audienceSizes(c.campaignId), 'meta') : new Map<string, SegmentSize>();
  const pixel = market.pixelEvents(c.campaignId);
  const countries = c.countries.map((k) => k.countryCode);

  const series = options.strategies.map((strategy): BacktestSeries => {
    const rng = createRng(`backtest:${String(options.marketSeed)}`); // the same noise stream for every strategy
    const history = [...countryDays];
    const segmentHistory = new Map([...segmentDays].map(([id, g]) => [id, { ...g, days: [...g.days] }]));
    const blendDays = [...historyBlends];
    const days: BacktestDay[] = [];
    // What production reads from the previous runs: the previous day's split, which the
    // change-per-run limit (settings.maxChangePct) holds each day's move against, the rests in force,
    // and the previous day's interests and behaviors, in force once applied, which an edit is weighed against.
    let previousGeo: EarlierRuns['geo'];
    let previousTargeting: EarlierRuns['targeting'];
    let resting: RestingSegment[] = [];
    // Under edits 'reset-learning', the targeting in force and the conversions since its last edit;
    // under 'reset-learning-per-country', the same for each ad set the split is applied through.
    let targeted: string[] | null = null;
    let eventsSinceEdit = Number.POSITIVE_INFINITY;
    let adsets = historyAdSet(countries);
    const grouping: Grouping = {
      floored: flooredCountriesOfSettings(options.settings),
      minBudgetMinor: options.splitMinDailyBudgetMinor ?? DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR,
    };
    for (let day = 1; day <= options.days; day++) {
      const date = addDays(options.startDate, day);
      const { today, oracle: dayOracle, oracleRevenue } = daysOf[day - 1]!;
      let split: Map<string, number>;
      let chosen: string[] = [];
      let predictedRoas: number | null = null;
      if (strategy === 'oracle') {
        split = dayOracle;
        chosen = oracleInterests;
      } else if (strategy === 'uniform') {
        split = uniformSplit(budget, countries, spainMinPct);
      } else {
        const end = addDays(date, -1);
        const start = addDays(end, -(options.windowDays - 1));
        const recentStart = addDays(end, -(options.settings.recentDays - 1));
        const readAs: ReadAs = reporting === 'lagged' ? (at, metrics, labels) => reportedAtAge(metrics, reporting, options.marketSeed, [at, ...labels], inclusiveDays(at, end) - 1) : AS_STORED;
        const listed = windowed(segmentHistory, start, end, recentStart, resting, readAs);
        attachSegmentSizes(listed, storedSizes);
        const countryDaysRead = readAs === AS_STORED ? history : history.map((d) => (d.date < start ? d : { ...d, metrics: readAs(d.date, d.metrics, [d.country]) }));
        const snapshot = snapshotOf(c.campaignId, truth.currency, countryDaysRead, listed, windowedBlends(blendDays, start, readAs), pixel, start, end, recentStart);
        const earlierRuns: EarlierRuns = { ...(previousGeo ? { geo: previousGeo } : {}), ...(resting.length > 0 ? { resting } : {}), ...(previousTargeting ? { targeting: previousTargeting } : {}) };
        // A seed per simulated day, as production derives one per run: exploration (bayes only, when
        // settings.explorationShare > 0) draws differently each day and identically for a market seed.
        const randomSeed = deriveSeed(`backtest:${String(options.marketSeed)}`, 'explore', strategy, day);
        // Applied one ad set per country, the decision is told so, as a LIVE run under ad set budgets
        // is, with the countries already delivering through an ad set of their own.
        const holding = [...adsets.adsetOf].filter(([c, a]) => a === c).map(([c]) => c).sort();
        const applied = edits === 'reset-learning-per-country' ? { countryAdSets: { minDailyBudgetMinor: grouping.minBudgetMinor, ...(holding.length > 0 ? { holding: [{ adsetId: null, countries: holding }] } : {}) } } : {};
        const [decision] = optimizeCampaign({ snapshot, totalBudgetMinor: budget, settings: { ...options.settings, strategy, ...applied }, randomSeed, ...(Object.keys(earlierRuns).length > 0 ? { earlierRuns } : {}) });
        const decided = decision!.decision;
        split = new Map(decided.countries.map((c) => [c.countryCode, c.amountMinor]));
        previousGeo = [{ adsetId: null, totalBudgetMinor: budget, allocations: [...split].map(([countryCode, amountMinor]) => ({ countryCode, amountMinor })) }];
        const rests = decision!.rests;
        if (rests) {
          const ended = new Set(rests.ended.map(segmentKey));
          resting = [...resting.filter((r) => !ended.has(segmentKey(r))), ...rests.started];
        }
        chosen = decided.interests.map((i) => i.segmentId);
        previousTargeting = [{ adsetId: null, interests: chosen, behaviors: decided.behaviors.map((b) => b.segmentId) }];
        predictedRoas = decided.expected.roas;
      }
      // A strategy that targets no interests (uniform) keeps the history's targeting: no edit.
      const interestEdit = chosen.length > 0 && isSignificantEdit(targeted, chosen);
      if (edits === 'reset-learning' && interestEdit) eventsSinceEdit = 0;
      if (chosen.length > 0) targeted = chosen;
      if (edits === 'reset-learning-per-country') adsets = applySplit(adsets, split, interestEdit, grouping);
      // Applied one ad set per country, the pooled ad set's budget goes where Meta's delivery puts it.
      const spent = edits === 'reset-learning-per-country' ? spendByCountry(split, adsets, poolSpread(axisOf(family, 'pool'), today, creative)) : split;
      const byCountry = edits === 'reset-learning-per-country' ? countryLearning(adsets) : null;
      const interestsMultiplier = audienceMultiplier(chosen, credit.values, credit.weightOf);
      const campaignLearning = edits === 'reset-learning' ? learningEfficiency(eventsSinceEdit) : 1;
      const audience = interestsMultiplier * campaignLearning;
      // The learning the day's delivery meets, for the interest rows and the report.
      const learning = byCountry === null ? campaignLearning : spendWeighted(spent, byCountry);
      const expected = expectedRevenue(spent, audience, today, byCountry);
      const { days: delivered, saturation } = deliver(rng, c, today, creative, spent, audience, date, marketDays[day - 1]!, byCountry);
      eventsSinceEdit += delivered.reduce((a, d) => a + d.metrics.conversions, 0);
      if (byCountry !== null) adsets = recordConversions(adsets, delivered.map((d) => ({ country: d.country, conversions: d.metrics.conversions })));
      // The history holds what the source reports; the day's figures below, what was delivered.
      history.push(...delivered.map((d) => ({ ...d, metrics: reportedMetrics(d.metrics, reporting, options.marketSeed, [d.date, 'country', d.country]) })));
      if (strategy === 'spec' || strategy === 'bayes') {
        const swing = marketDays[day - 1]!;
        deliverToInterests(interestMarket, { history: segmentHistory, blendDays }, { date, creative: { ...creative, ctr: creative.ctr * swing.ctr, cvr: creative.cvr * swing.cvr * saturation * learning }, chosen, delivered });
      }
      days.push({
        day,
        date,
        spendMinor: [...spent.values()].reduce((a, b) => a + b, 0),
        expectedRevenueMinor: expected,
        revenueMinor: delivered.reduce((s, d) => s + d.metrics.revenueMinor, 0),
        conversions: delivered.reduce((s, d) => s + d.metrics.conversions, 0),
        predictedRoas,
        regretMinor: oracleRevenue - expected,
        geoShareOfOracle: expectedRevenue(spent, oracleAudience, today) / oracleRevenue,
        audienceMultiplier: interestsMultiplier * learning,
      });
    }
    const cumulative = days.reduce((s, d) => s + d.expectedRevenueMinor, 0);
    const last = days.slice(-7).filter((d) => d.predictedRoas !== null && d.revenueMinor > 0);
    const errors = last.map((d) => d.predictedRoas! / (d.revenueMinor / d.spendMinor) - 1);
    const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    return { strategy, days, cumulativeExpectedRevenueMinor: cumulative, shareOfOracle: cumulative / oracleTotal, calibrationError: mean(errors), calibrationAbsError: mean(errors.map(Math.abs)), adSetRestarts: edits === 'reset-learning-per-country' ? adsets.restarts : null };
  });
  return { marketSeed: options.marketSeed, family: familyName(family), campaignId: c.campaignId, currency: truth.currency, dailyBudgetMinor: budget, historyDays: options.historyDays, windowDays: options.windowDays, days: options.days, audienceInfluence: AUDIENCE_INFLUENCE, audienceWeighting: weighting, audienceSizes, interestRows: options.interestRows ?? 'breakdown', oracleAudienceMultiplier: oracleAudience, series };
}
