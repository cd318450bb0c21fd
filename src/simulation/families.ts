// Market families: the assumptions of the synthetic market, each an axis that real accounts break
// in their own way. A decision rule is judged on every family and by its worst one, so that it is
// not tuned to one market's habits (docs/decision-quality-families.md says what each axis models).
import type { OrderSpread } from './orders.ts';
import { CURVE_SHAPES, type CurveShape } from './response-shape.ts';

/**
 * Where a country's diminishing returns show as its daily spend grows:
 * - 'impressions': each extra unit of spend buys fewer impressions (CPM rises), every impression is
 *   worth the same (the stub's original market);
 * - 'conversion': CPM stays flat, but the next people reached are less interested: conversions per
 *   click fall as the impressions grow;
 * - 'both': half of the curvature each way.
 */
export type SaturationAxis = 'impressions' | 'conversion' | 'both';

/**
 * How a campaign's segment rows arise (Meta's Insights API has no interest or behavior breakdown,
 * so segment figures come from the ad sets that targeted them):
 * - 'union': two ad sets target the union of all segments and the rows are that delivery broken
 *   down by segment in proportion to size (the stub's original market);
 * - 'adset-per-segment': one ad set per segment, funded by the advertiser's own policy, so a
 *   segment's impressions per day say how it was funded, not how big it is;
 * - 'shared': a few ad sets, each targeting several segments (a segment may sit in more than one);
 *   each ad set's delivery is credited to its segments in equal parts, so a segment's row shows
 *   the blend of its ad set's audience, not its own value.
 */
export type SegmentRowsAxis = 'union' | 'adset-per-segment' | 'shared';

/**
 * How a segment's size relates to its value per impression:
 * - 'independent': unrelated (the stub's original market);
 * - 'smaller-better': niche segments convert better (rank correlation about −0.7);
 * - 'larger-better': broad segments convert better (about +0.7).
 */
export type SizeAxis = 'independent' | 'smaller-better' | 'larger-better';

/**
 * Whether what an audience's impressions cost matters to what the chosen segments earn:
 * - 'ignored' (absent): the segments' rows show their own CPM, but the union of the chosen ones
 *   buys as many impressions per unit of spend whatever they cost (the stub's original market);
 * - 'paid': an audience whose people cost more per impression buys fewer of them: the union earns
 *   its delivery-weighted value per impression over its delivery-weighted cost per impression.
 */
export type PricesAxis = 'ignored' | 'paid';

/**
 * What the rows report of the results they delivered:
 * - 'complete' (absent): conversions and revenue on every row (the stub's original market);
 * - 'revenue-only': revenue on every row, conversions on none (a source that carries the value of
 *   purchases but not their count);
 * - 'patchy': each row independently lacks its conversions (40 %) or its revenue (20 %), as
 *   columns and attribution settings come and go in an account's exports;
 * - 'lagged': every row reports its conversions and revenue, but the latest days only in part:
 *   Meta credits a purchase to the day of the ad it followed, and purchases keep arriving for the
 *   attribution window's 7 days, so a day read the morning after holds about half of what it
 *   will (reportedShareAtAge).
 */
export type ReportingAxis = 'complete' | 'revenue-only' | 'patchy' | 'lagged';

/**
 * Whether countries' values move apart over the history:
 * - 'none' (absent): every country's value moves with the campaign's mild trend (the stub's
 *   original market);
 * - 'countries': each country's conversion rate also drifts on its own (a season, a holiday, a
 *   competitor), by a daily rate of typically ±2 % (at most ±4 %), through the history and on
 *   through the loop's days: the window's average misleads, and the market moves under the loop.
 */
export type DriftAxis = 'none' | 'countries';

/**
 * What changing an ad set's targeting costs (the loop's days only; the history's targeting never changes):
 * - 'free' (absent): nothing (the stub's original market);
 * - 'reset-learning': what Meta does. Adding or removing an interest is a significant edit that
 *   restarts the ad set's learning phase: until it has had about 50 conversions since the edit,
 *   delivery finds its buyers less well and converts up to a fifth less (learningEfficiency).
 * - 'reset-learning-per-country': as 'reset-learning', with the split applied as LIVE apply applies
 *   it: one ad set per country with at least 10.00 a day (Spain, whose share has a floor, whatever
 *   its budget) and one pooled ad set for the rest (spent as the pool axis says), each learning on
 *   its own conversions. The first split turns the history's one ad set into several
 *   new ones; a country moving between ad sets edits both (country-adsets.ts).
 */
