// The `bayes` strategy's budget split between countries (docs/geo-split.md). Three candidates
// decide it: a model of each country's value (revenue, or conversions where revenue is unknown) as a
// concave function of spend, a constant value per spend, and the specification's split. Each is
// fitted on the earlier days of the window and scored on how well it predicts every country's value
// on the later days at the spends that happened; the run uses the best, and never one that predicts
// worse than the specification's split. Whatever decides, no country gets more than its history
// supports (the trust region): a multiple of its highest daily spend, or the new-country share when
// it was never funded.
import { addMetrics, emptyMetrics, totalOfDays } from './metrics.ts';
import { allocateBudget, scoreCountries, type CountryScore } from './geo.ts';
import { fitStrengths, fittedPrior, valuePerImpression, type RatePrior } from './value-model.ts';
import { roundWithin, splitUnderLimits, type CountryLimits, type TrustCeiling } from './geo-constraints.ts';
import { blendSplits, budgetExplorationTrace, drawCountryValues, type BudgetExploration } from './geo-exploration.ts';
import { valueInterval } from './credible-interval.ts';
import { ASSUMED_ORDER_VALUE_CV2, betweenVariance, orderValueSpread, type OrderValueSpread } from './level-noise.ts';
import { studentTQuantile } from './lift.ts';
import { createRng } from './random.ts';
import { curveValue, marginalValue, type Market } from './response-curve.ts';
import { fitImpressionCurves } from './day-cost.ts';
import type { CountryDay, CountryHistory, EngineSettings, Metrics, Priors, TraceEvent } from './types.ts';
import type { BendTest, FTest, LevelShrinkageEvent } from './trace-events.ts';

/** A country at most this multiple of its highest daily spend in the window, by default. */
export const DEFAULT_TRUST_MULTIPLE = 2;

export type GeoCandidate = 'value_response' | 'constant_roas' | 'specification';
/** Ties go to the first: the richer model, then the simpler, then the specification. */
export const GEO_CANDIDATES: readonly GeoCandidate[] = ['value_response', 'constant_roas', 'specification'];

// The held-out check needs enough days on both sides: at least 4 to fit on and 3 to predict. Every
// day after the first 4 is predicted: with only the later half predicted, noise picked a worse
// candidate more often on the stub markets.
const MIN_TRAIN_DAYS = 4;
const MIN_CHECK_DAYS = MIN_TRAIN_DAYS + 3;
// At most the last two weeks are predicted: each is a refit of every candidate.
const MAX_HELD_OUT_DAYS = 14;
// How many days of a fully varied spend (coefficient of variation 1) a country's own bend is worth
// against the bend shared by all countries: with the usual ±20 % day-to-day variation a country's
// own curvature is barely visible, so the shared bend dominates.
const BEND_STRENGTH = 2;
// Extra bend of value, per unit of the country's mean daily spend, beyond the impressions' own: 0
// (value per impression constant) to 4 (value halves within a sixth of the mean spend added).
const BEND_GRID = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1, 1.5, 2, 3, 4];
// Where no country's impressions bend can be fitted: saturation at 10× the mean spend, nearly straight
// over the observed range, so that any curvature has to come from the value's own bend.
const DEFAULT_IMPRESSION_BEND = 10;

export interface GeoSplitInput {
  totalMinor: number;
  countries: readonly CountryHistory[];
  settings: EngineSettings;
  minorPerMajor: number;
  /** Share limits, minimum budget, change limit; the trust region is added here. */
  limits: CountryLimits;
  exploration: BudgetExploration | null;
  /** Benchmarks only: decide with this candidate whatever the check says (the trace still shows the check). */
  candidate?: GeoCandidate;
  /** The check made once for the whole campaign (checkCampaign); absent = checked on these countries. */
  campaignCheck?: CampaignCheck;
}

export interface CampaignCheck {
  result: HeldOutCheck | string;
  /**
   * Each country's value per spend in the whole campaign (shrunk), over the campaign's: what an
   * ad set's countries are shrunk toward, so that an ad set with little evidence of its own keeps
   * the campaign's ranking of countries. Absent with a single ad set.
   */
  relative?: ReadonlyMap<string, number>;
  /** Ad sets whose country days were pooled. */
  adsets: number;
}

/**
 * Every ad set's country days added up by country and date: the campaign's own history by country.
 * The check is made on it once per run, so that a campaign of many small ad sets (one per interest,
 * say) is judged on all its evidence, not on each ad set's noise.
 */
export function poolCountries(adsets: readonly { countries: readonly CountryHistory[] }[]): CountryHistory[] {
  const byCode = new Map<string, { total: Metrics; days: Map<string, CountryDay> }>();
  let dated = true;
  for (const a of adsets) {
    for (const c of a.countries) {
      if (c.countryCode === '') continue;
      const into = byCode.get(c.countryCode) ?? { total: emptyMetrics(), days: new Map<string, CountryDay>() };
      byCode.set(c.countryCode, into);
      addMetrics(into.total, c.total);
      for (const d of c.daily ?? []) {
        if (d.date === undefined) dated = false;
        const key = d.date ?? '';
        const day = into.days.get(key);
        if (!day) {
          into.days.set(key, { ...d });
          continue;
        }
        day.spendMinor += d.spendMinor;
        day.impressions += d.impressions;
        for (const k of ['clicks', 'conversions', 'clicksWithConversions', 'revenueMinor', 'spendWithRevenueMinor'] as const) {
          if (day[k] !== undefined && d[k] !== undefined) day[k] = day[k] + d[k];
          else delete day[k];
        }
      }
    }
  }
  // Undated days cannot be lined up across ad sets: keep none, and the check will say why.
  return [...byCode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([countryCode, c]) => ({ countryCode, total: c.total, daily: dated ? [...c.days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, d]) => d) : [{ spendMinor: 0, impressions: 0 }] }));
}

