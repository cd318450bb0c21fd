// The best first geo split any estimator could reach from the same history, within the same first
// step (the change limit against the history's own split): a Bayes estimator that knows every
// country's true response shape (its impressions curve and where its conversion rate saturates)
// and the market's country values as a set (every country's true CTR, CVR and order value), but
// not which country has which. Each country's posterior over the set comes from the likelihood of
// its own rows' clicks, conversions and revenue; the split maximises the posterior expected
// revenue under Spain's floor and within the step. No estimator that sees only the data can do
// better on average, so its share of the oracle is the most this history allows the first run.
// Only where its likelihood is the market's: every row complete, countries not drifting, steady
// (gamma) order values.
import type { InsightRow, Metrics } from '../src/engine/types.ts';
import { axisOf, type MarketFamily } from '../src/simulation/families.ts';
import type { StubCampaignTruth } from '../src/simulation/market.ts';
import { ORDER_VALUE_SHAPE } from '../src/simulation/orders.ts';
import { conversionFactor, oracleSplit, type CountryResponse, type SpendBounds } from '../src/simulation/response.ts';
import { logGammaDensity, posteriorMean } from './interest-ceiling.ts';

/** Whether the ceiling's likelihood describes the family's country rows. */
export function geoCeilingApplies(family: MarketFamily): boolean {
  return (family.reporting ?? 'complete') === 'complete' && (family.drift ?? 'none') === 'none' && axisOf(family, 'orders') === 'steady';
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

/** The ceiling's split: the posterior expected revenue's best within the bounds. */
export function ceilingSplit(c: StubCampaignTruth, rows: readonly InsightRow[], budgetMinor: number, spainMinPct: number, bounds: ReadonlyMap<string, SpendBounds>): Map<string, number> {
  const value = posteriorFirstImpressionValues(c, rows);
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

/** Each country's posterior mean of the first impression's value (ctr × cvr × order value, before the campaign's scales). */
export function posteriorFirstImpressionValues(c: StubCampaignTruth, rows: readonly InsightRow[]): Map<string, number> {
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
  const candidates = c.countries.map((k) => ({ ctr: k.ctr, cvr: k.cvr, aov: k.revenuePerConversionMinor }));
  const byCountry = new Map<string, CountryRow[]>();
  for (const x of countryRows) (byCountry.get(x.country.countryCode) ?? byCountry.set(x.country.countryCode, []).get(x.country.countryCode)!).push(x);
  const values = new Map<string, number>();
  for (const [code, own] of byCountry) {
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
  const ctr = Math.min(0.5, t.ctr * scale.ctr);
  const cvr = Math.min(0.9, t.cvr * scale.cvr * saturation);
  const conversions = row.conversions ?? 0;
  let ll = row.clicks * Math.log(ctr) + (row.impressions - row.clicks) * Math.log(1 - ctr);
  ll += conversions * Math.log(cvr) + Math.max(0, row.clicks - conversions) * Math.log(1 - cvr);
  const revenue = row.revenueMinor ?? 0;
  if (conversions > 0 && revenue > 0) ll += logGammaDensity(revenue, ORDER_VALUE_SHAPE * conversions, (t.aov * scale.aov) / ORDER_VALUE_SHAPE);
  return ll;
}
