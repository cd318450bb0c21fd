import type { TypedTraceEvent } from './trace-events.ts';

export type { TypedTraceEvent } from './trace-events.ts';

// The domain's data types. The engine receives these as plain data and returns plain data;
// it never knows whether a number came from the stub market, a CSV file or Meta.
//
// Money is always an integer number of minor units (cents for EUR/USD, yen for JPY) inside the
// engine and the store. It becomes a decimal number in major units only at the edge, in the
// recommendation document that the API and CLI print.

export const SEGMENT_TYPES = ['interest', 'behavior', 'demographic', 'lookalike', 'custom_audience'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

// Meta's reporting buckets for the `age` breakdown.
export const AGE_BUCKETS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

export const GENDERS = ['male', 'female', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** One row of performance, as every source delivers it (canonical insights CSV, stub, Meta). */
export interface InsightRow {
  /** YYYY-MM-DD */
  date: string;
  campaignId: string;
  /** '' when the row is not broken down by ad set. */
  adsetId: string;
  /** '' for a plain row that belongs to no segment. */
  segmentType: SegmentType | '';
  segmentId: string;
  segmentName: string;
  /** ISO 3166-1 alpha-2, upper case, or '' when the row has no country breakdown. */
  country: string;
  age: AgeBucket | '';
  gender: Gender | '';
  impressions: number;
  /** null = unknown. */
  reach: number | null;
  clicks: number;
  /** null = unknown (not zero). */
  conversions: number | null;
  spendMinor: number;
  /** null = unknown (not zero). */
  revenueMinor: number | null;
  /** ISO 4217, upper case. */
  currency: string;
  /** People in the segment's audience where the source gives it (canonical CSV: segment_size); absent = unknown. */
  segmentSize?: number;
}

/**
 * Additive totals over a set of insight rows. Conversions and revenue are often unknown on some
 * rows, so each ratio keeps its own denominator: CVR is conversions over the clicks of the rows
 * whose conversions are known, ROAS is revenue over the spend of the rows whose revenue is known.
 * Dividing by all clicks would read "unknown" as "zero" and bias both ratios down.
 */
export interface Metrics {
  impressions: number;
  clicks: number;
  spendMinor: number;
  /** Sum of daily reach where known; 0 when never known. Daily reach sums over-count unique people. */
  reach: number;
  /** Impressions of the rows whose reach is known: the denominator of frequency. */
  impressionsWithReach: number;
  conversions: number;
  clicksWithConversions: number;
  revenueMinor: number;
  spendWithRevenueMinor: number;
  /**
   * Where a row knows one of conversions and revenue but not the other, the order value may only
   * read the rows that know both. Absent = 0 (every row knew both or neither; snapshots stored
   * before these existed): conversions of rows whose revenue is unknown,
   */
  conversionsWithoutRevenue?: number;
  /** revenue of rows whose conversions are unknown, */
  revenueWithoutConversionsMinor?: number;
  /** and the clicks of those rows, over which that revenue says what a click is worth. */
  clicksWithRevenueOnly?: number;
}

export interface SegmentHistory {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
  /** The whole analysis window. */
  total: Metrics;
  /** The most recent days of the window (EngineSettings.recentDays), for fatigue. */
  recent: Metrics;
  /**
   * Delivery per day, oldest first, for the `bayes` strategy's fatigue fit (src/engine/fatigue-fit.ts).
   * Loaded only for the segments that could be fatigued or are resting (src/store/snapshot.ts);
   * absent for the others and in snapshots stored before it existed.
   */
  daily?: SegmentDay[];
  /**
   * Days of the window with delivery: impressions / activeDays is what the segment absorbs per day
   * when targeted (its size, for the `bayes` set choice). Absent in snapshots stored before it existed.
   */
  activeDays?: number;
  /**
   * The segment's audience size where a real source gives it (never inferred from delivery): the
   * canonical CSV's segment_size, or Meta's audience size estimate in LIVE mode. Absent = unknown.
   */
  size?: SegmentSize;
  /**
   * The part of `total` from the ad set's blends (AdSetSnapshot.blends): rows that are equal shares
   * of the ad set's delivery, not the segment's own figures. Absent = none.
   */
  shared?: Metrics;
}

/** People in a segment's audience: a range (Meta's estimate) or one figure (lower = upper). */
export interface SegmentSize {
  lower: number;
  upper: number;
  /** csv: the canonical CSV's segment_size column; meta: audience_size_lower_bound/upper_bound. */
  source: 'csv' | 'meta';
}

/** One day of a segment's delivery. */
export interface SegmentDay {
  /** YYYY-MM-DD */
  date: string;
  impressions: number;
  clicks: number;
  /** People reached that day; 0 when unknown. */
  reach: number;
}

export interface CountryHistory {
  countryCode: string;
  total: Metrics;
  /** Spend and impressions per day with delivery, oldest first: what response curves are fitted from. */
  daily?: CountryDay[];
}

/**
 * One day of a country. The fields after impressions are the day's own metrics, which the value
 * response and its check on held-out days need (src/engine/geo-value.ts); snapshots stored before
 * they were kept lack them, and the date.
 */
export interface CountryDay {
  spendMinor: number;
  impressions: number;
  /** YYYY-MM-DD */
  date?: string;
  clicks?: number;
  conversions?: number;
  clicksWithConversions?: number;
  revenueMinor?: number;
  spendWithRevenueMinor?: number;
}

export interface DemographicHistory {
  age: AgeBucket | '';
  gender: Gender | '';
  total: Metrics;
}

/** Pixel events of the campaign's site, counted by content category (e.g. ViewContent / "action"). */
export interface PixelEventCount {
  eventName: string;
  contentCategory: string;
  count: number;
}

/** Everything the engine is given about one ad set (or the whole campaign when it has no ad sets). */
export interface AdSetSnapshot {
  adsetId: string | null;
  segments: SegmentHistory[];
  countries: CountryHistory[];
  demographics: DemographicHistory[];
  total: Metrics;
  recent: Metrics;
  /**
   * The ad set's days whose segment rows were equal shares of its delivery (LIVE sync credits an
   * ad set of several segments that way), one entry per set of segments shared among. Absent = none,
   * as in snapshots stored before blends were read.
   */
  blends?: SegmentBlend[];
}

/** An ad set's delivery on the days it was credited in equal shares to exactly these segments. */
export interface SegmentBlend {
  segments: { segmentType: SegmentType; segmentId: string }[];
  days: number;
  /** The ad set's whole delivery on those days: the sum of the shares. */
  total: Metrics;
}

/** The countries of an ad set that hold a delivering ad set of their own from an earlier geo split. */
export interface HoldingCountries {
  adsetId: string | null;
  countries: string[];
}

export interface CampaignSnapshot {
  campaignId: string;
  currency: string;
  /** Inclusive analysis window, YYYY-MM-DD. */
  windowStart: string;
  windowEnd: string;
  adsets: AdSetSnapshot[];
  pixelEvents: PixelEventCount[];
  /**
   * Meta's special ad categories of the campaign (e.g. HOUSING), as LIVE mode reads them; what they
   * forbid is left out of the recommendation (src/engine/special-ad-categories.ts). Absent = none,
   * as in snapshots stored before they were read.
   */
  specialAdCategories?: string[];
  /**
   * Interests found by discovery (in LIVE mode, Meta's suggestions next to the campaign's best
   * interests), with no delivery of their own: the `bayes` strategy may give them exploration
   * slots only (src/engine/exploration.ts). Absent in snapshots stored before discovery existed
   * and in STUB and CSV runs: those decide as before.
   */
  candidates?: DiscoveredCandidate[];
}

/** A segment the campaign never ran, with Meta's audience size and why it is a candidate. */
export interface DiscoveredCandidate {
  segmentType: 'interest';
  segmentId: string;
  segmentName: string;
  size: SegmentSize;
  /** For the reasoning trace, e.g. 'suggested by Meta next to "Running", "Yoga"'. */
  reason: string;
}

/**
 * What the engine is told about the campaign's earlier runs, read from the store by the caller and
 * stored with the run's decision inputs so that a replay sees exactly the same. Absent = first run.
 */
export interface EarlierRuns {
  /**
   * The geo split of the campaign's latest completed recommendation for each ad set (adsetId null =
   * the campaign as a whole): what the change-per-run limit of the `bayes` split is measured from.
   */
  geo?: EarlierGeoSplit[];
  /** Segments resting after fatigue, and the date (YYYY-MM-DD) their rest began. */
  resting?: RestingSegment[];
  /**
   * The interests and behaviors in force in each ad set: those of its latest applied
   * recommendation. What the `bayes` strategy weighs an edit against (settings.editMinGain).
   */
  targeting?: EarlierTargeting[];
}

/** The interests and behaviors an ad set targets now (segment ids). */
export interface EarlierTargeting {
  adsetId: string | null;
  interests: string[];
  behaviors: string[];
}

export interface EarlierGeoSplit {
  adsetId: string | null;
  totalBudgetMinor: number;
  allocations: { countryCode: string; amountMinor: number }[];
}

export interface RestingSegment {
  adsetId: string | null;
  segmentType: SegmentType;
  segmentId: string;
  /** YYYY-MM-DD: the windowEnd of the snapshot whose decision began the rest. */
  since: string;
}

export interface Priors {
  ctr: number;
  cvr: number;
  roas: number;
  /** Pseudo-observations the prior is worth (the seed's "prior strength: 100 samples"). */
  strength: number;
}

export const STRATEGIES = ['spec', 'bayes'] as const;
/** spec: the specification's formulas. bayes: value response, equal marginal returns, fitted priors (src/engine/strategies/). */
export type Strategy = (typeof STRATEGIES)[number];

/**
 * Former names still accepted wherever a strategy is named (TARGETING_STRATEGY, `backtest
 * --strategy`, settings stored with a run): `seed` was the specification's strategy before it was
 * called `spec` ("seed" also names random seeds).
 */
export const STRATEGY_ALIASES: Readonly<Record<string, Strategy>> = { seed: 'spec' };

/** A strategy as settings name it: stored settings keep the name they were decided with, so they replay byte for byte. */
export type StrategyName = Strategy | 'seed';

/** The strategy a name means, or null for a name that is none. */
export function strategyNamed(name: string): Strategy | null {
  if ((STRATEGIES as readonly string[]).includes(name)) return name as Strategy;
  return STRATEGY_ALIASES[name] ?? null;
}

/**
 * How a candidate without a known audience size weighs where others of its type have one:
 * - 'typical': as the median of the type's known sizes, so one missing estimate does not stop the
 *   rest from being weighed by theirs;
 * - 'unweighed': the whole type is chosen by value alone.
 */
export type UnknownSizeRule = 'typical' | 'unweighed';

export interface EngineSettings {
  /** `seed` (the former name of `spec`) in settings stored before the rename: it decides as `spec`. */
  strategy: StrategyName;
  priors: Priors;
  spainMinPct: number;
  maxInterests: number;
  maxBehaviors: number;
  maxLookalikes: number;
  /** Days at the end of the window that count as "recent" for fatigue. */
  recentDays: number;
  /** Recent CTR below this share of the earlier CTR (and significant) = fatigued. */
  fatigueCtrDropRatio: number;
  /** Average impressions per person above this = fatigued. */
  fatigueMaxFrequency: number;
  frequencyCap: number;
  frequencyWindowDays: number;
  /**
   * `bayes` only: share (0..0.5) of the interest and behavior slots filled by Thompson sampling
   * among segments whose posterior could still be the best (src/engine/exploration.ts). Settings
   * stored before it existed lack it: absent reads as 0.
   */
  explorationShare: number;
  /**
   * `bayes` only: with no exploration share, the share (0..0.5) of the interest slots given to
   * interests found by targeting discovery (snapshot.candidates, no delivery of their own yet),
   * drawn from the interests' prior: without it they could never enter. Used only where the
   * snapshot has such candidates. Absent (settings stored before it existed) reads as 0.
   */
  discoveryShare?: number;
  /**
   * `bayes` only (src/engine/geo-value.ts, the trust region): the most a country never funded in
   * the window may get, as a share of the budget. Absent (settings stored before it existed) reads
   * as explorationShare, which bounded it until engine version 9.
   */
  newCountryShare?: number;
  /**
   * `bayes` only: where an ad set's interests and behaviors are chosen from (src/engine/segment-pool.ts).
   * campaign: every segment the campaign has evidence on, the ad set's own figures shrunk toward the
   * campaign-wide ones, the set weighed by audience size only where a real source gives it
   * (SegmentHistory.size), else chosen by value. Absent (settings stored before it existed) reads
   * as engine version 5's choice: the ad set's own rows, weighed by size^sizeExponent with size
   * inferred from delivery, so those runs replay unchanged.
   */
  segmentPool?: 'campaign';
  /**
   * `bayes` only: share (0..0.5) of each ad set's budget split on Thompson draws of the countries'
   * value per impression instead of their means (src/engine/geo-exploration.ts). Settings stored
   * before it existed lack it: absent reads as 0.
   */
  budgetExplorationShare?: number;
  /**
   * `bayes` only: days a fatigued segment rests (out of the targeting) from the day its rest began;
   * after them it comes back through the exploration slots only. Settings stored before it existed
   * lack it: absent reads as DEFAULT_FATIGUE_REST_DAYS.
   */
  fatigueRestDays?: number;
  /**
   * `bayes` only (src/engine/geo-constraints.ts): each listed country's minimum and maximum share
   * of the ad set's budget, in percent. Settings stored before the limit existed lack it: absent
   * reads as no limits.
   */
  countryShareLimits?: Record<string, { minPct: number; maxPct: number }>;
  /**
   * `bayes` only: a country gets nothing or at least this daily budget, in major units of the
   * campaign's currency. Absent (settings stored before it existed) or 0 = no minimum.
   */
  minCountryBudget?: number;
  /**
   * `bayes` only: how far (percent, 0..100) a country's amount may move from the campaign's previous
   * split, rescaled to this budget; 100 = no limit. Absent (settings stored before it existed) = no limit.
   */
  maxChangePct?: number;
  /**
   * `bayes` only: on an ad set's first run (no previous split) the change limit holds against the
   * history's own split, the ad set's spend by country over the window, so that the first
   * recommendation moves no more money than the ones after it. Absent (settings stored before it
   * existed) reads as false: a first run had no change limit.
   */
  firstRunChangeLimit?: boolean;
  /**
   * `bayes` only: what a segment's value is measured against. 'per_spend': expected revenue per
   * unit of spend (value per impression over the segment's cost per impression), so an audience
   * whose impressions cost more must earn more to be chosen; 'per_impression': value per
   * impression, every impression costing alike. Absent (settings stored before it existed) reads
   * as 'per_impression', as engine versions before 9 decided.
   */
  segmentValue?: 'per_impression' | 'per_spend';
  /**
   * `bayes` only: when the held-out check chooses the specification's split, the share limits, the
   * minimum budget and the change limit hold it as they hold a model's split (the trust region
   * always did), and the change limit's window is rounded inward, so that every amount is within
   * the percentage to the minor unit, as the apply guardrail measures it. Absent (settings stored
   * before it existed) reads as false: only the trust region held it, and the window was rounded outward.
   */
  limitsOnEverySplit?: boolean;
  /**
   * `bayes` only: the change limit holds first against the previous run's amounts as they were
   * applied, which are the ad sets' budgets the apply guardrail measures a change against; only
   * where the limit cannot fit around them (the budget moved by more than the limit, a country left
   * the offer, a higher limit pushes a country outside its window) against that split rescaled to
   * this budget. Absent (settings stored before it existed)
   * reads as false: always rescaled, as engine version 22 did.
   */
  changeLimitAsApplied?: boolean;
  /**
   * `bayes` only (src/engine/level-noise.ts): how far countries' values are shrunk toward the pool
   * is decided by noise measured on the account's own days (the spread of its order values) and a
   * between-country variance that weighs each country by how well it is measured (Paule–Mandel).
   * Absent (settings stored before it existed) reads as false: order values taken to spread as much
   * as their mean, and the variance by the method of moments.
   */
  measuredLevelNoise?: boolean;
  /**
   * `bayes` only (src/engine/value-curves.ts): a value bend counts only where the days show it: the
   * bend shared by the countries against none, and each country's own against the shared one, by
   * an F test at the 5 % level. Absent (settings stored before it existed) reads as false: every
   * fitted bend counted, as engine version 14 did.
   */
  testedValueBend?: boolean;
  /**
   * `bayes` only (src/engine/geo-value.ts, checkOnHeldOutDays): a history of 3 to 6 days is checked
   * too, fitted on its first n − 3 days (at least 2) and predicting the rest. Absent (settings stored
   * before it existed) reads as false: fewer than 7 days went to the specification's split unchecked.
   */
  shortHistoryCheck?: boolean;
  /**
   * `bayes` only (src/engine/day-cost.ts): the days' swing in cost per impression common to every
   * country is fitted with the countries' impressions curves and taken out of them, where an F test
   * at the 5 % level says the days show it. Absent (settings stored before it existed) reads as
   * false: each country's curve read on its days as they came, as engine version 16 did.
   */
  commonDayCost?: boolean;
  /**
   * `bayes` only (src/engine/segment-value.ts, weighBySize): how much a segment's size (impressions
   * per day of delivery) counts in the choice of the interest and behavior sets, weight =
   * size^sizeExponent, 0..1. Absent (settings stored before it existed) reads as
   * SIZE_EXPONENT_BEFORE_SETTING, the exponent engine version 3 used, so those runs replay unchanged.
   */
  sizeExponent?: number;
  /**
   * `bayes` only, with the campaign pool: the size exponent of a campaign none of whose segment rows
   * are blends (every row a segment's own delivery: one ad set per segment, or a per-segment
   * breakdown); sizeExponent holds where some are (campaignSizeExponent). Absent (settings stored
   * before engine version 27): sizeExponent for every campaign, so those runs replay unchanged.
   */
  ownRowsSizeExponent?: number;
  /**
   * `bayes` only, with the campaign segment pool (src/engine/segment-value.ts, weighByKnownSize):
   * how a candidate interest or behavior without a known audience size weighs where others of its
   * type have one. Absent (settings stored before it existed) reads as 'unweighed', as engine
   * version 23 chose.
   */
  unknownSizes?: UnknownSizeRule;
  /**
   * `bayes` only (src/engine/demographic-value.ts): 'expected_value' chooses the ages and gender
   * whose expected value at the split is highest on the countries' curves, a narrower audience
   * saturating sooner; 'specification' keeps the specification's rule (buckets within 70 % of the
   * best composite, a gender leading by 1.5×). Absent (settings stored before it existed) reads as
   * 'specification', so those runs replay as they decided.
   */
  demographicChoice?: 'expected_value' | 'specification';
  /**
   * `bayes` only (src/engine/geo-value.ts): the trust region. No country gets more than this
   * multiple of its highest daily spend in the window. Absent (settings stored before it existed):
   * the split of engine version 5 (response curves on impressions, no held-out check, no trust
   * region), so those runs replay as they decided.
   */
  trustMultiple?: number;
  /**
   * `bayes` only: whether the pixel's genre shares boost the interests' ranking after the set
   * choice, as the specification's strategy always does. Absent (settings stored before it
   * existed) reads as true, as engine version 7 decided.
   */
  pixelGenreBoost?: boolean;
  /**
   * `bayes` only: the least gain in a set's value (0.05 = 5 %) for which the strategy edits the
   * interests, or the behaviors, in force in an ad set (EarlierRuns.targeting), where its learning
   * phase would last two days or less; more for an ad set with fewer conversions a day
   * (src/engine/targeting-edits.ts, requiredGain). Adding or removing one is a significant edit to
   * Meta, which restarts the ad set's learning phase: while it learns, it converts less. Below the
   * gain the set in force is kept, unless one of its members can no longer be chosen (tiring,
   * resting, gone). Absent (settings stored before it existed) or 0: the best set, whatever is in force.
   */
  editMinGain?: number;
  /**
   * `bayes` only: the decision is applied one ad set per country (LIVE apply under ad set budgets):
   * a country whose daily budget reaches `minDailyBudgetMinor`, or whose share has a floor, gets an
   * ad set of its own and the rest share one (src/engine/ad-set-groups.ts). Each of them learns on
   * its own conversions, so an edit of the interests restarts learning that lasts longer than the
   * ad set's conversions a day say. Absent: the decision is applied as one ad set (STUB apply,
   * campaign budgets, settings stored before it existed). `unsplitAdSets`: the campaign's ad sets
   * with a lifetime budget, which LIVE apply changes as one ad set (there is no daily budget to
   * split), so an edit of theirs is weighed as one ad set's. `holding`: per ad set, the countries
   * whose own ad set from an earlier split is delivering; LIVE apply lets such a country keep it
   * down to half the minimum (hasOwnAdSet). Absent: none holds one, as before engine version 22.
   */
  countryAdSets?: { minDailyBudgetMinor: number; unsplitAdSets?: string[]; holding?: HoldingCountries[] };
  /**
   * The daily budget each ad set holds (LIVE, budgets on the ad sets: a geo split's original with
   * its delivering copies together; an ad set on a lifetime budget, what it spent a day over the
   * window). The campaign's budget is shared among the ad sets in proportion to these, so that an
   * ad set's part is the budget its apply is measured against. Absent (STUB, imports, campaign
   * budgets, settings stored before engine version 25), or without one for an ad set of the run:
   * shared by what each spent in the window.
   */
  adsetBudgetsMinor?: { adsetId: string; amountMinor: number }[];
  /**
   * The decision is applied with Meta's Advantage+ audience on (LIVE mode, META_ADVANTAGE_AUDIENCE=1):
   * the reasoning says which of the chosen options Meta treats as suggestions. Absent = off.
   */
  advantageAudience?: boolean;
}

export const DEFAULT_FATIGUE_REST_DAYS = 14;

export interface FatigueVerdict {
  isFatigued: boolean;
  reason: string | null;
}

export interface SegmentScore {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
  smoothedCtr: number;
  smoothedCvr: number;
  smoothedRoas: number;
  confidence: number;
  /** 0..1, the seed's 25/40/35 composite times confidence. */
  composite: number;
  fatigue: FatigueVerdict;
}

// ---- What the engine decides for one ad set (camelCase, money in minor units) ----
// The specification's document (snake_case, major units, the prose of the reasoning) is made from
// it at the edge, by src/presentation/.

/** One funded country of the split. */
export interface CountryBudget {
  countryCode: string;
  amountMinor: number;
  /** The country's weight in the specification's split (engagement for Spain and LATAM, performance elsewhere); 0 when unscored. */
  weight: number;
  /** What the window showed; null where the country had no clicks, impressions or revenue to tell. */
  averageCpcMinor: number | null;
  observedCtr: number | null;
  observedRoas: number | null;
}

/** A chosen interest or behavior: Meta's id and name, and its place in the ranking. */
export interface ChosenSegment {
  segmentId: string;
  segmentName: string;
  /** The ranking's score, 0..1, rounded to 4 decimals as the ranking compares it. */
  score: number;
  rank: number;
}

export type CustomAudienceSource = 'converters' | 'pixel_visitors' | 'engagers';

/** A custom audience to target: one proposed from the window's evidence, or one the history already ran. */
export interface CustomAudienceChoice {
  audienceId: string;
  name: string;
  /** People: the source's count in the window, or for an existing audience its clicks (a lower bound; 0 = unknown). */
  size: number;
  origin: { kind: 'proposed'; source: CustomAudienceSource } | { kind: 'existing' };
}

export interface LookalikeChoice {
  sourceAudienceId: string;
  countryCodes: string[];
  /** 0.01 = the 1 % most similar people. */
  ratio: number;
  name: string;
}

export interface FrequencyCapChoice {
  impressions: number;
  windowDays: number;
}

export interface ExpectedPerformance {
  ctr: number;
  cvr: number;
  roas: number;
  confidence: number;
}

/** One ad set's targeting and budget as decided, with what it was decided from and why. */
export interface Decision {
  adsetId: string | null;
  campaignId: string;
  currency: string;
  budgetMinor: number;
  /** The funded countries, in the split's order. */
  countries: CountryBudget[];
  ageMin: number;
  /** 65 = 65 and older. */
  ageMax: number;
  gender: 'all' | 'male' | 'female';
  interests: ChosenSegment[];
  behaviors: ChosenSegment[];
  customAudiences: CustomAudienceChoice[];
  lookalikes: LookalikeChoice[];
  frequencyCap: FrequencyCapChoice;
  /**
   * The campaign's special ad categories that limited this audience (e.g. HOUSING): an apply must
   * not carry over what they forbid from the ad set's current targeting (exclusions above all).
   * Empty for an ordinary campaign.
   */
  audienceLimitedBy: string[];
  expected: ExpectedPerformance;
  /** The rules and evidence the decision stood on. */
  basis: {
    /** As the settings named it (`seed` in settings stored before the strategy was called `spec`). */
    strategy: string;
    spainMinPct: number;
    window: { start: string; end: string };
    priors: Priors;
  };
  trace: TraceEvent[];
}

/**
 * One line of the reasoning: what was decided and the unrounded figures that decided it
 * (src/engine/trace-events.ts). The engine writes no prose for it: src/presentation/ words and
 * rounds each event into the specification's trace line.
 */
export type TraceEvent = TypedTraceEvent;