/** The held-out check of the campaign's pooled country history (poolCountries), made once per run. */
export function checkCampaign(adsets: readonly { countries: readonly CountryHistory[] }[], settings: EngineSettings, minorPerMajor: number, totalMinor: number): CampaignCheck {
  const units = poolCountries(adsets).map((c) => ({ code: c.countryCode, total: c.total, daily: c.daily ?? [] }));
  const revenue = units.some((u) => u.total.spendWithRevenueMinor > 0);
  const result = checkOnHeldOutDays(units, settings, minorPerMajor, revenue, totalMinor);
  if (adsets.length < 2) return { result, adsets: adsets.length };
  const { perSpend, pooledPerSpend } = shrunkValuePerImpression(units, revenue, undefined, settings.measuredLevelNoise === true);
  return { result, adsets: adsets.length, relative: new Map(units.map((u, i) => [u.code, pooledPerSpend > 0 ? perSpend[i]! / pooledPerSpend : 1])) };
}

export interface GeoSplit {
  allocations: { countryCode: string; amountMinor: number }[];
  trace: TraceEvent[];
  chosen: GeoCandidate;
  /** Held-out error of each candidate; null when the history could not be split. */
  errors: Record<GeoCandidate, number> | null;
}

interface Unit {
  code: string;
  total: Metrics;
  daily: CountryDay[];
}

/** A candidate fitted on some days: its prediction of a country's value per day at a spend. */
interface Fitted {
  predict(code: string, spendMinor: number): number;
}

/**
 * A value known on part of a total (revenue on the spend of the rows that report it, conversions on
 * their clicks), scaled to the whole; where none of it is known, `rate` (per unit of the whole)
 * times the whole. Rows that do not report a value are not rows worth nothing.
 */
function scaledToWhole(value: number, known: number, whole: number, rate: number | null): number {
  if (known === whole || !(whole > 0)) return value;
  if (known > 0) return (value * whole) / known;
  return rate === null ? value : rate * whole;
}

/** A country's value per unit of what it is known on (spend, or clicks for conversions); null when never known. */
function valueRate(m: Metrics, revenue: boolean): number | null {
  if (revenue) return m.spendWithRevenueMinor > 0 ? m.revenueMinor / m.spendWithRevenueMinor : null;
  return m.clicksWithConversions > 0 ? m.conversions / m.clicksWithConversions : null;
}

/** What a country's total is worth: revenue when the campaign tracks it, else conversions. */
function totalValue(m: Metrics, revenue: boolean): number {
  return revenue ? scaledToWhole(m.revenueMinor, m.spendWithRevenueMinor, m.spendMinor, null) : scaledToWhole(m.conversions, m.clicksWithConversions, m.clicks, null);
}

