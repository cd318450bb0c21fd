// The best first geo split an estimator could reach from the same history, within the same first
// step (the change limit against the history's own split): a Bayes estimator that knows every
// country's true response shape (its impressions curve and where its conversion rate saturates)
// and, before the rows, either the market's country values as a set (every country's true CTR,
// CVR and order value, not which country has which: the ceiling) or only how the market draws a
// country's values (the Bayes ceiling, ValuePrior below). Each country's posterior comes from the
// likelihood of its own rows' clicks, conversions and revenue; the split maximises the posterior
// expected revenue under Spain's floor and within the step. Knowing more than the rows tell, the
// ceiling bounds what an estimator of the data does on average; the Bayes ceiling is what the
// best of them does, given the shapes. Only where its likelihood is the market's: every row
// complete, countries not drifting, steady (gamma) order values.
import { addRow, emptyMetrics } from '../src/engine/metrics.ts';
import type { EngineSettings, InsightRow, Metrics } from '../src/engine/types.ts';
import { axisOf, type MarketFamily } from '../src/simulation/families.ts';
import { COUNTRY_RATE_DRAW, countryRateCentre, minorUnitsPerEur, type StubCampaignTruth } from '../src/simulation/market.ts';
import { ORDER_VALUE_SHAPE } from '../src/simulation/orders.ts';
import { conversionFactor, oracleSplit, type CountryResponse, type SpendBounds } from '../src/simulation/response.ts';
import { logGammaDensity, posteriorMean, weighedByLikelihood } from './interest-ceiling.ts';

/** Whether the ceiling's likelihood describes the family's country rows. */
export function geoCeilingApplies(family: MarketFamily): boolean {
  return (family.reporting ?? 'complete') === 'complete' && (family.drift ?? 'none') === 'none' && axisOf(family, 'orders') === 'steady';
}

/** Countries' totals over every ad set of the history. */
export function countryTotals(rows: readonly InsightRow[]): Map<string, Metrics> {
  const out = new Map<string, Metrics>();
  for (const r of rows) {
    if (r.country === '') continue;
    addRow(out.get(r.country) ?? out.set(r.country, emptyMetrics()).get(r.country)!, r);
  }
  return out;
}

/** Each country's spend in its totals, as the budget's split: the history's own split, which a first run steps from. */
export function historySplit(countryTotals: ReadonlyMap<string, Pick<Metrics, 'spendMinor'>>, budgetMinor: number): Map<string, number> {
  const total = [...countryTotals.values()].reduce((a, m) => a + m.spendMinor, 0);
  return new Map([...countryTotals].map(([code, m]) => [code, (m.spendMinor * budgetMinor) / total]));
}

/**
 * Bounds of at most ±changePct around the history's split, widened by whole percentages (as the
 * engine widens its change limit) until Spain's floor and the budget fit in them.
 */
export function stepBounds(history: ReadonlyMap<string, number>, budgetMinor: number, spainMinPct: number, changePct: number): Map<string, SpendBounds> {
  const floor = (budgetMinor * spainMinPct) / 100;
  for (let pct = changePct; ; pct++) {
    const bounds = new Map([...history].map(([code, s]) => [code, { minMinor: Math.max(code === 'ES' ? floor : 0, s * (1 - pct / 100)), maxMinor: Math.max(code === 'ES' ? floor : 0, s * (1 + pct / 100)) }]));
    const low = [...bounds.values()].reduce((a, b) => a + b.minMinor, 0);
    const high = [...bounds.values()].reduce((a, b) => a + b.maxMinor, 0);
    if ((low <= budgetMinor && high >= budgetMinor) || pct >= 100) return bounds;
  }
}

/** The first run's step around the history's split under these settings (±maxChangePct where the limit holds from the first run). */
export function firstStepBounds(history: ReadonlyMap<string, number>, budgetMinor: number, settings: Pick<EngineSettings, 'spainMinPct' | 'firstRunChangeLimit' | 'maxChangePct'>): Map<string, SpendBounds> {
  return stepBounds(history, budgetMinor, settings.spainMinPct, settings.firstRunChangeLimit ? (settings.maxChangePct ?? 100) : 100);
}

