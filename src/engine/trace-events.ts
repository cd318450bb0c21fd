// The reasoning's lines as typed events: what was decided and the figures that decided it, unrounded
// and unworded. src/presentation/ words and rounds them into the specification's trace.
import type { ValuePriors } from './empirical-bayes.ts';
import type { ChangePointFit } from './fatigue-fit.ts';
import type { BoundRule, TrustCeiling } from './geo-constraints.ts';
import type { GeoCandidate } from './geo-value.ts';
import type { KnownSizeChoice, SizeWeighedChoice } from './segment-value.ts';
import type { SegmentSize } from './types.ts';

/** How the campaign budget reached this ad set. */
export interface BudgetShareEvent {
  kind: 'budget';
  adsetBudgetMinor: number;
  campaignBudgetMinor: number;
  adsetSpendMinor: number;
  campaignSpendMinor: number;
  /** The ad set's share of the campaign budget, 0..1. */
  share: number;
  /** True: shared by spend in the window; false: split equally (no spend in the window), or by the ad sets' budgets. */
  bySpend: boolean;
  /** True: shared in proportion to the ad sets' own daily budgets (settings.adsetBudgetsMinor); `share` is this ad set's. */
  byBudgets?: boolean;
}

/** The segments were scored against these priors. */
export interface ScoresEvent {
  kind: 'scores';
  segments: number;
  fatigued: number;
  priors: { ctr: number; cvr: number; roas: number; strength: number };
}

/** The frequency cap and the wear that set it. */
export interface FrequencyEvent {
  kind: 'frequency';
  cap: number;
  windowDays: number;
  /** The cap was lowered from the configured one because the audience shows wear. */
  lowered: boolean;
  recentDailyFrequency: number | null;
  frequencyLimit: number;
  fatiguedSpendShare: number;
  fatiguedSpendShareLimit: number;
}

/** No lookalike: no source audience, or no country to build one in. */
export interface LookalikesNoneEvent {
  kind: 'lookalikes.none';
  sourceAudienceId: string | null;
  max: number;
}

export interface LookalikeProposedEvent {
  kind: 'lookalikes.proposed';
  name: string;
  sourceAudienceId: string;
  sourceSize: number;
  ratio: number;
  countryCodes: string[];
}

/** Fewer ratios than Meta's usual three, by the configured limit. */
export interface LookalikesLimitEvent {
  kind: 'lookalikes.limit';
  max: number;
  ratios: number;
}

/**
 * Advantage+ audience is on for the ad set this decision is applied to: Meta treats these chosen
 * options as suggestions and may deliver outside them. age_min stays a hard limit only up to 25.
 */
export interface AdvantageAudienceEvent {
  kind: 'advantage_audience';
  /** The decided options Meta reads as suggestions, in the targeting spec's names. */
  suggestions: string[];
  ageMin: number;
  /** False: the decided age_min is above 25, where Meta no longer holds it as a hard limit. */
  ageMinHard: boolean;
}

/** A category the campaign declares that does not limit its audience. */
export interface UnlimitedCategoryEvent {
  kind: 'special_ad_categories.unlimited';
  category: string;
  /** True for ISSUES_ELECTIONS_POLITICS; false for a category the engine knows nothing of. */
  known: boolean;
}

/** Something the data chose that the campaign's special ad categories forbid, left out. */
export type LeftOutEvent = { kind: 'special_ad_categories.left_out'; categories: string[] } & (
  | { what: 'age'; ageMin: number; ageMax: number; dataAgeMin: number; dataAgeMax: number }
  | { what: 'gender'; dataGender: 'male' | 'female' }
  | { what: 'behaviors'; count: number }
  | { what: 'lookalikes'; count: number }
  | { what: 'exclusions' }
);

/** A demographic group's delivery and scores, unrounded. */
export interface GroupFigures {
  impressions: number;
  clicks: number;
  conversions: number;
  smoothedCtr: number;
  smoothedCvr: number;
  smoothedRoas: number;
  confidence: number;
  score: number;
}

/** How the age range was chosen. */
export type AgeEvent = { kind: 'demographics.age' } & (
  | { what: 'no_data'; ageMin: number; ageMax: number }
  | { what: 'none_scores'; buckets: number; ageMin: number; ageMax: number }
  | { what: 'bucket'; bucket: string; figures: GroupFigures; keepRatio: number; threshold: number; kept: boolean }
  | { what: 'range'; bestBucket: string; bestScore: number; threshold: number; ageMin: number; ageMax: number }
);