/** What a country's day is worth (`rate`: the country's valueRate, for a day that reported none). */
function dayValue(d: CountryDay, revenue: boolean, rate: number | null): number {
  return revenue
    ? scaledToWhole(d.revenueMinor ?? 0, d.spendWithRevenueMinor ?? d.spendMinor, d.spendMinor, rate)
    : scaledToWhole(d.conversions ?? 0, d.clicksWithConversions ?? d.clicks ?? 0, d.clicks ?? 0, rate);
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export interface ValueCurve {
  code: string;
  market: Market;
  /** Whether the impressions curve was fitted (else borrowed from the others). */
  fitted: boolean;
  /** Extra bend of value per unit of mean spend: the country's own and the shared one. */
  bend: number;
  ownBend: number | null;
  sharedBend: number;
  /** Whether the country's own days show its own bend against the shared one; null when not tested. */
  ownTest: BendTest | null;
  fitRelativeError: number | null;
  days: number;
}

const F_CRITICAL = new Map<number, number>();

/**
 * Whether some days show a fitted bend against a simpler one (the shared bend against none, a
 * country's own against the shared). A bend the days do not show is noise the fit chased, and it
 * holds money back from countries whose value keeps up with spend.
 */
function bendTest(simplerError: number, fittedError: number, dof: number): BendTest | null {
  if (!(dof >= 1)) return null;
  let critical = F_CRITICAL.get(dof);
  if (critical === undefined) F_CRITICAL.set(dof, (critical = studentTQuantile(0.975, dof) ** 2));
  const gain = Math.max(0, simplerError - fittedError);
  // A perfect fit's statistic is unbounded: capped, so that the trace holds a number.
  const f = fittedError > 0 ? Math.min(1e12, gain / (fittedError / dof)) : gain > 0 ? 1e12 : 0;
  return { f, critical, shown: f > critical };
}

/** How fitValueCurves fits: the settings' choices, and the check's quicker refits. */
export interface ValueCurveOptions {
  /** The held-out check's refits: a coarser impressions fit. */
  coarse?: boolean;
  /** The campaign's relative value of each country, which an ad set's countries are shrunk toward. */
  relative?: ReadonlyMap<string, number>;
  /** settings.measuredLevelNoise: how far levels are shrunk is measured (level-noise.ts). */
  measured?: boolean;
  /** settings.testedValueBend: a bend counts only where the days show it (bendTest). */
  tested?: boolean;
  /** settings.commonDayCost: the days' common swing in cost per impression is fitted with the impressions curves (day-cost.ts). */
  commonDayCost?: boolean;
}

/**
 * The value-response model: value_k(s) = A_k · (1 − exp(−s / S_k)), with
 * 1/S_k = 1/S_imp,k + θ_k / mean spend_k. S_imp,k is the saturation of the country's impressions
 * (rising cost per impression), read through the days' common cost swing with `commonDayCost`
 * (day-cost.ts); θ_k bends value further (falling value per impression as spend grows).
 * θ is fitted across countries (each country's daily value against its spend, least squares scaled by its
 * mean value) and each country's own θ is shrunk toward it by how much its spend varied. The level A_k
 * makes the model's value over the days fitted equal the country's value per spend, shrunk toward
 * the pool of countries (shrunkValuePerImpression), times its spend: the level is as well measured
 * as the totals, the shape is borrowed where the days cannot show it.
 */
export function fitValueCurves(units: readonly Unit[], revenue: boolean, options: ValueCurveOptions = {}): { curves: ValueCurve[]; sharedBend: number; sharedTest: BendTest | null; dayCostTest: FTest | null; levels: ShrunkLevels } {
  const { coarse = false, relative, measured = false, tested = false, commonDayCost = false } = options;
  const pooled = units.reduce((acc, u) => addMetrics(acc, u.total), emptyMetrics());
  const impressions = fitImpressionCurves(units.map((u) => u.daily), { coarse, common: commonDayCost });
  const imp = impressions.curves;
  const bends = units.flatMap((u, i) => (imp[i] ? [imp[i].saturation / Math.max(1, mean(u.daily.map((d) => d.spendMinor)))] : [])).sort((a, b) => a - b);
  const medianBend = bends.length > 0 ? bends[Math.floor(bends.length / 2)]! : DEFAULT_IMPRESSION_BEND;
  const fallbackSpend = Math.max(1, pooled.spendMinor / Math.max(1, units.length));
  const shapes = units.map((u, i) => {
    const days = u.daily.filter((d) => d.spendMinor > 0);
    const spendMean = Math.max(1, mean(days.map((d) => d.spendMinor)) || fallbackSpend);
    const c = imp[i];
    if (c) return { days, spendMean, capacity: c.capacity, saturation: c.saturation };
    const perMinor = u.total.spendMinor > 0 ? u.total.impressions / u.total.spendMinor : pooled.spendMinor > 0 ? pooled.impressions / pooled.spendMinor : 1;
    const saturation = medianBend * spendMean;
    return { days, spendMean, capacity: perMinor * saturation, saturation };
  });
  const saturationAt = (k: number, theta: number) => 1 / (1 / shapes[k]!.saturation + theta / shapes[k]!.spendMean);
  // Scaled squared error of country k's days with bend θ and the least-squares level.
  // The trend of value per impression across all countries over the window (a line in its log,
  // fitted by day, weighted by impressions) is divided out before the bend is fitted, so that a
  // history whose spend grew while its creative aged does not read the ageing as saturation. Only
  // the trend: day-to-day swings common to every country are what a campaign budget's changes look
  // like, and they are evidence of the bend.
  const rates = units.map((u) => valueRate(u.total, revenue));
  const dayTotals = new Map<string, { value: number; impressions: number }>();
  for (const [k, { days }] of shapes.entries()) for (const d of days) {
    if (d.date === undefined) continue;
    const t = dayTotals.get(d.date) ?? { value: 0, impressions: 0 };
    t.value += dayValue(d, revenue, rates[k]!);
    t.impressions += d.impressions;
    dayTotals.set(d.date, t);
  }
  const trendDays = [...dayTotals].filter(([, t]) => t.value > 0 && t.impressions > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const dayIndex = new Map(trendDays.map(([date], i) => [date, i]));
  let slope = 0;
  let centre = 0;
  if (trendDays.length >= 3) {
    const w = trendDays.map(([, t]) => t.impressions);
    const x = trendDays.map((_, i) => i);
    const y = trendDays.map(([, t]) => Math.log(t.value / t.impressions));
    const sw = w.reduce((a, b) => a + b, 0);
    const mx = x.reduce((a, xi, i) => a + w[i]! * xi, 0) / sw;
    const my = y.reduce((a, yi, i) => a + w[i]! * yi, 0) / sw;
    const sxx = x.reduce((a, xi, i) => a + w[i]! * (xi - mx) ** 2, 0);
    slope = sxx > 0 ? x.reduce((a, xi, i) => a + w[i]! * (xi - mx) * (y[i]! - my), 0) / sxx : 0;
    centre = mx;
  }
  const dayFactor = (date: string | undefined): number => {
    const i = date === undefined ? undefined : dayIndex.get(date);
    return i === undefined ? 1 : Math.exp(slope * (i - centre));
  };
  // A day of cheap impressions everywhere brings more value, not less saturation: its cost factor is taken out too.
  const series = shapes.map(({ days }, k) => {
    const spends = days.map((d) => d.spendMinor);
    const values = days.map((d) => dayValue(d, revenue, rates[k]!) / dayFactor(d.date) / (d.date === undefined ? 1 : (impressions.dayFactors.get(d.date) ?? 1)));
    return { spends, values, scale: mean(values) };
  });
  const sse = (k: number, theta: number): number => {
    const { spends, values, scale } = series[k]!;
    if (!(scale > 0)) return 0;
    const S = saturationAt(k, theta);
    const g = spends.map((x) => 1 - Math.exp(-x / S));
    let gy = 0;
    let gg = 0;
    for (let d = 0; d < g.length; d++) {
      gy += g[d]! * values[d]!;
      gg += g[d]! * g[d]!;
    }
    const a = gg > 0 ? gy / gg : 0;
    let e = 0;
    for (let d = 0; d < g.length; d++) e += (values[d]! - a * g[d]!) ** 2;
    return e / scale;
  };
  const informative = units.map((_, k) => series[k]!.spends.length >= 3 && series[k]!.scale > 0);
  let sharedBend = 0;
  let bestShared = Infinity;
  for (const theta of BEND_GRID) {
    const e = units.reduce((s, _, k) => s + (informative[k] ? sse(k, theta) : 0), 0);
    if (e < bestShared - 1e-12) {
      bestShared = e;
      sharedBend = theta;
    }
  }
  // Tested (settings.testedValueBend): the shared bend against none, over every informative
  // country's days less one level per country and the bend.
  let sharedTest: BendTest | null = null;
  if (tested) {
    const days = units.reduce((s, _, k) => s + (informative[k] ? series[k]!.spends.length : 0), 0);
    const none = units.reduce((s, _, k) => s + (informative[k] ? sse(k, 0) : 0), 0);
    sharedTest = bendTest(none, bestShared, days - informative.filter(Boolean).length - 1);
    if (sharedTest?.shown !== true) sharedBend = 0;
  }
  const levels = shrunkValuePerImpression(units, revenue, relative, measured);
  const curves = units.map((u, k): ValueCurve => {
    const { days, spendMean, capacity, saturation } = shapes[k]!;
    let ownBend: number | null = null;
    let ownTest: BendTest | null = null;
    let bend = sharedBend;
    if (informative[k]) {
      let best = Infinity;
      for (const theta of BEND_GRID) {
        const e = sse(k, theta);
        if (e < best - 1e-12) {
          best = e;
          ownBend = theta;
        }
      }
      const sd = Math.sqrt(mean(days.map((d) => (d.spendMinor - spendMean) ** 2)));
      const evidence = days.length * (sd / spendMean) ** 2;
      // Tested: the country's own bend against the shared one on its own days (one level, one bend).
      if (tested) ownTest = bendTest(sse(k, sharedBend), best, series[k]!.spends.length - 2);
      if (!tested || ownTest?.shown === true) bend = (evidence * ownBend! + BEND_STRENGTH * sharedBend) / (evidence + BEND_STRENGTH);
    }
    const S = saturationAt(k, bend);
    const v = levels.values[k]!;
    // The level: Σ_days A·g(s_d) = v · impressions over the same days.
    const gSum = days.reduce((s, d) => s + (1 - Math.exp(-d.spendMinor / S)), 0);
    const impressionsFitted = days.reduce((s, d) => s + d.impressions, 0);
    const level = gSum > 0 ? (v * impressionsFitted) / gSum : (v * capacity * (1 - Math.exp(-spendMean / saturation))) / (1 - Math.exp(-spendMean / S));
    const market: Market = { code: u.code, curve: { capacity: v > 0 ? level / v : capacity, saturation: S }, valuePerImpression: v, minMinor: 0, maxMinor: Infinity };
    return { code: u.code, market, fitted: imp[k] !== null, bend, ownBend, sharedBend, ownTest, fitRelativeError: imp[k]?.relativeError ?? null, days: days.length };
  });
  return { curves, sharedBend, sharedTest, dayCostTest: impressions.test, levels };
}

/** Countries' value levels shrunk toward the pool, and what decided how far. */
export interface ShrunkLevels {
  /** Value per impression, per country in input order. */
  values: number[];
  /** Value per spend, per country in input order. */
  perSpend: number[];
  pooled: number;
  pooledPerSpend: number;
  /** τ²: how far countries' values per spend lie apart beyond their noise. */
  betweenVariance: number;
  /** The share of its own difference from its target each country keeps (0 = the target, 1 = its own ratio). */
  kept: number[];
  /** The order values' spread the noise assumed or measured; null when value is conversions. */
  orderValue: OrderValueSpread | null;
}

/**
 * Each country's value per impression, from its value per spend shrunk toward the pooled one by
 * normal–normal empirical Bayes: its observed ratio has sampling variance (conversions, or revenue
 * as a sum of order values) over spend²; each country keeps the share τ² / (τ² + its noise) of its
 * difference from the target. Shrunk per spend, not per impression: countries' costs per impression
 * differ several-fold, and pulling a cheap country's value per impression toward an expensive one's
 * would multiply its value per spend.
 *
 * `measured` (settings.measuredLevelNoise): the order values' spread is measured on the countries'
 * own days, and τ² solved by Paule–Mandel (level-noise.ts). Otherwise order values are taken to
 * spread as much as their mean and τ² is the spread of the ratios less their mean noise (the
 * method of moments), which a few barely funded countries' large noise can push to 0: every country
 * then gets the pool's value, and only the curves' shapes move money.
 */
function shrunkValuePerImpression(units: readonly { code?: string; total: Metrics; daily?: readonly CountryDay[] }[], revenue: boolean, relative?: ReadonlyMap<string, number>, measured = false): ShrunkLevels {
  const V = (m: Metrics) => totalValue(m, revenue);
  const pooledM = units.reduce((acc, u) => addMetrics(acc, u.total), emptyMetrics());
  const pooled = pooledM.spendMinor > 0 ? V(pooledM) / pooledM.spendMinor : 0;
  const pooledPerImpression = pooledM.impressions > 0 ? V(pooledM) / pooledM.impressions : 0;
  const perConversion = revenue && pooledM.conversions > 0 ? pooledM.revenueMinor / pooledM.conversions : 1;
  const orderValue: OrderValueSpread | null = !revenue ? null : measured ? orderValueSpread(units.map((u) => u.daily ?? [])) : { cv2: ASSUMED_ORDER_VALUE_CV2, days: 0 };
  // A sum of n order values of mean a varies by n·a²·(1 + cv²): the count's own noise and the values'.
  const perOrder = orderValue === null ? 1 : 1 + orderValue.cv2;
  const noise = (m: Metrics): number => {
    if (m.spendMinor <= 0) return Infinity;
    // Expected conversions at the pool's rate when the country has none of its own to judge by.
    const conversions = Math.max(m.conversions, (pooled * m.spendMinor) / perConversion, 1);
    const each = revenue ? (m.conversions > 0 ? m.revenueMinor / m.conversions : perConversion) : 1;
    return (conversions * each * each * perOrder) / (m.spendMinor * m.spendMinor);
  };
  // The target of each country: the pool, or, given the campaign's relative value of each country,
  // the pool times that (normalised so that the targets average to the pool over the spend).
  const rel = units.map((u) => (relative && u.code !== undefined ? (relative.get(u.code) ?? 1) : 1));
  const norm = pooledM.spendMinor > 0 ? units.reduce((s, u, i) => s + u.total.spendMinor * rel[i]!, 0) / pooledM.spendMinor : 1;
  const target = rel.map((r) => (norm > 0 ? (pooled * r) / norm : pooled));
  const seen = units.map((_, i) => i).filter((i) => units[i]!.total.spendMinor > 0);
  const deviations = seen.map((i) => V(units[i]!.total) / units[i]!.total.spendMinor - target[i]!);
  const noises = seen.map((i) => noise(units[i]!.total));
  const tau2 = measured ? betweenVariance(deviations, noises) : momentsVariance(deviations, noises);
  const kept = units.map((u) => {
    const n = noise(u.total);
    return Number.isFinite(n) && tau2 + n > 0 ? tau2 / (tau2 + n) : 0;
  });
  const perSpend = units.map((u, i) => (kept[i]! > 0 ? target[i]! + kept[i]! * (V(u.total) / u.total.spendMinor - target[i]!) : target[i]!));
  // Back to value per impression at the country's own cost per impression (the pool's without impressions).
  const values = units.map((u, i) => (u.total.impressions > 0 && u.total.spendMinor > 0 ? (perSpend[i]! * u.total.spendMinor) / u.total.impressions : pooled > 0 ? (pooledPerImpression * perSpend[i]!) / pooled : pooledPerImpression));
  return { values, perSpend, pooled: pooledPerImpression, pooledPerSpend: pooled, betweenVariance: tau2, kept, orderValue };
}

/** τ² by the method of moments: the deviations' spread less their mean noise, at least 0. */
function momentsVariance(deviations: readonly number[], noises: readonly number[]): number {
  const k = deviations.length;
  const spread = k > 1 ? deviations.reduce((s, d) => s + d * d, 0) / (k - 1) : 0;
  const meanNoise = k > 0 ? noises.reduce((s, n) => s + n, 0) / k : 0;
  return Math.max(0, spread - meanNoise);
}

/** Constant value per spend: each country's shrunk value per impression times its impressions per spend. */
function constantRoasMarkets(units: readonly Unit[], totalMinor: number, revenue: boolean, relative?: ReadonlyMap<string, number>, measured = false): { markets: Market[]; levels: ShrunkLevels } {
  const pooled = units.reduce((acc, u) => addMetrics(acc, u.total), emptyMetrics());
  const shrunk = shrunkValuePerImpression(units, revenue, relative, measured);
  const levels = shrunk.values;
  const pooledPerMinor = pooled.spendMinor > 0 ? pooled.impressions / pooled.spendMinor : 0;
  // A curve whose saturation is far beyond any budget is a straight line over it.
  const far = Math.max(1, totalMinor) * 1e6;
  const markets = units.map((u, k): Market => {
    const perMinor = u.total.spendMinor > 0 ? u.total.impressions / u.total.spendMinor : pooledPerMinor;
    const r = levels[k]! * perMinor;
    return { code: u.code, curve: { capacity: far, saturation: far }, valuePerImpression: r, minMinor: 0, maxMinor: Infinity };
  });
  return { markets, levels: shrunk };
}

const marketPredictor = (markets: readonly Market[]): Fitted => {
  const by = new Map(markets.map((m) => [m.code, m]));
  return { predict: (code, s) => { const m = by.get(code); return m ? curveValue(m.curve, m.valuePerImpression, s) : 0; } };
};

/**
 * What the specification's split predicts: it gives each country budget in proportion to its weight
 * (engagement for Spain and Latin America, performance elsewhere, from the seed's smoothed rates), which
 * is right only if a country's value per spend is proportional to that weight. So its prediction
 * of a country's value at a spend is weight × spend, up to a factor common to all countries, which
 * the check's shares cancel.
 */
function specificationPredictor(units: readonly Unit[], priors: Priors, minorPerMajor: number): Fitted {
  const scores = new Map<string, CountryScore>(scoreCountries(units.map((u) => ({ countryCode: u.code, total: u.total })), priors, minorPerMajor).map((s) => [s.countryCode, s]));
  return { predict: (code, s) => Math.max(0, scores.get(code)?.weight ?? 0) * s };
}

function fitCandidate(candidate: GeoCandidate, units: readonly Unit[], settings: EngineSettings, minorPerMajor: number, revenue: boolean, totalMinor: number): Fitted {
  const measured = settings.measuredLevelNoise === true;
  if (candidate === 'value_response') return marketPredictor(fitValueCurves(units, revenue, { coarse: true, measured, tested: settings.testedValueBend === true, commonDayCost: settings.commonDayCost === true }).curves.map((c) => c.market));
  if (candidate === 'constant_roas') return marketPredictor(constantRoasMarkets(units, totalMinor, revenue, undefined, measured).markets);
  return specificationPredictor(units, settings.priors, minorPerMajor);
}

export interface HeldOutCheck {
  /** Days before the first held-out day: the first fit's. */
  trainDays: number;
  heldOutDays: number;
  firstHeldOut: string;
  /**
   * Per candidate: half the summed absolute difference between each country's predicted and actual
   * share of the held-out value (0 = every country's share right, 1 = all of it on the wrong countries).
   */
  errors: Record<GeoCandidate, number>;
  /** Each candidate's error on resampled held-out days (bootstrap), in the same order. */
  resampled: Record<GeoCandidate, number[]>;
  actualMinor: number;
}

/**
 * Rolling origin over every day after the window's first 4 (at least 3, at most the last 14): each held-out day is predicted by every candidate fitted on all the days before it, at the spends that
 * day had. The predictions and the actual values are summed per country over the held-out days and
 * compared as shares: the split depends only on how the countries compare, so a change common to
 * all of them (a season, a creative wearing out) is held against no candidate. A string says why
 * the check cannot be made.
 */
export function checkOnHeldOutDays(units: readonly Unit[], settings: EngineSettings, minorPerMajor: number, revenue: boolean, totalMinor: number): HeldOutCheck | string {
  if (units.some((u) => u.daily.some((d) => d.date === undefined || (revenue ? d.revenueMinor === undefined : d.conversions === undefined)))) {
    return 'the history carries no dated daily value per country (stored before it was kept)';
  }
  const dates = [...new Set(units.flatMap((u) => u.daily.map((d) => d.date!)))].sort();
  if (dates.length < MIN_CHECK_DAYS) return `${dates.length} days of history, fewer than the ${MIN_CHECK_DAYS} a check on held-out days needs`;
  const held = Math.min(MAX_HELD_OUT_DAYS, dates.length - MIN_TRAIN_DAYS);
  const heldDates = dates.slice(dates.length - held);
  const rates = new Map(units.map((u) => [u.code, valueRate(u.total, revenue)]));
  const actual = new Map(units.map((u) => [u.code, u.daily.filter((d) => d.date! >= heldDates[0]!).reduce((s, d) => s + dayValue(d, revenue, rates.get(u.code)!), 0)]));
  const actualSum = [...actual.values()].reduce((a, b) => a + b, 0);
  if (!(actualSum > 0)) return 'no value (revenue or conversions) on the held-out days to predict';
  // predicted[candidate][day][country] and actual[day][country], so that the days can be resampled.
  const index = new Map(units.map((u, i) => [u.code, i]));
  const actualByDay = heldDates.map(() => units.map(() => 0));
  const predictedByDay = new Map(GEO_CANDIDATES.map((c) => [c, heldDates.map(() => units.map(() => 0))]));
  for (const [t, date] of heldDates.entries()) {
    const train = units.map((u) => {
      const daily = u.daily.filter((d) => d.date! < date);
      return { code: u.code, daily, total: totalOfDays(daily) };
    });
    for (const u of units) for (const d of u.daily) if (d.date === date) actualByDay[t]![index.get(u.code)!]! += dayValue(d, revenue, rates.get(u.code)!);
    for (const candidate of GEO_CANDIDATES) {
      const fitted = fitCandidate(candidate, train, settings, minorPerMajor, revenue, totalMinor);
      const row = predictedByDay.get(candidate)![t]!;
      for (const u of units) for (const d of u.daily) if (d.date === date) row[index.get(u.code)!]! += fitted.predict(u.code, d.spendMinor);
    }
  }
  // The share error with each held-out day counted `weights[t]` times.
  const errorOf = (candidate: GeoCandidate, weights: readonly number[]): number => {
    const p = units.map(() => 0);
    const a = units.map(() => 0);
    for (const [t, w] of weights.entries()) {
      if (w === 0) continue;
      const row = predictedByDay.get(candidate)![t]!;
      for (let k = 0; k < units.length; k++) {
        p[k]! += w * row[k]!;
        a[k]! += w * actualByDay[t]![k]!;
      }
    }
    const pSum = p.reduce((x, y) => x + y, 0);
    const aSum = a.reduce((x, y) => x + y, 0);
    if (!(pSum > 0) || !(aSum > 0)) return 1;
    return p.reduce((e, v, k) => e + Math.abs(v / pSum - a[k]! / aSum), 0) / 2;
  };
  const all = heldDates.map(() => 1);
  const errors = Object.fromEntries(GEO_CANDIDATES.map((c) => [c, errorOf(c, all)])) as Record<GeoCandidate, number>;
  // The check's own noise: the held-out days resampled with replacement (a fixed seed: the same
  // history always gives the same verdict).
  const rng = createRng(BOOTSTRAP_SEED);
  const resampled = Object.fromEntries(GEO_CANDIDATES.map((c) => [c, [] as number[]])) as Record<GeoCandidate, number[]>;
  for (let b = 0; b < BOOTSTRAP_DRAWS; b++) {
    const weights = heldDates.map(() => 0);
    for (let t = 0; t < held; t++) weights[Math.floor(rng.next() * held)]! += 1;
    for (const c of GEO_CANDIDATES) resampled[c].push(errorOf(c, weights));
  }
  return { trainDays: dates.length - held, heldOutDays: held, firstHeldOut: heldDates[0]!, errors, resampled, actualMinor: Math.round(actualSum) };
}

const BOOTSTRAP_DRAWS = 200;
const BOOTSTRAP_SEED = 20_261_205;

/** Standard deviation of errors[a] − errors[b] over the resampled held-out days; 0 without them. */
function differenceSe(resampled: Record<GeoCandidate, number[]> | undefined, a: GeoCandidate, b: GeoCandidate): number {
  if (resampled === undefined || resampled[a].length < 2) return 0;
  const d = resampled[a].map((x, i) => x - resampled[b][i]!);
  const m = mean(d);
  return Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1));
}

