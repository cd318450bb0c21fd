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
import { shrunkValuePerImpression, type ShrunkLevels } from './country-levels.ts';
import { dayValue, valueRate, type CountryUnit } from './country-value.ts';
import { createRng } from './random.ts';
import { curveValue, marginalValue, type Market } from './response-curve.ts';
import type { CountryDay, CountryHistory, EngineSettings, Metrics, Priors, TraceEvent } from './types.ts';
import type { LevelShrinkageEvent } from './trace-events.ts';
import { curveOptionsOf, fitValueCurves } from './value-curves.ts';

/** A country at most this multiple of its highest daily spend in the window, by default. */
export const DEFAULT_TRUST_MULTIPLE = 2;

export type GeoCandidate = 'value_response' | 'constant_roas' | 'specification';
/** Ties go to the first: the richer model, then the simpler, then the specification. */
export const GEO_CANDIDATES: readonly GeoCandidate[] = ['value_response', 'constant_roas', 'specification'];

// The held-out check needs days on both sides. Every day after the first 4 is predicted: with only
// the later half predicted, noise picked a worse candidate more often on the stub markets. A new
// campaign's shorter history fits on fewer (n − 3, at least 2), so that a model is checked, not
// passed over for the specification's split, on its first days.
const MIN_TRAIN_DAYS = 4;
const MIN_CHECK_DAYS = MIN_TRAIN_DAYS + 3;
const MIN_SHORT_TRAIN_DAYS = 2;
const MIN_SHORT_CHECK_DAYS = MIN_SHORT_TRAIN_DAYS + 1;
// At most the last two weeks are predicted: each is a refit of every candidate.
const MAX_HELD_OUT_DAYS = 14;

/** The fewest days of history a check can be made on. */
function fewestCheckDays(settings: Pick<EngineSettings, 'shortHistoryCheck'>): number {
  return settings.shortHistoryCheck === true ? MIN_SHORT_CHECK_DAYS : MIN_CHECK_DAYS;
}

/** The days a check on `days` days of history fits on before the first day it predicts; null: too few to check. */
export function checkTrainDays(days: number, settings: Pick<EngineSettings, 'shortHistoryCheck'>): number | null {
  return days < fewestCheckDays(settings) ? null : Math.min(MIN_TRAIN_DAYS, Math.max(MIN_SHORT_TRAIN_DAYS, days - 3));
}

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

/** A country of a split, with the curve it was split on and its highest daily spend in the window. */
export interface CountryCurve {
  countryCode: string;
  amountMinor: number;
  market: Market;
  highestDailySpendMinor: number;
}

export interface GeoSplit {
  allocations: { countryCode: string; amountMinor: number }[];
  trace: TraceEvent[];
  chosen: GeoCandidate;
  /** Held-out error of each candidate; null when the history could not be split. */
  errors: Record<GeoCandidate, number> | null;
  /** Each country's amount with the curve it was split on; null when the specification's split decided. */
  curves: CountryCurve[] | null;
}

/** A candidate fitted on some days: its prediction of a country's value per day at a spend. */
interface Fitted {
  predict(code: string, spendMinor: number): number;
}