/**
 * The `bayes` strategy's ages and gender (src/engine/demographic-value.ts): one age bucket's or
 * gender's delivery, its value and cost per impression against every group's (shrunk), and whether
 * the targeting keeps it.
 */
export interface DemographicGroupEvent {
  kind: 'demographics.group';
  dimension: 'age' | 'gender';
  group: string;
  impressions: number;
  valueFactor: number;
  costFactor: number;
  kept: boolean;
}

/** The targeting the `bayes` strategy chose by expected value on the countries' curves. */
export type DemographicTargetingEvent = { kind: 'demographics.targeting'; ageMin: number; ageMax: number; gender: 'all' | 'male' | 'female' } & (
  /** No age or gender breakdown in the window. */
  | { what: 'no_data' }
  /** The split has no response curves (it fell back to the specification's): what narrowing costs is unknown. */
  | { what: 'no_curves' }
  /** Every country the split funds lacks a day of spend in the window: no curve was measured at its spend. */
  | { what: 'unmeasured'; unmeasured: string[] }
  | {
    what: 'narrowed' | 'kept_whole';
    /** Targetings evaluated, and those left out for reading a country's curve beyond its highest daily spend. */
    candidates: number;
    beyondObserved: number;
    /** Countries the split funds with no day of spend in the window, left out of the comparison. */
    unmeasured: string[];
    /** Expected value of the split with the whole audience (minor units a day, or conversions). */
    wholeExpected: number;
    /** The best targeting within the observed spends: its share of the delivery, value and cost factors, expected value and gain over the whole audience. */
    best: { ageMin: number; ageMax: number; gender: 'all' | 'male' | 'female'; share: number; valueFactor: number; costFactor: number; expected: number; gain: number } | null;
    minGain: number;
    /** The chosen targeting's share of the delivery (narrowed only). */
    share?: number;
  }
);

/** How the gender was chosen. */
export type GenderEvent = { kind: 'demographics.gender' } & (
  | { what: 'missing'; maleScore: number | null; femaleScore: number | null }
  | { what: 'group'; gender: 'male' | 'female'; figures: GroupFigures }
  | ({ what: 'no_lead' | 'low_confidence' | 'chosen'; leader: 'male' | 'female' } & GenderComparison)
);

export interface GenderComparison {
  maleScore: number;
  femaleScore: number;
  maleConfidence: number;
  femaleConfidence: number;
  winRatio: number;
  minConfidence: number;
}

/** A source of a new custom audience: proposed, or skipped and why. */
export interface AudienceSourceEvent {
  kind: 'custom_audiences.source';
  source: 'converters' | 'pixel_visitors' | 'engagers';
  size: number;
  minSize: number;
  /** unknown: the window cannot count it (no known conversions, no pixel data); too_small: under Meta's minimum. */
  outcome: 'proposed' | 'unknown' | 'too_small';
  audienceId: string | null;
}

/** An audience the history already ran: kept, or why not. */
export interface ExistingAudienceEvent {
  kind: 'custom_audiences.existing';
  segmentId: string;
  segmentName: string;
  segmentType: string;
  composite: number;
  outcome: 'not_a_source' | 'fatigued' | 'not_positive' | 'already_proposed' | 'kept';
  fatigueReason: string | null;
  /** Its clicks in the window, a lower bound of its size (0 = unknown); for a kept audience. */
  size: number | null;
}

export interface AudienceOrderEvent {
  kind: 'custom_audiences.order';
  proposed: number;
  best: string | null;
}

/** The site's pixel events bias the interest choice toward these genres (share of weighted events). */
export interface PixelGenresEvent {
  kind: 'pixel';
  /** The five largest shares, largest first. */
  topGenres: { genre: string; share: number }[];
  /** False: the `bayes` strategy let them reorder nothing (settings.pixelGenreBoost false). Absent: they boost the ranking. */
  boosted?: false;
}

/** The history has no country breakdown: Spain alone, scored from the priors. */
export interface NoCountryDataEvent {
  kind: 'geo.no_country_data';
}