/**
 * Held-out errors closer than this, or than two standard errors of their difference over the
 * resampled held-out days, count as equal: the check cannot tell them apart, and the richer model
 * is kept. (Constant ROAS and the value response predict almost alike at the spends a history had;
 * their splits differ most where the history has no evidence.)
 */
const ERROR_TIE = 0.01;

/**
 * The best predictor among the candidates that predict no worse than the specification (which is
 * always one of them); an earlier candidate in GEO_CANDIDATES order is kept when its error is within
 * the tie of the best one's.
 */
export function chooseCandidate(errors: Record<GeoCandidate, number>, resampled?: Record<GeoCandidate, number[]>): GeoCandidate {
  const eligible = GEO_CANDIDATES.filter((c) => errors[c] <= errors.specification);
  const best = eligible.reduce((b, c) => (errors[c] < errors[b] ? c : b), eligible[0]!);
  return eligible.find((c) => errors[c] - errors[best] <= Math.max(ERROR_TIE, 2 * differenceSe(resampled, c, best)))!;
}

/**
 * The trust region: each country at most `multiple` × its highest daily spend in the window; a
 * country never funded in the window at most the new-country share of the budget. Spain keeps its
 * floor whatever its ceiling. When the ceilings cannot hold the whole budget, the rest raises the
 * ceilings of the countries with history in proportion to their spend in the window (the history's
 * own split), or equally when none has spend.
 */