/** The ceiling's split: the posterior expected revenue's best within the bounds. */
export function ceilingSplit(c: StubCampaignTruth, rows: readonly InsightRow[], budgetMinor: number, spainMinPct: number, bounds: ReadonlyMap<string, SpendBounds>, prior: { values: ValuePrior; currency: string } = { values: 'set', currency: 'EUR' }): Map<string, number> {
  const value = posteriorFirstImpressionValues(c, rows, prior.currency, prior.values);
  // The response with the first impression's value the posterior's: ctr × cvr × order value = v̂.
  const believed: CountryResponse[] = c.countries.map((k) => ({ ...k, ctr: value.get(k.countryCode) ?? 0, cvr: 1, revenuePerConversionMinor: 1 }));
  return oracleSplit(believed, budgetMinor, spainMinPct, undefined, bounds);
}

interface CountryRow {
  readonly row: InsightRow;
  readonly country: StubCampaignTruth['countries'][number];
  /** The conversion rate's saturation at the impressions the campaign bought in the country that day. */
  readonly saturation: number;
  readonly adsetId: string;
}

/**
 * What the ceiling knows of the countries' values before the rows:
 * - 'set': the market's own values, not which country has which;
 * - 'country-draws': how the market draws each country's values around that country's centre
 *   (what per-country benchmarks would tell), not the values drawn;
 * - 'any-country-draws': the same draws, not knowing which country's centre a country's values
 *   come from: the countries are alike before their rows.
 * With the last two the posterior is the best any estimator can do on average over the markets so
 * drawn, knowing the curves' true shapes.
 */
export type ValuePrior = 'set' | 'country-draws' | 'any-country-draws';
export const VALUE_PRIORS: readonly ValuePrior[] = ['set', 'country-draws', 'any-country-draws'];

// The draws are independent log-normals (CTR, CVR, order value) and each row's likelihood is a
// product of one factor per rate, so each rate's posterior is one integral over its log, on a grid
// of this step in standard deviations, 5 of them either side of every centre.
const Z_STEP = 0.01;
const Z_SPAN = 5;

/**
 * One rate's log evidence and posterior mean for each centre of its log-normal draw (log-sd
 * `logSd`), its value at log l being value(l): the likelihood is computed once on a grid shared by
 * every centre.
 */
function ratePosteriors(logCentres: readonly number[], logSd: number, value: (logRate: number) => number, logLikelihood: (v: number) => number): { logEvidence: number; mean: number }[] {
  const lo = Math.min(...logCentres) - Z_SPAN * logSd;
  const step = logSd * Z_STEP;
  const grid = Array.from({ length: Math.round((Math.max(...logCentres) + Z_SPAN * logSd - lo) / step) + 1 }, (_, i) => lo + i * step);
  const values = grid.map(value);
  const ll = values.map(logLikelihood);
  return logCentres.map((mu) => {
    const terms = grid.map((g, i) => (Math.abs(g - mu) <= Z_SPAN * logSd + step / 2 ? ll[i]! - 0.5 * ((g - mu) / logSd) ** 2 : Number.NEGATIVE_INFINITY));
    const { mean, logSum } = weighedByLikelihood(terms, values);
    return { logEvidence: logSum + Math.log(Z_STEP) - 0.5 * Math.log(2 * Math.PI), mean };
  });
}

/** A country's rows summed as far as each rate's likelihood allows: per ad set, and for conversions per ad set and saturation. */
interface RateSums {
  clicks: { scale: number; clicks: number; impressions: number }[];
  conversions: { scale: number; saturation: number; conversions: number; nonConverting: number }[];
  revenue: { scale: number; conversions: number; revenue: number }[];
}