/** Constant value per spend: each country's shrunk value per impression times its impressions per spend. */
function constantRoasMarkets(units: readonly CountryUnit[], totalMinor: number, revenue: boolean, relative?: ReadonlyMap<string, number>, measured = false): { markets: Market[]; levels: ShrunkLevels } {
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
function specificationPredictor(units: readonly CountryUnit[], priors: Priors, minorPerMajor: number): Fitted {
  const scores = new Map<string, CountryScore>(scoreCountries(units.map((u) => ({ countryCode: u.code, total: u.total })), priors, minorPerMajor).map((s) => [s.countryCode, s]));
  return { predict: (code, s) => Math.max(0, scores.get(code)?.weight ?? 0) * s };
}

function fitCandidate(candidate: GeoCandidate, units: readonly CountryUnit[], settings: EngineSettings, minorPerMajor: number, revenue: boolean, totalMinor: number): Fitted {
  const measured = settings.measuredLevelNoise === true;
  if (candidate === 'value_response') return marketPredictor(fitValueCurves(units, revenue, { coarse: true, ...curveOptionsOf(settings) }).curves.map((c) => c.market));
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
 * Rolling origin over every day after the window's first 4 (at least 3, at most the last 14; on a
 * history of 3 to 6 days, after its first n − 3, at least 2): each held-out day is predicted by every candidate fitted on all the days before it, at the spends that
 * day had. The predictions and the actual values are summed per country over the held-out days and
 * compared as shares: the split depends only on how the countries compare, so a change common to
 * all of them (a season, a creative wearing out) is held against no candidate. A string says why
 * the check cannot be made.
 */
export function checkOnHeldOutDays(units: readonly CountryUnit[], settings: EngineSettings, minorPerMajor: number, revenue: boolean, totalMinor: number): HeldOutCheck | string {
  if (units.some((u) => u.daily.some((d) => d.date === undefined || (revenue ? d.revenueMinor === undefined : d.conversions === undefined)))) {
    return 'the history carries no dated daily value per country (stored before it was kept)';
  }
  const dates = [...new Set(units.flatMap((u) => u.daily.map((d) => d.date!)))].sort();
  const trainDays = checkTrainDays(dates.length, settings);
  if (trainDays === null) return `${dates.length} days of history, fewer than the ${fewestCheckDays(settings)} a check on held-out days needs`;
  const held = Math.min(MAX_HELD_OUT_DAYS, dates.length - trainDays);
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
  const m = d.reduce((s, x) => s + x, 0) / d.length;
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

/** A country's highest daily spend in the window (minor units); 0 without daily rows. */
function highestDailySpend(daily: readonly CountryDay[]): number {
  return daily.reduce((most, d) => Math.max(most, d.spendMinor), 0);
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
    const highest = highestDailySpend(u.daily);
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
  const byCode = new Map<string, CountryUnit>();
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
      return { allocations, trace, chosen, errors: typeof check === 'string' ? null : check.errors, curves: null };
    }
    const capped = capSplit(codes, before, trust.ceilings, totalMinor, spainFloor);
    const allocations = codes.map((countryCode, i) => ({ countryCode, amountMinor: capped[i]! }));
    const held = allocations.filter((a) => a.amountMinor < (before.get(a.countryCode) ?? 0));
    trace.push(...seed.trace);
    trace.push({ kind: 'geo.trust_bound', held });
    return { allocations, trace, chosen, errors: typeof check === 'string' ? null : check.errors, curves: null };
  }

  const relative = input.campaignCheck?.relative;
  const measured = settings.measuredLevelNoise === true;
  const fitted = chosen === 'value_response' ? fitValueCurves(units, revenue, { relative, ...curveOptionsOf(settings) }) : null;
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
  const curves = markets.map((m, i): CountryCurve => ({ countryCode: m.code, amountMinor: amounts[i]!, market: m, highestDailySpendMinor: highestDailySpend(units[i]!.daily) }));
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
      highestDailySpendMinor: curves[i]!.highestDailySpendMinor,
    });
  }
  trace.push({ kind: 'geo.spain_floor_amount', floorMinor: spainFloor, totalMinor, spainMinPct: settings.spainMinPct, spainMinor: amounts[markets.findIndex((m) => m.code === 'ES')]! });
  return { allocations: markets.map((m, i) => ({ countryCode: m.code, amountMinor: amounts[i]! })), trace, chosen, errors: typeof check === 'string' ? null : check.errors, curves };
}

function levelShrinkageEvent(units: readonly CountryUnit[], levels: ShrunkLevels, towardCampaign: boolean): LevelShrinkageEvent {
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
function valueBand(u: CountryUnit, m: Market, amount: number, prior: RatePrior): { low: number; high: number } {
  const value = valueInterval([{ total: u.total, weight: 1 }], prior, null);
  const at = curveValue(m.curve, m.valuePerImpression, amount);
  const scale = (x: number) => (value.mean > 0 ? (at * x) / value.mean : 0);
  return { low: scale(value.lower), high: scale(value.upper) };
}