export function trustCeilings(units: readonly { code: string; daily: readonly CountryDay[]; total: Metrics }[], totalMinor: number, spainFloorMinor: number, multiple: number, newShare: number): { ceilings: Record<string, TrustCeiling>; restMinor: number } {
  const ceilings: Record<string, TrustCeiling> = {};
  for (const u of units) {
    const highest = Math.max(0, ...u.daily.map((d) => d.spendMinor));
    const spent = highest > 0 || u.total.spendMinor > 0;
    // A country with spend but no daily rows (a snapshot without days) is bounded by its mean day as a day.
    const base = highest > 0 ? highest : u.total.spendMinor;
    ceilings[u.code] = spent ? { maxMinor: Math.floor(multiple * base), by: 'trust_history' } : { maxMinor: Math.floor(newShare * totalMinor), by: 'trust_new' };
  }
  const effective = (code: string) => (code === 'ES' ? Math.max(ceilings[code]!.maxMinor, spainFloorMinor) : ceilings[code]!.maxMinor);
  const held = units.reduce((s, u) => s + Math.min(totalMinor, effective(u.code)), 0);
  const rest = Math.max(0, totalMinor - held);
  if (rest > 0) {
    const weights = units.map((u) => Math.max(0, u.total.spendMinor));
    const w = weights.reduce((a, b) => a + b, 0);
    const parts = w > 0 ? weights.map((x) => x / w) : units.map(() => 1 / units.length);
    units.forEach((u, i) => {
      if (parts[i]! > 0) ceilings[u.code] = { maxMinor: effective(u.code) + Math.ceil(rest * parts[i]!), by: 'trust_rest' };
    });
  }
  return { ceilings, restMinor: rest };
}

