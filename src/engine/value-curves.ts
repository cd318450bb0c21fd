// The value-response model of the `bayes` geo split: each country's expected value per day as a
// concave function of its daily spend, its bend read from the impressions (day-cost.ts) and from
// value itself where the days show it, its level from the shrunk value per spend (country-levels.ts).
import { shrunkValuePerImpression, type ShrunkLevels } from './country-levels.ts';
import { dayValue, valueRate, type CountryUnit } from './country-value.ts';
import { fitImpressionCurves } from './day-cost.ts';
import { studentTQuantile } from './lift.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import type { Market } from './response-curve.ts';
import type { BendTest, FTest } from './trace-events.ts';
import type { EngineSettings } from './types.ts';

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

/** The settings' choices of how the curves are fitted (the check's coarse refits and the campaign's relative values aside). */
export function curveOptionsOf(settings: EngineSettings): Pick<ValueCurveOptions, 'measured' | 'tested' | 'commonDayCost'> {
  return { measured: settings.measuredLevelNoise === true, tested: settings.testedValueBend === true, commonDayCost: settings.commonDayCost === true };
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
export function fitValueCurves(units: readonly CountryUnit[], revenue: boolean, options: ValueCurveOptions = {}): { curves: ValueCurve[]; sharedBend: number; sharedTest: BendTest | null; dayCostTest: FTest | null; levels: ShrunkLevels } {
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