function rateSums(own: readonly CountryRow[], scales: ReadonlyMap<string, Scales>): RateSums {
  const clicks = new Map<string, RateSums['clicks'][number]>();
  const conversions = new Map<string, RateSums['conversions'][number]>();
  const revenue = new Map<string, RateSums['revenue'][number]>();
  for (const { row, saturation, adsetId } of own) {
    const scale = scales.get(adsetId)!;
    const c = clicks.get(adsetId) ?? clicks.set(adsetId, { scale: scale.ctr, clicks: 0, impressions: 0 }).get(adsetId)!;
    c.clicks += row.clicks;
    c.impressions += row.impressions;
    const n = row.conversions ?? 0;
    const key = `${adsetId}|${saturation}`;
    const v = conversions.get(key) ?? conversions.set(key, { scale: scale.cvr, saturation, conversions: 0, nonConverting: 0 }).get(key)!;
    v.conversions += n;
    v.nonConverting += Math.max(0, row.clicks - n);
    const r = row.revenueMinor ?? 0;
    if (n > 0 && r > 0) {
      const o = revenue.get(adsetId) ?? revenue.set(adsetId, { scale: scale.aov, conversions: 0, revenue: 0 }).get(adsetId)!;
      o.conversions += n;
      o.revenue += r;
    }
  }
  return { clicks: [...clicks.values()], conversions: [...conversions.values()], revenue: [...revenue.values()] };
}

/**
 * A country's posterior mean of ctr × cvr × order value when its values are drawn around one of
 * `centres` (alike before the rows): per centre, the product of the rates' posterior means,
 * weighed by the centre's evidence.
 */
function drawnValue(own: readonly CountryRow[], scales: ReadonlyMap<string, Scales>, centres: readonly string[], currency: string): number {
  const d = COUNTRY_RATE_DRAW;
  const known = centres.map((code) => countryRateCentre(code) ?? raise(`no centre for country ${code}`));
  const sums = rateSums(own, scales);
  const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));
  // Order values' sums of K conversions are gamma(K·shape, mean/shape): the terms that do not depend on the mean are left out.
  const orderLogLikelihood = (aov: number) => sums.revenue.reduce((ll, o) => ll - (ORDER_VALUE_SHAPE * o.revenue) / (aov * o.scale) - ORDER_VALUE_SHAPE * o.conversions * Math.log((aov * o.scale) / ORDER_VALUE_SHAPE), 0);
  const minorPerEur = minorUnitsPerEur(currency);
  // The order value's clamp (a typical ROAS of 0.7–4.8 at the drawn CPM) is left out: the prior is a little wider than the market's.
  const rates = [
    ratePosteriors(known.map((k) => Math.log(k.ctr)), d.ctrLogSd, (l) => clamp(Math.exp(l), d.ctrRange), (ctr) => sums.clicks.reduce((ll, x) => ll + binomialLogLikelihood(x.clicks, x.impressions - x.clicks, ctr * x.scale, 0.5), 0)),
    ratePosteriors(known.map((k) => Math.log(k.cvr)), d.cvrLogSd, (l) => clamp(Math.exp(l), d.cvrRange), (cvr) => sums.conversions.reduce((ll, x) => ll + binomialLogLikelihood(x.conversions, x.nonConverting, cvr * x.scale * x.saturation, 0.9), 0)),
    ratePosteriors(known.map((k) => Math.log(k.aovEur * minorPerEur)), d.aovLogSd, Math.exp, orderLogLikelihood),
  ];
  return posteriorMean(
    known.map((_, j) => rates.reduce((a, r) => a + r[j]!.logEvidence, 0)),
    known.map((_, j) => rates.reduce((a, r) => a * r[j]!.mean, 1)),
  );
}

/** Successes and failures at probability p, capped at `cap` as the rows' rates are. */
function binomialLogLikelihood(successes: number, failures: number, p: number, cap: number): number {
  const q = Math.min(cap, p);
  return successes * Math.log(q) + failures * Math.log(1 - q);
}

function raise(message: string): never {
  throw new RangeError(message);
}