/**
 * The specification's split held under the ceilings: what a country loses goes to the countries
 * with room, in proportion to their amounts (to their room when none of them has an amount).
 * `codes` lists every country offered, so that one the specification left out can take the rest.
 */
function capSplit(codes: readonly string[], amounts: ReadonlyMap<string, number>, ceilings: Readonly<Record<string, TrustCeiling>>, totalMinor: number, spainFloorMinor: number): number[] {
  const cap = codes.map((code) => Math.min(totalMinor, Math.max(ceilings[code]?.maxMinor ?? totalMinor, code === 'ES' ? spainFloorMinor : 0)));
  const x = codes.map((code) => amounts.get(code) ?? 0);
  for (let round = 0; round <= codes.length; round++) {
    let excess = 0;
    x.forEach((v, i) => {
      if (v > cap[i]!) {
        excess += v - cap[i]!;
        x[i] = cap[i]!;
      }
    });
    if (excess <= 1e-9) break;
    const open = x.map((v, i) => (v < cap[i]! ? v : 0));
    const room = x.map((v, i) => Math.max(0, cap[i]! - v));
    const weights = open.some((v) => v > 0) ? open : room;
    const sum = weights.reduce((a, b) => a + b, 0);
    if (sum <= 0) break;
    x.forEach((_, i) => {
      x[i] = x[i]! + (excess * weights[i]!) / sum;
    });
  }
  const lows = codes.map((code) => (code === 'ES' ? Math.min(spainFloorMinor, totalMinor) : 0));
  return roundWithin(x, lows, cap, totalMinor);
}