/** The specification's split (src/engine/geo.ts), step by step. */
export type SpecSplitEvent =
  | { kind: 'geo.weight'; countryCode: string; region: string; weight: number; engagement: number; performance: number }
  | { kind: 'geo.spain_unscored' }
  | { kind: 'geo.exclude'; countryCode: string; weight: number }
  | { kind: 'geo.drop'; countryCode: string; weight: number; share: number; thresholdPct: number }
  | { kind: 'geo.spain_floor_share'; proportionalShare: number; floorPct: number; floorMinor: number; binding: boolean }
  | { kind: 'geo.spain_only'; amountMinor: number }
  | { kind: 'geo.share'; countryCode: string; weight: number; amountMinor: number; pct: number };

/** Spain's floor as the `bayes` split held it. */
export interface SpainFloorEvent {
  kind: 'geo.spain_floor_amount';
  floorMinor: number;
  totalMinor: number;
  spainMinPct: number;
  spainMinor: number;
}

/** The budget's exploration: part of the split drawn from the countries' posteriors, or skipped. */
export interface BudgetExplorationEvent {
  kind: 'geo.explore';
  share: number;
  /** False: skipped (the blend would leave a country under the minimum budget). */
  blended: boolean;
  /** Each country's move from the mean split, minor units (0 when skipped), in the split's order. */
  moves: { countryCode: string; exploredMinor: number }[];
  /** The drawn value per 1,000 impressions of each country, where the split reports it (engine version 5's). */
  draws: { countryCode: string; valuePer1000Minor: number }[];
}

/** A segment type the ranking chooses from. */
export type RankedType = 'interest' | 'behavior';

/**
 * The evidence a ranked segment's score rests on: its delivery in the decision's window and the
 * strategy's estimate of its value.
 */
export interface SegmentEvidence {
  impressions: number;
  clicks: number;
  /** Null where the window's conversions are unknown (no row of the segment reported them). */
  conversions: number | null;
  /**
   * What 1,000 of its impressions cost in the window, in the account currency's major units: what
   * a segment valued per unit of spend is divided by. Null without impressions.
   */
  costPer1000: number | null;
  /**
   * Expected revenue per 1,000 impressions in the account currency's major units with its 90 %
   * credible interval (src/engine/credible-interval.ts); null where the strategy has no value
   * estimate in money (no revenue tracked).
   */
  valuePer1000: { mean: number; lower: number; upper: number } | null;
  /**
   * How much the blends the segment was part of moved its value per 1,000 impressions (major
   * units), already in `valuePer1000`; absent where it was in none (segment-blends.ts).
   */
  fromBlends?: number;
}

/** An interest or behavior the ranking cannot take: fatigued, or resting. */
export interface SegmentExcludedEvent {
  kind: 'segments.excluded';
  segmentType: RankedType;
  segmentId: string;
  segmentName: string;
  composite: number;
  reason: string | null;
  /** True where the strategy states its evidence (bayes): the line names the segment too. */
  named: boolean;
}

/** A segment chosen by the ranking, at `rank`. */
export interface SegmentRankedEvent {
  kind: 'segments.ranked';
  segmentType: RankedType;
  segmentId: string;
  segmentName: string;
  rank: number;
  composite: number;
  confidence: number;
  /** Interests only (null for behaviors): the content genre of its name and the pixel events' share of it. */
  genre: { name: string | null; pixelShare: number } | null;
  /** The composite after the pixel genre boost: what the ranking ordered by. */
  score: number;
  /** Null where the strategy states none (the specification's lines, as they always were). */
  evidence: SegmentEvidence | null;
}

/** Where the limit cut the ranking: the best segment left out, or none when all fit. */
export interface SegmentCutEvent {
  kind: 'segments.cut';
  segmentType: RankedType;
  eligible: number;
  max: number;
  cut: { segmentId: string; segmentName: string; score: number } | null;
}

/** Delivered before the recent days and hardly within them: only an exploration slot can re-admit it. */
export interface BackFromRestEvent {
  kind: 'segments.back_from_rest';
  segmentType: RankedType;
  segmentId: string;
  segmentName: string;
  recentDays: number;
  earlierImpressions: number;
  recentImpressions: number;
}

/** The `bayes` strategy would explore, but the decision has no random seed. */
export interface NoExplorationEvent {
  kind: 'explore.none';
  share: number;
}

