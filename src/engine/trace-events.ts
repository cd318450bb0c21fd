// The reasoning's lines as typed events: what was decided and the figures that decided it, unrounded
// and unworded. src/presentation/ words and rounds them into the specification's trace.

/** How the campaign budget reached this ad set. */
export interface BudgetShareEvent {
  kind: 'budget';
  adsetBudgetMinor: number;
  campaignBudgetMinor: number;
  adsetSpendMinor: number;
  campaignSpendMinor: number;
  /** The ad set's share of the campaign budget, 0..1. */
  share: number;
  /** True: shared by spend in the window; false: split equally (no spend in the window). */
  bySpend: boolean;
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

export type TypedTraceEvent =
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
  | BudgetShareEvent
  | ScoresEvent
  | FrequencyEvent
  | LookalikesNoneEvent
  | LookalikeProposedEvent
  | LookalikesLimitEvent
  | UnlimitedCategoryEvent
  | LeftOutEvent;