/**
 * Curves whose best split under no limit is `amounts` itself, and under limits the nearest split in
 * proportion to them: value t·(1 − e^(−x/t)) has marginal return e^(−x/t), so at any water level
 * the countries not at a bound get amounts in proportion to their t. A country without an amount
 * gets the least its bounds allow.
 */
function towardSplit(codes: readonly string[], amounts: ReadonlyMap<string, number>): Market[] {
  return codes.map((code) => {
    const t = Math.max(1e-6, amounts.get(code) ?? 0);
    return { code, curve: { capacity: t, saturation: t }, valuePerImpression: 1, minMinor: 0, maxMinor: Number.POSITIVE_INFINITY };
  });
}

const amountsOfSplit = (split: readonly { countryCode: string; amountMinor: number }[]) => new Map(split.map((a) => [a.countryCode, a.amountMinor]));

export function decideGeoSplit(input: GeoSplitInput): GeoSplit {
  const { totalMinor, settings, minorPerMajor, limits, exploration } = input;
  const byCode = new Map<string, Unit>();
  for (const c of input.countries) {
    if (c.countryCode === '') continue;
    const u = byCode.get(c.countryCode) ?? { code: c.countryCode, total: emptyMetrics(), daily: [] };
    addMetrics(u.total, c.total);
    u.daily.push(...(c.daily ?? []));
    byCode.set(c.countryCode, u);
  }
  const required = ['ES', ...Object.entries(limits.shares).filter(([, l]) => l.minPct > 0).map(([code]) => code).sort()];
  for (const code of required) if (!byCode.has(code)) byCode.set(code, { code, total: emptyMetrics(), daily: [] });
  const units = [...byCode.values()];
  const pooled = units.reduce((acc, u) => addMetrics(acc, u.total), emptyMetrics());
  const revenue = pooled.spendWithRevenueMinor > 0;
  const spainFloor = Math.ceil((totalMinor * settings.spainMinPct) / 100 - 1e-9);
  const multiple = settings.trustMultiple ?? DEFAULT_TRUST_MULTIPLE;
  // Settings stored before the new-country share existed bounded a never-funded country by the exploration share.
  const newShare = settings.newCountryShare ?? settings.explorationShare ?? 0;
  const trace: TraceEvent[] = [];

  const check = input.campaignCheck?.result ?? checkOnHeldOutDays(units, settings, minorPerMajor, revenue, totalMinor);
  const chosen: GeoCandidate = input.candidate ?? (typeof check === 'string' ? 'specification' : chooseCandidate(check.errors, check.resampled));
  const unit = revenue ? 'revenue' : 'conversions';
  const pooledAdsets = input.campaignCheck?.adsets ?? 1;
  trace.push(typeof check === 'string'
    ? { kind: 'geo.check', chosen, unit, pooledAdsets, possible: false, why: check }
    : {
      kind: 'geo.check',
      chosen,
      unit,
      pooledAdsets,
      possible: true,
      imposed: input.candidate !== undefined,
      trainDays: check.trainDays,
      heldOutDays: check.heldOutDays,
      firstHeldOut: check.firstHeldOut,
      actualMinor: check.actualMinor,
      errors: GEO_CANDIDATES.map((c) => ({ candidate: c, error: check.errors[c], seOfDifference: c === chosen ? null : differenceSe(check.resampled, c, chosen) })),
      errorTie: ERROR_TIE,
    });

  const trust = trustCeilings(units, totalMinor, spainFloor, multiple, newShare);
  trace.push({ kind: 'geo.trust', multiple, newCountryShare: newShare, totalMinor, restMinor: trust.restMinor, ceilings: units.map((u) => ({ countryCode: u.code, maxMinor: trust.ceilings[u.code]!.maxMinor })) });

  if (chosen === 'specification') {
    const seed = allocateBudget(totalMinor, scoreCountries(units.map((u) => ({ countryCode: u.code, total: u.total })), settings.priors, minorPerMajor), settings.spainMinPct);
    const codes = [...new Set([...seed.allocations.map((a) => a.countryCode), ...units.map((u) => u.code)])];
    const before = amountsOfSplit(seed.allocations);
    if (settings.limitsOnEverySplit === true) {
      trace.push(...seed.trace);
      const split = splitUnderLimits(towardSplit(codes, before), totalMinor, spainFloor, { ...limits, trust: trust.ceilings });
      trace.push(...split.trace);
      const allocations = codes.map((countryCode, i) => ({ countryCode, amountMinor: split.amounts[i]! }));
      const moved = allocations.filter((a) => a.amountMinor !== (before.get(a.countryCode) ?? 0));
      trace.push({ kind: 'geo.trust_bound', held: moved, limits: 'all' });
      return { allocations, trace, chosen, errors: typeof check === 'string' ? null : check.errors };
    }
    const capped = capSplit(codes, before, trust.ceilings, totalMinor, spainFloor);
    const allocations = codes.map((countryCode, i) => ({ countryCode, amountMinor: capped[i]! }));
    const held = allocations.filter((a) => a.amountMinor < (before.get(a.countryCode) ?? 0));
    trace.push(...seed.trace);
    trace.push({ kind: 'geo.trust_bound', held });
    return { allocations, trace, chosen, errors: typeof check === 'string' ? null : check.errors };
  }

  const relative = input.campaignCheck?.relative;
  const measured = settings.measuredLevelNoise === true;
  const fitted = chosen === 'value_response' ? fitValueCurves(units, revenue, { relative, measured, tested: settings.testedValueBend === true, commonDayCost: settings.commonDayCost === true }) : null;
  const constant = fitted ? null : constantRoasMarkets(units, totalMinor, revenue, relative, measured);
  const markets = fitted ? fitted.curves.map((c) => c.market) : constant!.markets;
  if (measured) trace.push(levelShrinkageEvent(units, fitted ? fitted.levels : constant!.levels, relative !== undefined));
  // The rates' posterior (geo-bayes.ts): its draws explore, its interval bounds the expected value.
  const prior = fittedPrior(fitStrengths(units.map((u) => u.total)), pooled);
  const bounded: CountryLimits = { ...limits, trust: trust.ceilings };
  const split = splitUnderLimits(markets, totalMinor, spainFloor, bounded);
  trace.push(...split.trace);
  let amounts = split.amounts;
  if (exploration !== null && exploration.share > 0) {
    // The explored share (geo-exploration.ts): the same limits, each country's value level drawn from its posterior.
    const draws = drawCountryValues(exploration.rng, units.map((u) => u.total), prior);
    const explored = splitUnderLimits(markets.map((m, i) => {
      const meanValue = valuePerImpression(units[i]!.total, prior);
      return { ...m, valuePerImpression: meanValue > 0 ? (m.valuePerImpression * draws[i]!) / meanValue : m.valuePerImpression };
    }), totalMinor, spainFloor, bounded).amounts;
    const blended = blendSplits(amounts, explored, exploration.share, totalMinor, limits.minBudgetMinor);
    trace.push(budgetExplorationTrace(exploration.share, blended, markets.map((m) => m.code), amounts));
    if (blended !== null) amounts = blended;
  }
  for (const [i, m] of markets.entries()) {
    const b = split.bounds[i]!;
    const a = amounts[i]!;
    const binding = a === split.amounts[i] ? b.binding : a === b.lowerMinor && a > 0 ? b.lowerBy : a === b.upperMinor ? b.upperBy : null;
    const expected = curveValue(m.curve, m.valuePerImpression, a);
    const c = fitted?.curves[i];
    const interval = c ? valueBand(units[i]!, m, a, prior) : null;
    trace.push({
      kind: 'geo.response.value',
      countryCode: m.code,
      amountMinor: a,
      model: chosen,
      marginalReturn: marginalValue(m.curve, m.valuePerImpression, a),
      bounds: { lowerMinor: b.lowerMinor, upperMinor: b.upperMinor, lowerBy: b.lowerBy, upperBy: b.upperBy, binding },
      curve: c ? { fitted: c.fitted, saturationMinor: m.curve.saturation, bend: c.bend, ownBend: c.ownBend, sharedBend: c.sharedBend, fitRelativeError: c.fitRelativeError, ...(settings.testedValueBend === true ? { sharedTest: fitted!.sharedTest, ownTest: c.ownTest } : {}), ...(settings.commonDayCost === true ? { dayCostTest: fitted!.dayCostTest } : {}) } : null,
      valuePerMinor: m.valuePerImpression,
      expectedValue: expected,
      interval,
      highestDailySpendMinor: Math.max(0, ...units[i]!.daily.map((d) => d.spendMinor)),
    });
  }
  trace.push({ kind: 'geo.spain_floor_amount', floorMinor: spainFloor, totalMinor, spainMinPct: settings.spainMinPct, spainMinor: amounts[markets.findIndex((m) => m.code === 'ES')]! });
  return { allocations: markets.map((m, i) => ({ countryCode: m.code, amountMinor: amounts[i]! })), trace, chosen, errors: typeof check === 'string' ? null : check.errors };
}

function levelShrinkageEvent(units: readonly Unit[], levels: ShrunkLevels, towardCampaign: boolean): LevelShrinkageEvent {
  return {
    kind: 'geo.levels',
    towardCampaign,
    betweenVariance: levels.betweenVariance,
    orderValue: levels.orderValue,
    countries: units.map((u, i) => ({ countryCode: u.code, kept: levels.kept[i]!, valuePerMinor: levels.perSpend[i]! })),
  };
}

/**
 * The 90 % interval of a country's expected value at its amount from the posterior of its value per
 * impression (credible-interval.ts), which scales the curve's level. The bend's own uncertainty is
 * not in it: the trace gives the country's own bend beside the shared one instead.
 */
function valueBand(u: Unit, m: Market, amount: number, prior: RatePrior): { low: number; high: number } {
  const value = valueInterval([{ total: u.total, weight: 1 }], prior, null);
  const at = curveValue(m.curve, m.valuePerImpression, amount);
  const scale = (x: number) => (value.mean > 0 ? (at * x) / value.mean : 0);
  return { low: scale(value.lower), high: scale(value.upper) };
}