/** The exploration slots and how many were filled. */
export interface ExplorationEvent {
  kind: 'explore';
  share: number;
  interestSlots: number;
  behaviorSlots: number;
  exploredInterests: number;
  exploredBehaviors: number;
  maxInterests: number;
  maxBehaviors: number;
  /** Discovered interests without delivery among the candidates (0: none). */
  discovered: number;
  /** No exploration share: the discovery share's slots, drawn among the discovered interests only (settings.discoveryShare). */
  discoveredOnly?: true;
}

/** A segment that won an exploration slot by its posterior draw. */
export interface SegmentExploredEvent {
  kind: 'segments.explored';
  segmentType: RankedType;
  segmentId: string;
  segmentName: string;
  rank: number;
  /** The winning draw and the shrunk mean: revenue per impression in minor units, or per minor unit of spend where `per` is 'spend'. */
  draw: number;
  meanValue: number;
  /** 'spend': valued per unit of spend (settings.segmentValue 'per_spend'); absent: per impression. */
  per?: 'spend';
  drawRank: number;
  draws: number;
  impressions: number;
  recovering: boolean;
  /** A discovered candidate without delivery: why Meta suggests it and its audience size. */
  discovered: { reason: string; size: SegmentSize } | null;
}

/** The `bayes` strategy's rests after fatigue (src/engine/fatigue-rest.ts). */
export type FatigueRestEvent = { kind: 'fatigue.rest'; segmentType: string; segmentId: string; segmentName: string } & (
  /** A rest begins (since = the window's end). `reasons`: the fatigue verdicts (change-point fit, frequency). */
  | { what: 'started'; since: string; until: string; restDays: number; reasons: string[]; fit: ChangePointFit | null }
  /** A rest begins on the seed's verdict: the snapshot has no daily points to fit. */
  | { what: 'started_without_days'; since: string; until: string; restDays: number; reason: string | null }
  /** Fatigued again after its rest (restSince..restUntil): a new rest begins (since..until). */
  | ({ what: 'again'; since: string; until: string; restDays: number; restSince: string; restUntil: string; reasons: string[]; fit: ChangePointFit | null } & AfterRest)
  | { what: 'resting'; since: string; until: string }
  /** Back from its rest: by enough delivery without fatigue (fit given), or because it cannot be explored. */
  | ({ what: 'back'; since: string; until: string; enough: boolean; explorable: boolean; fit: ChangePointFit | null } & AfterRest)
  /** Back through the exploration slots only, until its delivery since the rest shows no fatigue. */
  | ({ what: 'readmitted'; since: string; until: string; minImpressions: number; minDays: number } & AfterRest)
);

/** What a segment delivered since its rest ended. */
export interface AfterRest {
  impressionsAfterRest: number;
  daysAfterRest: number;
}

/** The `bayes` priors fitted by empirical Bayes for the countries, or for a segment type's pool. */
export type PriorsFittedEvent = { kind: 'priors.fitted'; priors: ValuePriors } & (
  | { pool: 'countries' }
  | { pool: 'adset' | 'campaign'; segmentType: RankedType }
);

/** How the `bayes` strategy valued and weighed the ad set's own segments (settings without the campaign pool). */
export interface AdSetSegmentScoreEvent {
  kind: 'segments.score.adset';
  segments: number;
  sizeExponent: number;
  choices: SizeWeighedChoice[];
  /** 'spend': valued per unit of spend (settings.segmentValue 'per_spend'); absent: per impression. */
  per?: 'spend';
}

/**
 * Whether the `bayes` strategy edits the interests (or behaviors) in force in the ad set
 * (src/engine/targeting-edits.ts): an edit restarts Meta's learning phase, so it must gain enough.
 */