export type EditsAxis = 'free' | 'reset-learning' | 'reset-learning-per-country';

/**
 * How Meta spends a pooled ad set's budget among its countries, where the split is applied one ad
 * set per country (edits 'reset-learning-per-country'; no effect otherwise). The split's amounts
 * hold only where a country has an ad set of its own: a pooled ad set has one budget, and Meta's
 * delivery decides where it goes.
 * - 'conversions' (absent): where the ad set's conversions are cheapest at the margin, on the
 *   countries' true curves: Meta's goal for an ad set optimised for purchases, met perfectly;
 * - 'impressions': where impressions are cheapest, whatever they convert at: delivery that reaches
 *   people without finding the buyers among them, as a pool still learning may.
 */
export type PoolAxis = 'conversions' | 'impressions';

/**
 * What the history's split says of where each country's returns bend:
 * - 'capacity' (absent): the advertiser funded each country near where its returns bend (its
 *   typical spend at 30–110 % of the saturation spend), so the bigger markets had the bigger
 *   budgets (the stub's original market);
 * - 'habit': the split came from habit, not from the countries' capacity: a country's typical
 *   spend sits anywhere from a tenth of its saturation spend (a big market barely tried) to three
 *   times it (a small one funded far past where it bends), log-uniformly. The history shows an
 *   underfunded country's curve only where it is still straight.
 */
export type FundingAxis = 'capacity' | 'habit';

/**
 * How many countries the campaign delivers in:
 * - 'ten' (absent): Spain, five LATAM and four other EU countries (the stub's original market);
 * - 'three': Spain and two of the others, drawn per campaign, as many accounts run (a home market
 *   and two more): fewer countries to pool what one country's rows cannot tell, and Spain's floor
 *   among fewer shares.
 */
export type CountryCountAxis = 'ten' | 'three';

/**
 * How much the advertiser spends:
 * - 'typical' (absent): the stub's budgets (median 600 EUR a day);
 * - 'small': a fifth of it, the same market scaled down (its curves bend at a fifth of the spend):
 *   a fifth of the impressions and conversions, so noisier rates and, where edits restart
 *   learning, five times longer to leave it.
 */
export type BudgetAxis = 'typical' | 'small';

/**
 * How a day's cost per impression swings:
 * - 'shared' (absent): every country's cost moves with the day's (weekends, the auction's busy days),
 *   as Meta's auction moves everywhere at once (the stub's original market);
 * - 'own': each country's cost swings by as much, but on its own: no day is dearer everywhere,
 *   so a model that looks for a common swing must find none.
 */
export type CostSwingsAxis = 'shared' | 'own';

/**
 * How Meta spreads an ad set's delivery among the segments it targets together (the union's rows
 * of the history, and the closed loop's chosen interests):
 * - 'size' (absent): where the people are, in proportion to each segment's size (the stub's
 *   original market);
 * - 'optimized': Meta's delivery optimisation tilts the same union toward the segments whose
 *   people convert, each in proportion to size × its value over the mean (src/simulation/delivery.ts).
 */
export type DeliveryAxis = 'size' | 'optimized';

/**
 * The shape of the countries' diminishing returns (of impressions, of conversions, or both, as
 * `saturation` says), each bending as much at the typical spend (src/simulation/response-shape.ts):
 * - 'exponential' (absent): 1 − e^(−x), the very curve the engine fits (the stub's original market);
 * - 'logarithmic': ln(1 + x), no ceiling: beyond the typical spend the returns fall more slowly;
 * - 'wall': nearly straight, then flat within a few tenths of the typical spend beyond it: an
 *   audience that runs out.
 */
export type CurveAxis = CurveShape;

/**
 * How the values of single orders spread around the mean order:
 * - 'steady' (absent): gamma, one order's coefficient of variation about 0.63 (the stub's original market);
 * - 'heavy-tailed': log-normal, about 1.8, as shops whose baskets range from one item to bulk
 *   orders see: one order in a hundred is worth 8 mean orders or more, so a segment's few
 *   conversions can hold one that makes it look several times as valuable as it is.
 */
export type OrdersAxis = OrderSpread;

/**
 * How close Meta's audience size estimates are to the people a segment really holds:
 * - 'close' (absent): within about 15 % (a log-sd of 0.15; the stub's original market);
 * - 'rough': a log-sd of 0.7, one estimate in three off by a factor of two or more: Meta models
 *   who matches an interest, and what a union's delivery finds there can differ that much;
 * - 'partial': close, but one segment in eight has none (an interest Meta has retired, a targeting
 *   search that returns no bounds, a CSV whose segment_size is filled on some rows only).
 */
