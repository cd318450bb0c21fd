// One seam per strategy: what the optimizer asks of a strategy, step by step of the specification's
// workflow. The optimizer (src/engine/optimizer.ts) composes; each strategy (spec.ts, bayes.ts)
// decides.
import type { DemographicChoice, EvidenceOf } from '../audience.ts';
import type { CountryCurve } from '../geo-value.ts';
import type { BudgetExploration } from '../geo-exploration.ts';
import type { CountryLimits } from '../geo-constraints.ts';
import type { CountryScore } from '../geo.ts';
import type { judgeFatigue } from '../fatigue-rest.ts';
import type { Rng } from '../random.ts';
import type { ScoreTable } from '../scoring.ts';
import type { RatePrior } from '../value-model.ts';
import type { AdSetSnapshot, CampaignSnapshot, EarlierTargeting, EngineSettings, RestingSegment, SegmentHistory, SegmentType, TraceEvent } from '../types.ts';

/** Step 1 of one ad set: its segments' scores (row i: adset.segments[i]), and (bayes) the fatigue fit's verdicts and rests. */
export interface ScoredAdSet {
  scores: ScoreTable;
  judged: ReturnType<typeof judgeFatigue> | null;
}

/** The run as a strategy sees it once every ad set is scored. */
export interface CampaignRun {
  snapshot: CampaignSnapshot;
  adsets: readonly AdSetSnapshot[];
  scored: readonly ScoredAdSet[];
  settings: EngineSettings;
  totalBudgetMinor: number;
  /** The interests and behaviors in force per ad set (EarlierRuns.targeting); absent = unknown. */
  targeting?: readonly EarlierTargeting[];
}

export interface CountrySplit {
  allocations: { countryCode: string; amountMinor: number; weight: number }[];
  trace: TraceEvent[];
  /** The curves the split was made on (bayes, where a response model decided); absent otherwise. */
  curves?: readonly CountryCurve[];
}

/**
 * The histories the slot filling reads: `recovery` to tell a segment back from a rest, `draws` for
 * the exploration's posterior draws.
 */
export interface CandidateHistories {
  recovery: readonly SegmentHistory[];
  draws: readonly SegmentHistory[];
}

/** Steps 3–4: the ranking interests and behaviors are chosen from, and what exploration draws from. */
export interface SegmentRanking {
  ranked: ScoreTable;
  /** What each type's rates are shrunk toward; null: the strategy does not explore. */
  ratePriors: ReadonlyMap<SegmentType, RatePrior> | null;
  histories: CandidateHistories;
  trace: TraceEvent[];
  /** What each ranked segment's score rests on, for its trace line; absent: the strategy states none (the specification's lines). */
  evidenceOf?: EvidenceOf;
}

/** Step 8: the expected rates of the decided split and how sure the engine is of them. */
export interface Expected {
  ctr: number;
  cvr: number;
  roas: number;
  confidence: number;
  trace: TraceEvent;
}

export interface AdSetSplitInput {
  adset: AdSetSnapshot;
  budgetMinor: number;
  countryScores: readonly CountryScore[];
  limits: CountryLimits;
  exploration: BudgetExploration | null;
}

export interface AdSetExpectInput {
  adset: AdSetSnapshot;
  allocations: readonly { countryCode: string; amountMinor: number }[];
  scoreOf: (code: string) => CountryScore;
  hasCountryData: boolean;
}

/** A country the ad set's split funds, and its daily budget. */
export interface FundedCountry {
  countryCode: string;
  amountMinor: number;
}

/** A strategy's decisions for the ad sets of one run. */
export interface CampaignStrategy {
  split(input: AdSetSplitInput): CountrySplit;
  /** Steps 3–4: ranks the candidates; the optimizer fills the slots from the ranking (and explores where the ranking allows). */
  choose(adset: AdSetSnapshot, scores: ScoreTable, rng: Rng | null, split: readonly FundedCountry[]): SegmentRanking;
  expect(input: AdSetExpectInput): Expected;
  /** Step 6: the ad set's ages and gender, knowing the split it was given. */
  demographics(adset: AdSetSnapshot, split: CountrySplit): DemographicChoice;
}

export interface DecisionStrategy {
  score(snapshot: CampaignSnapshot, adset: AdSetSnapshot, settings: EngineSettings, resting: readonly RestingSegment[], exploring: boolean): ScoredAdSet;
  /** What the strategy works out once per run (campaign-wide pools, checks), then decides per ad set with. */
  forCampaign(run: CampaignRun): CampaignStrategy;
}