export interface TargetingEditEvent {
  kind: 'segments.edit';
  segmentType: 'interest' | 'behavior';
  /** Members of the set in force, and of the set chosen now. */
  inForce: number;
  chosen: number;
  /** True: the chosen set replaces the one in force. */
  edited: boolean;
  /**
   * unchanged: the chosen set is the one in force; gain: it is worth at least minGain more;
   * gain_below: it is not, and the set in force is kept; member_unavailable: a member of the set in
   * force can no longer be chosen (tiring, resting, no rows); size_changed: the sets differ in size.
   */
  reason: 'unchanged' | 'gain' | 'gain_below' | 'member_unavailable' | 'size_changed';
  /** The gain an edit must bring: baseGain (settings.editMinGain), more for an ad set with few conversions a day (its learning lasts longer). */
  minGain: number;
  baseGain: number;
  /** The ad set's conversions a day in the recent window; null = unknown. */
  conversionsPerDay: number | null;
  /** Where the split is applied one ad set per country: how many, and the days learning lasts in them, weighted by budget (what minGain grew by). */
  countryAdSets?: SplitLearning;
  /** The sets' values (weight-averaged, relative to the best candidate) and the relative gain; null when the set in force is worth nothing. */
  chosenValue?: number;
  inForceValue?: number;
  gain?: number | null;
  /** The ids of the members that can no longer be chosen. */
  unavailable?: string[];
}

/** How the `bayes` strategy valued the campaign pool's candidates and weighed their sets. */
export interface CampaignSegmentScoreEvent {
  kind: 'segments.score.campaign';
  segments: number;
  sizeExponent: number;
  /** Which rows set the exponent (campaignSizeExponent); absent: settings with one exponent for every campaign. */
  exponentFor?: 'own_rows' | 'blended_rows';
  choices: KnownSizeChoice[];
  /** 'spend': valued per unit of spend (settings.segmentValue 'per_spend'); absent: per impression. */
  per?: 'spend';
}

export interface SegmentPoolEvent {
  kind: 'segments.pool';
  interestCandidates: number;
  ownInterests: number;
  behaviorCandidates: number;
  ownBehaviors: number;
  /**
   * The campaign's blends (ad set-days credited to several segments in equal shares) and the
   * segments in them, read as evidence of each set's mean (segment-blends.ts). Absent = none.
   */
  blends?: { blends: number; segments: number };
}

/** The share of a decision's evidence observed rather than taken from the priors (strategies/spec.ts). */
export interface EvidenceCoverage {
  share: number;
  /** Some click has known conversions: CVR is observed. */
  cvrObserved: boolean;
  /** Some spend has known revenue: ROAS is observed. */
  roasObserved: boolean;
}

/** The specification's expected rates: the ad set's smoothed totals, or the budget-weighted rates of its countries. */
export type SpecExpectedEvent = { kind: 'expected.spec'; coverage: EvidenceCoverage; confidence: number } & (
  | { byCountry: false; impressions: number }
  | { byCountry: true; ctr: number; cvr: number; roas: number }
);

/** The `bayes` strategy's expected rates: the specification's, ROAS moved to the recent level, confidence from the credible interval. */
export interface BayesExpectedEvent {
  kind: 'expected.bayes';
  spec: SpecExpectedEvent;
  roas: number;
  /** The ROAS of the window's rates, before the recent level moved it. */
  windowRatesRoas: number;
  level: { factor: number; windowRoas: number | null; recentRoas: number | null };
  recentDays: number;
  priorStrength: number;
  /** Revenue per impression, minor units. */
  interval: { mean: number; lower: number; upper: number; relativeHalfWidth: number; confidence: number };
  /** The countries' fitted priors, null where the ad set has fewer than two countries with rows. */
  countryPriors: ValuePriors | null;
  /**
   * What the interval was shrunk toward: the ad set's countries; the campaign's other ad sets (an
   * ad set with one unit); the ad set itself (one unit, no other ad set with delivery). Absent in
   * traces of engine versions before 11, which shrank toward the ad set's countries, or itself.
   */
  priorFrom?: ExpectedPriorSource;
  confidence: number;
}

export type ExpectedPriorSource = 'countries' | 'campaign' | 'adset';

/** Engine version 5's split found no country whose response curve could be fitted: the specification's split is used. */
export interface NoResponseCurveEvent {
  kind: 'geo.no_response_curve';
  countries: number;
}

/** A country's bounds in the `bayes` split, and the one its amount sits on. */
export interface SplitBounds {
  lowerMinor: number;
  upperMinor: number;
  lowerBy: BoundRule;
  upperBy: BoundRule;
  binding: BoundRule | null;
}