export type EstimatesAxis = 'close' | 'rough' | 'partial';

export interface MarketFamily {
  readonly saturation: SaturationAxis;
  readonly segmentRows: SegmentRowsAxis;
  readonly sizes: SizeAxis;
  /** Absent: 'ignored', as every family decided before the axis existed. */
  readonly prices?: PricesAxis;
  /** Absent: 'complete', as every family decided before the axis existed. */
  readonly reporting?: ReportingAxis;
  /** Absent: 'none', as every family decided before the axis existed. */
  readonly drift?: DriftAxis;
  /** Absent: 'free', as every family decided before the axis existed. */
  readonly edits?: EditsAxis;
  /** Absent: 'typical', as every family decided before the axis existed. */
  readonly budget?: BudgetAxis;
  /** Absent: 'shared', as every family decided before the axis existed. */
  readonly costSwings?: CostSwingsAxis;
  /** Absent: 'size', as every family decided before the axis existed. */
  readonly delivery?: DeliveryAxis;
  /** Absent: 'exponential', as every family decided before the axis existed. */
  readonly curve?: CurveAxis;
  /** Absent: 'steady', as every family decided before the axis existed. */
  readonly orders?: OrdersAxis;
  /** Absent: 'close', as every family decided before the axis existed. */
  readonly estimates?: EstimatesAxis;
  /** Absent: 'conversions', as every family decided before the axis existed. */
  readonly pool?: PoolAxis;
  /** Absent: 'capacity', as every family decided before the axis existed. */
  readonly funding?: FundingAxis;
  /** Absent: 'ten', as every family decided before the axis existed. */
  readonly countryCount?: CountryCountAxis;
}

/** The axes a family may leave out, each then what every family was before the axis existed. */
type OptionalAxis = 'prices' | 'reporting' | 'drift' | 'edits' | 'budget' | 'costSwings' | 'delivery' | 'curve' | 'orders' | 'estimates' | 'pool' | 'funding' | 'countryCount';

const ABSENT: { readonly [K in OptionalAxis]-?: NonNullable<MarketFamily[K]> } = Object.freeze({
  prices: 'ignored',
  reporting: 'complete',
  drift: 'none',
  edits: 'free',
  budget: 'typical',
  costSwings: 'shared',
  delivery: 'size',
  curve: 'exponential',
  orders: 'steady',
  estimates: 'close',
  pool: 'conversions',
  funding: 'capacity',
  countryCount: 'ten',
});

/** A family's value on an axis it may leave out: its own, or the axis's default. */
export function axisOf<K extends OptionalAxis>(f: MarketFamily, key: K): NonNullable<MarketFamily[K]> {
  return (f[key] ?? ABSENT[key]) as NonNullable<MarketFamily[K]>;
}

export const SATURATION_AXIS: readonly SaturationAxis[] = ['impressions', 'conversion', 'both'];
export const SEGMENT_ROWS_AXIS: readonly SegmentRowsAxis[] = ['union', 'adset-per-segment', 'shared'];
export const SIZE_AXIS: readonly SizeAxis[] = ['independent', 'smaller-better', 'larger-better'];
export const PRICES_AXIS: readonly PricesAxis[] = ['ignored', 'paid'];
export const REPORTING_AXIS: readonly ReportingAxis[] = ['complete', 'revenue-only', 'patchy', 'lagged'];
export const DRIFT_AXIS: readonly DriftAxis[] = ['none', 'countries'];
export const EDITS_AXIS: readonly EditsAxis[] = ['free', 'reset-learning', 'reset-learning-per-country'];
export const BUDGET_AXIS: readonly BudgetAxis[] = ['typical', 'small'];
export const COST_SWINGS_AXIS: readonly CostSwingsAxis[] = ['shared', 'own'];
export const DELIVERY_AXIS: readonly DeliveryAxis[] = ['size', 'optimized'];
export const CURVE_AXIS: readonly CurveAxis[] = CURVE_SHAPES;
export const ORDERS_AXIS: readonly OrdersAxis[] = ['steady', 'heavy-tailed'];
export const ESTIMATES_AXIS: readonly EstimatesAxis[] = ['close', 'rough', 'partial'];
export const POOL_AXIS: readonly PoolAxis[] = ['conversions', 'impressions'];
export const FUNDING_AXIS: readonly FundingAxis[] = ['capacity', 'habit'];
export const COUNTRY_COUNT_AXIS: readonly CountryCountAxis[] = ['ten', 'three'];