/** Each country's posterior mean of the first impression's value (ctr × cvr × order value, before the campaign's scales). */
export function posteriorFirstImpressionValues(c: StubCampaignTruth, rows: readonly InsightRow[], currency: string, prior: ValuePrior = 'set'): Map<string, number> {
  const countries = new Map(c.countries.map((k) => [k.countryCode, k]));
  const adsetShare = new Map(c.adsets.map((a) => [a.adsetId, a.budgetShare]));
  const countryRows: CountryRow[] = [];
  for (const r of rows) {
    const country = countries.get(r.country);
    if (r.segmentType !== '' || r.age !== '' || r.gender !== '' || country === undefined) continue;
    const share = adsetShare.get(r.adsetId) ?? 1;
    countryRows.push({ row: r, country, saturation: conversionFactor(country, r.impressions / share), adsetId: r.adsetId });
  }
  const scales = adsetScales(countryRows);
  const byCountry = new Map<string, CountryRow[]>();
  for (const x of countryRows) (byCountry.get(x.country.countryCode) ?? byCountry.set(x.country.countryCode, []).get(x.country.countryCode)!).push(x);
  const values = new Map<string, number>();
  for (const [code, own] of byCountry) {
    if (prior !== 'set') {
      values.set(code, drawnValue(own, scales, prior === 'country-draws' ? [code] : c.countries.map((k) => k.countryCode), currency));
      continue;
    }
    const candidates = c.countries.map((k) => ({ ctr: k.ctr, cvr: k.cvr, aov: k.revenuePerConversionMinor }));
    const logLik = candidates.map((t) => own.reduce((ll, x) => ll + rowLogLikelihood(x, t, scales.get(x.adsetId)!), 0));
    values.set(code, posteriorMean(logLik, candidates.map((t) => t.ctr * t.cvr * t.aov)));
  }
  return values;
}

interface Scales {
  ctr: number;
  cvr: number;
  aov: number;
}

// An ad set's creative and the days' swings scale every country's rates alike: measured from the
// data with the true assignment (the ceiling may know it), they put the candidates on the data's scale.
function adsetScales(countryRows: readonly CountryRow[]): Map<string, Scales> {
  const sums = new Map<string, { clicks: number; expectedClicks: number; conversions: number; expectedConversions: number; revenue: number; expectedRevenue: number }>();
  for (const { row, country, saturation, adsetId } of countryRows) {
    const s = sums.get(adsetId) ?? sums.set(adsetId, { clicks: 0, expectedClicks: 0, conversions: 0, expectedConversions: 0, revenue: 0, expectedRevenue: 0 }).get(adsetId)!;
    s.clicks += row.clicks;
    s.expectedClicks += row.impressions * country.ctr;
    s.conversions += row.conversions ?? 0;
    s.expectedConversions += row.clicks * country.cvr * saturation;
    s.revenue += row.revenueMinor ?? 0;
    s.expectedRevenue += (row.conversions ?? 0) * country.revenuePerConversionMinor;
  }
  const ratio = (a: number, b: number) => (b > 0 && a > 0 ? a / b : 1);
  return new Map([...sums].map(([id, s]) => [id, { ctr: ratio(s.clicks, s.expectedClicks), cvr: ratio(s.conversions, s.expectedConversions), aov: ratio(s.revenue, s.expectedRevenue) }]));
}

function rowLogLikelihood({ row, saturation }: CountryRow, t: { ctr: number; cvr: number; aov: number }, scale: Scales): number {
  const conversions = row.conversions ?? 0;
  let ll = binomialLogLikelihood(row.clicks, row.impressions - row.clicks, t.ctr * scale.ctr, 0.5);
  ll += binomialLogLikelihood(conversions, Math.max(0, row.clicks - conversions), t.cvr * scale.cvr * saturation, 0.9);
  const revenue = row.revenueMinor ?? 0;
  if (conversions > 0 && revenue > 0) ll += logGammaDensity(revenue, ORDER_VALUE_SHAPE * conversions, (t.aov * scale.aov) / ORDER_VALUE_SHAPE);
  return ll;
}