/** A country's amount in engine version 5's split by response curves on impressions (src/engine/geo-bayes.ts). */
export interface CurveResponseEvent {
  kind: 'geo.response.curve';
  countryCode: string;
  amountMinor: number;
  marginalReturn: number;
  bounds: SplitBounds;
  /** False: a prior curve (too little spend variation to fit one). */
  fitted: boolean;
  capacityImpressions: number;
  saturationMinor: number;
  fitRelativeError: number | null;
  valuePerImpression: number;
  expectedRevenueMinor: number;
  /** The 90 % interval of the expected revenue (minor units, unclipped). */
  revenueLowMinor: number;
  revenueHighMinor: number;
  /** The amount lies outside the spends the curve was fitted on. */
  outsideFittedSpends: boolean;
}

/** Whether some days show a fitted effect against a simpler model: the F statistic of the fit's gain over its remaining error, and the F distribution's 95 % point. */
export interface FTest {
  f: number;
  critical: number;
  shown: boolean;
}

/** Whether some days show a fitted value bend against a simpler one (src/engine/value-curves.ts), by F(1, dof). */
export type BendTest = FTest;

/** A country's amount in the `bayes` split by the candidate the held-out check chose (src/engine/geo-value.ts). */
export interface ValueResponseEvent {
  kind: 'geo.response.value';
  countryCode: string;
  amountMinor: number;
  model: GeoCandidate;
  marginalReturn: number;
  bounds: SplitBounds;
  /** The value curve (value response); null for constant ROAS, whose value per minor unit is given instead. */
  curve: {
    fitted: boolean;
    saturationMinor: number;
    bend: number;
    ownBend: number | null;
    sharedBend: number;
    fitRelativeError: number | null;
    /** Whether the days show the shared bend against none, and the country's own against the shared (settings.testedValueBend; absent before it, null when too few days to test). */
    sharedTest?: BendTest | null;
    ownTest?: BendTest | null;
    /** Whether the days show a swing in cost per impression common to every country, taken out of the impressions curves (src/engine/day-cost.ts; absent before engine version 17, null when too few countries or days to test). */
    dayCostTest?: FTest | null;
  } | null;
  valuePerMinor: number;
  expectedValue: number;
  /** The 90 % interval of the expected value (unclipped); null without a value curve. */
  interval: { low: number; high: number } | null;
  highestDailySpendMinor: number;
}

/** How far the split's model shrank each country's value per spend toward its target (src/engine/level-noise.ts). */
export interface LevelShrinkageEvent {
  kind: 'geo.levels';
  /** The targets are the campaign's relative values of the countries (an ad set of several); false: the pool's value. */
  towardCampaign: boolean;
  /** τ²: how far the countries' values per spend lie apart beyond their noise (Paule–Mandel). */
  betweenVariance: number;
  /** The spread of single order values the noise used: measured on `days` days, or assumed (days 0). Null when value is conversions. */
  orderValue: { cv2: number; days: number } | null;
  /** Per country: the share of its own difference from its target it keeps, and the value per minor unit of spend it ends with. */
  countries: { countryCode: string; kept: number; valuePerMinor: number }[];
}

/** The held-out check of the split's candidates. */
export type GeoCheckEvent = { kind: 'geo.check'; chosen: GeoCandidate; unit: 'revenue' | 'conversions'; pooledAdsets: number } & (
  /** `why`: the check's own account of why it could not be made. */
  | { possible: false; why: string }
  | {
    possible: true;
    /** The caller imposed the candidate. */
    imposed: boolean;
    trainDays: number;
    heldOutDays: number;
    firstHeldOut: string;
    actualMinor: number;
    /** Each candidate's held-out error, in GEO_CANDIDATES' order, with the standard error of its difference from the chosen one (null for the chosen). */
    errors: { candidate: GeoCandidate; error: number; seOfDifference: number | null }[];
    /** Errors this close count as equal. */
    errorTie: number;
  }
);

/** The trust region's ceilings. */
export interface TrustRegionEvent {
  kind: 'geo.trust';
  multiple: number;
  newCountryShare: number;
  totalMinor: number;
  /** What the ceilings could not hold, placed by the countries' spend in the window. */
  restMinor: number;
  ceilings: { countryCode: string; maxMinor: number }[];
}

/** The specification's split held under the trust ceilings: the countries it held. */
export interface TrustBoundEvent {
  kind: 'geo.trust_bound';
  /** The countries whose amount the limits moved from the specification's, and where they held them. */
  held: { countryCode: string; amountMinor: number }[];
  /** 'all': every limit of the split held it (settings.limitsOnEverySplit); absent: the trust ceilings only. */
  limits?: 'all';
}