/** The axes in the order a family's slashed name gives them; `absent` is an optional axis's default. */
const AXES: readonly { key: keyof MarketFamily; label: string; values: readonly string[]; absent?: string }[] = [
  { key: 'saturation', label: 'saturation', values: SATURATION_AXIS },
  { key: 'segmentRows', label: 'segment rows', values: SEGMENT_ROWS_AXIS },
  { key: 'sizes', label: 'sizes', values: SIZE_AXIS },
  { key: 'prices', label: 'prices', values: PRICES_AXIS, absent: ABSENT.prices },
  { key: 'reporting', label: 'reporting', values: REPORTING_AXIS, absent: ABSENT.reporting },
  { key: 'drift', label: 'drift', values: DRIFT_AXIS, absent: ABSENT.drift },
  { key: 'edits', label: 'edits', values: EDITS_AXIS, absent: ABSENT.edits },
  { key: 'budget', label: 'budget', values: BUDGET_AXIS, absent: ABSENT.budget },
  { key: 'costSwings', label: 'cost swings', values: COST_SWINGS_AXIS, absent: ABSENT.costSwings },
  { key: 'delivery', label: 'delivery', values: DELIVERY_AXIS, absent: ABSENT.delivery },
  { key: 'curve', label: 'curve', values: CURVE_AXIS, absent: ABSENT.curve },
  { key: 'orders', label: 'orders', values: ORDERS_AXIS, absent: ABSENT.orders },
  { key: 'estimates', label: 'estimates', values: ESTIMATES_AXIS, absent: ABSENT.estimates },
  { key: 'pool', label: 'pool', values: POOL_AXIS, absent: ABSENT.pool },
  { key: 'funding', label: 'funding', values: FUNDING_AXIS, absent: ABSENT.funding },
  { key: 'countryCount', label: 'country count', values: COUNTRY_COUNT_AXIS, absent: ABSENT.countryCount },
];

/** The stub's original market: same seed, same rows, byte for byte. */
export const DEFAULT_FAMILY: MarketFamily = Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent' });

/**
 * The named families the benchmark iterates: the original market, each axis broken alone, and
 * two combinations that break several at once (the markets real accounts look like).
 */
export const NAMED_FAMILIES: Readonly<Record<string, MarketFamily>> = Object.freeze({
  stub: DEFAULT_FAMILY,
  'conversion-saturation': Object.freeze({ saturation: 'conversion', segmentRows: 'union', sizes: 'independent' }),
  'both-saturation': Object.freeze({ saturation: 'both', segmentRows: 'union', sizes: 'independent' }),
  'adset-per-segment': Object.freeze({ saturation: 'impressions', segmentRows: 'adset-per-segment', sizes: 'independent' }),
  'shared-adsets': Object.freeze({ saturation: 'impressions', segmentRows: 'shared', sizes: 'independent' }),
  'niche-valuable': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'smaller-better' }),
  'broad-valuable': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'larger-better' }),
  'flat-cpm-funded-segments': Object.freeze({ saturation: 'conversion', segmentRows: 'adset-per-segment', sizes: 'smaller-better' }),
  'mixed-shared': Object.freeze({ saturation: 'both', segmentRows: 'shared', sizes: 'larger-better' }),
  'paid-audiences': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', prices: 'paid' }),
  'paid-funded-segments': Object.freeze({ saturation: 'conversion', segmentRows: 'adset-per-segment', sizes: 'smaller-better', prices: 'paid' }),
  'revenue-only': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', reporting: 'revenue-only' }),
  'patchy-funded-segments': Object.freeze({ saturation: 'conversion', segmentRows: 'adset-per-segment', sizes: 'smaller-better', reporting: 'patchy' }),
  'country-drift': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', drift: 'countries' }),
  'lagged-conversions': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', reporting: 'lagged' }),
  'learning-resets': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning' }),
  'shared-learning-resets': Object.freeze({ saturation: 'impressions', segmentRows: 'shared', sizes: 'independent', edits: 'reset-learning' }),
  'funded-learning-resets': Object.freeze({ saturation: 'conversion', segmentRows: 'adset-per-segment', sizes: 'smaller-better', edits: 'reset-learning' }),
  'small-budget': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', budget: 'small' }),
  'small-learning-resets': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning', budget: 'small' }),
  'own-cost-swings': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', costSwings: 'own' }),
  'optimized-delivery': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', delivery: 'optimized' }),
  'slow-saturation': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', curve: 'logarithmic' }),
  'sharp-saturation': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', curve: 'wall' }),
  'sharp-conversion-saturation': Object.freeze({ saturation: 'conversion', segmentRows: 'union', sizes: 'independent', curve: 'wall' }),
  'heavy-tailed-orders': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', orders: 'heavy-tailed' }),
  'heavy-tailed-funded-segments': Object.freeze({ saturation: 'conversion', segmentRows: 'adset-per-segment', sizes: 'smaller-better', orders: 'heavy-tailed' }),
  'rough-size-estimates': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', estimates: 'rough' }),
  'rough-estimates-niche-valuable': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'smaller-better', estimates: 'rough' }),
  'partial-size-estimates': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', estimates: 'partial' }),
  'partial-estimates-niche-valuable': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'smaller-better', estimates: 'partial' }),
  'country-adset-learning': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning-per-country' }),
  'small-country-adset-learning': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning-per-country', budget: 'small' }),
  'reach-pool-country-adsets': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning-per-country', pool: 'impressions' }),
  'small-reach-pool-country-adsets': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', edits: 'reset-learning-per-country', budget: 'small', pool: 'impressions' }),
  'habit-funded-countries': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', funding: 'habit' }),
  'habit-funded-conversion-saturation': Object.freeze({ saturation: 'conversion', segmentRows: 'union', sizes: 'independent', funding: 'habit' }),
  'three-countries': Object.freeze({ saturation: 'impressions', segmentRows: 'union', sizes: 'independent', countryCount: 'three' }),
  'three-countries-conversion-saturation': Object.freeze({ saturation: 'conversion', segmentRows: 'union', sizes: 'independent', countryCount: 'three' }),
});