/** Which of the split's limits were asked for and which held (src/engine/geo-constraints.ts). */
export interface SplitLayers {
  shares: boolean;
  trust: boolean;
  minBudget: boolean;
  /** null: no change limit. */
  changePct: number | null;
}

export interface SplitLimitsEvent {
  kind: 'geo.limits';
  spainFloorMinor: number;
  shareLimits: { countryCode: string; minPct: number; maxPct: number }[];
  /** A trust region was asked for (absent from engine version 5's split). */
  trustAsked: boolean;
  wanted: SplitLayers;
  used: SplitLayers;
  minBudgetMinor: number;
  maxChangePct: number;
  previousTotalMinor: number | null;
  /** Why there is no change limit when none is wanted: a first run, no country of the previous split offered now, or set to 100 %. */
  previous: 'none' | 'not_offered' | 'rescaled' | 'as_applied';
  /** The change limit holds against the history's own split (a first run, settings.firstRunChangeLimit); absent: the previous run's. */
  previousFrom?: 'history';
}

/** A country short of the minimum budget: dropped, or raised to it, and the split solved again. */
export interface MinBudgetEvent {
  kind: 'geo.min_budget';
  countryCode: string;
  amountMinor: number;
  minBudgetMinor: number;
  action: 'dropped' | 'raised';
}

/** A limit that gave way, for one country or for the run. */
export type RelaxedEvent = { kind: 'geo.relaxed' } & (
  | { what: 'share_max_under_floor'; countryCode: string; maxMinor: number; floorMinor: number }
  | { what: 'trust_under_lower'; countryCode: string; by: TrustCeiling['by']; ceilingMinor: number; lowerMinor: number; lowerBy: BoundRule }
  | { what: 'min_budget_box'; countryCode: string; lowerMinor: number; upperMinor: number; lowerBy: BoundRule; upperBy: BoundRule; minBudgetMinor: number }
  | { what: 'change_window'; countryCode: string; windowLowMinor: number; windowHighMinor: number; lowerMinor: number; upperMinor: number }
  | { what: 'change_limit'; totalMinor: number; wantedPct: number; usedPct: number | null; previousFrom?: 'history' }
  | { what: 'min_budget'; minBudgetMinor: number }
  | { what: 'trust'; totalMinor: number }
  | { what: 'shares'; totalMinor: number }
);

export type TypedTraceEvent =
  | SegmentExcludedEvent
  | SegmentRankedEvent
  | SegmentCutEvent
  | BackFromRestEvent
  | NoExplorationEvent
  | ExplorationEvent
  | SegmentExploredEvent
  | FatigueRestEvent
  | PriorsFittedEvent
  | AdSetSegmentScoreEvent
  | CampaignSegmentScoreEvent
  | TargetingEditEvent
  | SegmentPoolEvent
  | SpecExpectedEvent
  | BayesExpectedEvent
  | NoResponseCurveEvent
  | CurveResponseEvent
  | ValueResponseEvent
  | LevelShrinkageEvent
  | GeoCheckEvent
  | TrustRegionEvent
  | TrustBoundEvent
  | SplitLimitsEvent
  | MinBudgetEvent
  | RelaxedEvent
  | AdvantageAudienceEvent
  | SpecSplitEvent
  | BudgetExplorationEvent
  | SpainFloorEvent
  | PixelGenresEvent
  | NoCountryDataEvent
  | AudienceSourceEvent
  | ExistingAudienceEvent
  | AudienceOrderEvent
  | AgeEvent
  | GenderEvent
  | DemographicGroupEvent
  | DemographicTargetingEvent
  | BudgetShareEvent
  | ScoresEvent
  | FrequencyEvent
  | LookalikesNoneEvent
  | LookalikeProposedEvent
  | LookalikesLimitEvent
  | UnlimitedCategoryEvent
  | LeftOutEvent;

/** Meta's learning phase where a split is applied one ad set per country (src/engine/targeting-edits.ts, splitLearning). */
export interface SplitLearning {
  adSets: number;
  /** Days to LEARNING_CONVERSIONS in each ad set at its budget, at most the days beyond which the gain required grows no further, weighted by budget. */
  learningDays: number;
}