export const FAMILY_NAMES: readonly string[] = Object.keys(NAMED_FAMILIES);

/**
 * A family from its name ("conversion-saturation") or its axes joined by slashes
 * ("conversion/adset-per-segment/independent", optionally a fourth, prices, a fifth, reporting,
 * a sixth, drift, a seventh, edits, an eighth, budget, a ninth, cost swings, a tenth, delivery, an eleventh, curve, a twelfth, orders, a thirteenth, estimates, a fourteenth, pool, a fifteenth, funding, and a sixteenth, country count: "/paid/patchy/countries/reset-learning/small/own/optimized/wall/heavy-tailed/rough/impressions/habit/three"). Throws a RangeError naming what is wrong.
 */
export function parseFamily(text: string): MarketFamily {
  const named = NAMED_FAMILIES[text];
  if (named !== undefined && Object.hasOwn(NAMED_FAMILIES, text)) return named;
  const parts = text.split('/');
  if (parts.length >= 3 && parts.length <= AXES.length) {
    const family: Record<string, string> = {};
    AXES.forEach((axis, i) => {
      const value = parts[i];
      if (value === undefined) return;
      if (!axis.values.includes(value)) throw new RangeError(`family: ${axis.label} must be one of ${axis.values.join(', ')}, got ${JSON.stringify(value)}`);
      // The default of an optional axis is its absence, so that the family equals the one named without it.
      if (value !== axis.absent) family[axis.key] = value;
    });
    return Object.freeze(family as unknown as MarketFamily);
  }
  throw new RangeError(`family must be one of ${FAMILY_NAMES.join(', ')} or saturation/segment-rows/sizes[/prices[/reporting[/drift[/edits[/budget[/cost-swings[/delivery[/curve[/orders[/estimates[/pool[/funding[/country-count]]]]]]]]]]]]] (e.g. conversion/adset-per-segment/independent/paid/patchy/countries), got ${JSON.stringify(text)}`);
}

const valueOf = (f: MarketFamily, axis: (typeof AXES)[number]): string | undefined => (f as unknown as Record<string, string | undefined>)[axis.key] ?? axis.absent;

function sameFamily(a: MarketFamily, b: MarketFamily): boolean {
  return AXES.every((axis) => valueOf(a, axis) === valueOf(b, axis));
}

/** The family's name if it is a named one, else its axes joined by slashes, up to the last one not at its default. */
export function familyName(f: MarketFamily): string {
  for (const [name, g] of Object.entries(NAMED_FAMILIES)) if (sameFamily(g, f)) return name;
  const values = AXES.map((axis) => valueOf(f, axis)!);
  let n = values.length;
  while (n > 3 && values[n - 1] === AXES[n - 1]!.absent) n--;
  return values.slice(0, n).join('/');
}

export function isDefaultFamily(f: MarketFamily): boolean {
  return sameFamily(f, DEFAULT_FAMILY);
}
