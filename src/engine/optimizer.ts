// The orchestrator: the specification's ten steps, for every ad set of one campaign. Steps 1–9
// happen here; step 10 (persist) belongs to the service that calls this pure function.
import { buildCustomAudiences, buildLookalikes, genreShares, selectBehaviors, selectInterests, type EvidenceOf } from './audience.ts';
import { scoreCountries, validateAllocation, type CountryScore } from './geo.ts';
import { pooledPrior, type RatePrior } from './value-model.ts';
import type { BudgetExploration } from './geo-exploration.ts';
import type { CountryLimits, PreviousSplit } from './geo-constraints.ts';
import { inclusiveDays } from './calendar.ts';
import { explorationPlan, exploreSegments, isRecovering, plannedSlots, type ExplorationPlan, type ExploredSegment } from './exploration.ts';
import { createRng, deriveSeed, type Rng } from './random.ts';
import { segmentKey, type SegmentKey } from './segment-key.ts';
import { audienceLimitingCategories, limitAudience } from './special-ad-categories.ts';
import { emptyMetrics, observedFrequency } from './metrics.ts';
import { minorDigits, splitExact } from './money.ts';
import { fatiguedCount, isFatiguedAt, scoreAt, scoresOf, type ScoreTable } from './scoring.ts';
import { bayesStrategy } from './strategies/bayes.ts';
import { specStrategy } from './strategies/spec.ts';
import type { CampaignStrategy, CandidateHistories, DecisionStrategy, ScoredAdSet } from './strategies/strategy.ts';
import type { AdSetSnapshot, CampaignSnapshot, ChosenSegment, CountryBudget, Decision, EarlierGeoSplit, EarlierRuns, EngineSettings, RestingSegment, SegmentHistory, SegmentScore, SegmentType, TraceEvent } from './types.ts';
import type { BudgetShareEvent, FrequencyEvent, RankedType, SegmentExploredEvent } from './trace-events.ts';


export interface OptimizeInput {
  snapshot: CampaignSnapshot;
  totalBudgetMinor: number;
  settings: EngineSettings;
  /**
   * Seed of the `bayes` strategy's exploration (a 32-bit integer), derived per run by the caller and
   * stored with it. Without one the engine does not explore and stays deterministic.
   */
  randomSeed?: number;
  /** What earlier runs of the campaign decided (change-per-run limit, resting segments); absent = first run. */
  earlierRuns?: EarlierRuns;
}

export interface AdSetDecision {
  decision: Decision;
  /** Segment scores of the ad set (row i: its segment i), for callers that store or display them (scoresOf). */
  segmentScores: ScoreTable;
  /**
   * `bayes` only (absent for `seed`, whose output stays as it was): fatigue rests this decision
   * begins (since = the snapshot's windowEnd) and rests in force that it ends, for the caller to
   * store (src/engine/fatigue-rest.ts).
   */
  rests?: { started: RestingSegment[]; ended: RestingSegment[] };
}

/** The strategy the settings name (`seed`, the former name of `spec`, decides as `spec`). */
function strategyFor(settings: EngineSettings): DecisionStrategy {
  return settings.strategy === 'bayes' ? bayesStrategy : specStrategy;
}

export class InvalidAllocationError extends Error {
  constructor(adsetId: string | null, reason: string) {
    super(`allocation for ad set ${adsetId ?? '(campaign)'} is invalid: ${reason}`);
    this.name = 'InvalidAllocationError';
  }
}

/** Share of an ad set's segment spend on fatigued segments above which the frequency cap is lowered. */
const FATIGUED_SPEND_SHARE_LIMIT = 0.25;

const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** 1200 → "1,200" without the locale (the trace must read the same on every machine). */

/** Each ad set's own daily budget, in the snapshot's order; null unless every ad set has one above 0. */
function ownBudgets(adsets: readonly AdSetSnapshot[], budgets: EngineSettings['adsetBudgetsMinor']): number[] | null {
  if (budgets === undefined) return null;
  const of = new Map(budgets.map((b) => [b.adsetId, b.amountMinor]));
  const out = adsets.map((a) => (a.adsetId === null ? undefined : of.get(a.adsetId)));
  return out.every((x) => x !== undefined && x > 0) ? (out as number[]) : null;
}

function adsetsOf(snapshot: CampaignSnapshot): AdSetSnapshot[] {
  return snapshot.adsets.length > 0
    ? snapshot.adsets
    : [{ adsetId: null, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() }];
}

/**
 * The campaign budget is shared between ad sets in proportion to the daily budget each holds
 * where they are known (LIVE), else to what each spent in the window: the advertiser's own
 * structure is kept, and the optimizer re-targets inside it.
 */
function shareOfEachAdSet(adsets: readonly AdSetSnapshot[], totalBudgetMinor: number, settings: EngineSettings) {
  const spend = adsets.map((a) => a.total.spendMinor);
  const own = ownBudgets(adsets, settings.adsetBudgetsMinor);
  const weights = own ?? (spend.some((s) => s > 0) ? spend.map((s) => Math.max(s, 0)) : adsets.map(() => 1));
  return { spend, own, weights, budgets: splitExact(totalBudgetMinor, weights) };
}

/**
 * The ad sets a campaign budget would leave with nothing although they delivered (or hold a
 * budget of their own), and a total that funds each of them with at least one minor unit. No ad
 * set when the budget reaches every ad set that has a share.
 */
export function adSetsLeftUnfunded(snapshot: CampaignSnapshot, totalBudgetMinor: number, settings: EngineSettings): { adsetIds: (string | null)[]; enoughMinor: number; sharedBy: 'budgets' | 'spend' } {
  const adsets = adsetsOf(snapshot);
  const { weights, budgets, own } = shareOfEachAdSet(adsets, totalBudgetMinor, settings);
  const unfunded = adsets.filter((_, i) => weights[i]! > 0 && budgets[i] === 0).map((a) => a.adsetId);
  const positive = weights.filter((w) => w > 0);
  const sum = positive.reduce((a, b) => a + b, 0);
  // At this total the smallest share's exact amount is at least one whole minor unit, which the split's floor keeps.
  return { adsetIds: unfunded, enoughMinor: positive.length === 0 ? 1 : Math.ceil(sum / Math.min(...positive)), sharedBy: own === null ? 'spend' : 'budgets' };
}

export function optimizeCampaign(input: OptimizeInput): AdSetDecision[] {
  const { snapshot, totalBudgetMinor, settings } = input;
  if (!Number.isSafeInteger(totalBudgetMinor) || totalBudgetMinor <= 0) {
    throw new RangeError(`total budget must be a positive whole number of minor units, got ${totalBudgetMinor}`);
  }
  const adsets = adsetsOf(snapshot);
  const { spend, own, weights, budgets } = shareOfEachAdSet(adsets, totalBudgetMinor, settings);
  const spendTotal = spend.reduce((a, b) => a + b, 0);
  const strategy = strategyFor(settings);

  // Step 1 for every ad set first: a strategy may pool the ad sets' segments and verdicts.
  // Rests end into exploration only where exploration draws among every segment, not only discoveries.
  const plan = explorationPlan(settings, snapshot);
  const exploring = settings.strategy === 'bayes' && input.randomSeed !== undefined && plan.share > 0 && !plan.discoveredOnly;
  const resting = input.earlierRuns?.resting ?? [];
  const scored = adsets.map((adset) => strategy.score(snapshot, adset, settings, resting, exploring));
  const targeting = input.earlierRuns?.targeting;
  const campaign = strategy.forCampaign({ snapshot, adsets, scored, settings, totalBudgetMinor, ...(targeting === undefined ? {} : { targeting }) });

  return adsets.map((adset, i) => {
    const budgetTrace: BudgetShareEvent = {
      kind: 'budget',
      adsetBudgetMinor: budgets[i]!,
      campaignBudgetMinor: totalBudgetMinor,
      adsetSpendMinor: adset.total.spendMinor,
      campaignSpendMinor: spendTotal,
      share: weights[i]! / weights.reduce((a, b) => a + b, 0),
      bySpend: own === null && spend.some((s) => s > 0),
      ...(own === null ? {} : { byBudgets: true }),
    };
    // One stream per ad set, keyed by its id: an ad set explores the same way whatever its position.
    const rng = input.randomSeed === undefined ? null : createRng(deriveSeed(input.randomSeed, 'adset', adset.adsetId ?? ''));
    // The budget's exploration draws from its own stream, so turning it on leaves the slots' draws as they were.
    const geoRng = input.randomSeed === undefined ? null : createRng(deriveSeed(input.randomSeed, 'geo', adset.adsetId ?? ''));
    const budgetShare = settings.budgetExplorationShare ?? 0;
    const budgetExploration = geoRng !== null && budgetShare > 0 ? { rng: geoRng, share: budgetShare } : null;
    const previousGeo = input.earlierRuns?.geo?.find((g) => g.adsetId === adset.adsetId) ?? null;
    return decideAdSet(snapshot, adset, budgets[i]!, settings, budgetTrace, rng, scored[i]!, campaign, previousGeo, budgetExploration, plan);
  });
}

function decideAdSet(
  snapshot: CampaignSnapshot,
  adset: AdSetSnapshot,
  budgetMinor: number,
  settings: EngineSettings,
  budgetTrace: BudgetShareEvent,
  rng: Rng | null,
  scored: ScoredAdSet,
  strategy: CampaignStrategy,
  previousGeo: EarlierGeoSplit | null,
  budgetExploration: BudgetExploration | null,
  plan: ExplorationPlan,
): AdSetDecision {
  const { currency } = snapshot;
  const minorPerMajor = 10 ** minorDigits(currency);
  const trace: TraceEvent[] = [budgetTrace];

  // 1. Segment scores (the strategy's score)
  const { scores, judged } = scored;
  trace.push({ kind: 'scores', segments: scores.rows.length, fatigued: fatiguedCount(scores), priors: settings.priors });
  if (judged !== null) trace.push(...judged.trace);

  // 2. Geo budget
  const countryScores = scoreCountries(adset.countries, settings.priors, minorPerMajor);
  const hasCountryData = adset.countries.some((c) => c.total.impressions > 0);
  const allocation = strategy.split({ adset, budgetMinor, countryScores, limits: countryLimits(settings, minorPerMajor, previousGeo ?? firstRunSplit(adset, settings)), exploration: budgetExploration });
  const check = validateAllocation(allocation.allocations, budgetMinor, settings.spainMinPct);
  if (!check.valid) throw new InvalidAllocationError(adset.adsetId, check.reason);
  trace.push(...allocation.trace);
  if (!hasCountryData) {
    trace.push({ kind: 'geo.no_country_data' });
  }
  const byCode = new Map<string, CountryScore>(countryScores.map((c) => [c.countryCode, c]));
  const scoreOf = (code: string): CountryScore =>
    byCode.get(code) ?? scoreCountries([{ countryCode: code, total: emptyMetrics() }], settings.priors, minorPerMajor)[0]!;
  const allocations = allocation.allocations.filter((a) => a.amountMinor > 0);
  const geo: CountryBudget[] = allocations.map((a) => {
    const s = scoreOf(a.countryCode);
    return { countryCode: a.countryCode, amountMinor: a.amountMinor, weight: a.weight, averageCpcMinor: s.cpcMinor, observedCtr: s.observedCtr, observedRoas: s.observedRoas };
  });
  const countries = geo.map((g) => g.countryCode);

  // 3–4. Interests and behaviors
  const pixelShares = genreShares(snapshot.pixelEvents);
  // The bayes set is chosen by measured value; a boost applied after it would swap its members.
  const boosting = !(settings.strategy === 'bayes' && settings.pixelGenreBoost === false);
  if (pixelShares.size > 0) {
    trace.push({ kind: 'pixel', topGenres: [...pixelShares].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([genre, share]) => ({ genre, share })), ...(boosting ? {} : { boosted: false as const }) });
  }
  const shares: ReadonlyMap<string, number> = boosting ? pixelShares : new Map();
  const ranking = strategy.choose(adset, scores, rng, allocations);
  trace.push(...ranking.trace);
  const { ranked, ratePriors, histories, evidenceOf } = ranking;
  const { interests, behaviors } = chooseSegments(snapshot, histories, ranked, ratePriors, evidenceOf, shares, settings, plan, rng, trace, judged?.recovering ?? new Set());

  // 5. Custom audiences and lookalikes
  const customs = buildCustomAudiences({
    campaignId: snapshot.campaignId,
    total: adset.total,
    pixelEvents: snapshot.pixelEvents,
    existing: existingAudiences(adset, scores),
  });
  const lookalikes = buildLookalikes(customs.selected[0] ?? null, countries, settings.maxLookalikes);
  trace.push(...customs.trace, ...lookalikes.trace);

  // 6. Demographics
  const demographics = strategy.demographics(adset, allocation);
  trace.push(...demographics.trace);

  // What the campaign's special ad categories forbid is left out, whatever the data said.
  const limited = limitAudience(snapshot.specialAdCategories, { ageMin: demographics.ageMin, ageMax: demographics.ageMax, gender: demographics.gender, behaviors: behaviors.selected, lookalikes: lookalikes.selected });
  trace.push(...limited.trace);
  const audience = limited.audience;
  if (settings.advantageAudience === true) trace.push(advantageAudienceEvent(audience, interests.selected.length, customs.selected.length));

  // 7. Frequency cap
  const frequency = frequencyCap(adset, scores, settings);
  trace.push(frequency.trace);

  // 8. Expected performance: the budget-weighted smoothed rates of the chosen countries. With no
  // country data the ad set's own smoothed totals are the best estimate.
  const expected = strategy.expect({ adset, allocations, scoreOf, hasCountryData });
  trace.push(expected.trace);

  const decision: Decision = {
    adsetId: adset.adsetId,
    campaignId: snapshot.campaignId,
    currency,
    budgetMinor,
    countries: geo,
    ageMin: audience.ageMin,
    ageMax: audience.ageMax,
    gender: audience.gender,
    interests: interests.selected,
    behaviors: audience.behaviors,
    customAudiences: customs.selected,
    lookalikes: audience.lookalikes,
    frequencyCap: { impressions: frequency.cap, windowDays: settings.frequencyWindowDays },
    audienceLimitedBy: audienceLimitingCategories(snapshot.specialAdCategories),
    expected: { ctr: expected.ctr, cvr: expected.cvr, roas: expected.roas, confidence: expected.confidence },
    // 9. The reasoning trace
    basis: { strategy: settings.strategy, spainMinPct: settings.spainMinPct, window: { start: snapshot.windowStart, end: snapshot.windowEnd }, priors: settings.priors },
    trace,
  };
  return { decision, segmentScores: scores, ...(judged === null ? {} : { rests: { started: judged.started, ended: judged.ended } }) };
}

/**
 * Interests and behaviors: the best estimates fill the slots, except that with the `bayes`
 * strategy, a seed and a positive exploration share, floor(share × max) slots (at least 1 when
 * max ≥ 2) go to Thompson draws among the rest (src/engine/exploration.ts). Segments back from a
 * rest compete only for those slots. The seed strategy never explores.
 */
function chooseSegments(
  snapshot: CampaignSnapshot,
  histories: CandidateHistories,
  ranked: ScoreTable,
  ratePriors: ReadonlyMap<SegmentType, RatePrior> | null,
  evidenceOf: EvidenceOf | undefined,
  shares: ReadonlyMap<string, number>,
  settings: EngineSettings,
  plan: ExplorationPlan,
  rng: Rng | null,
  trace: TraceEvent[],
  backFromRest: ReadonlySet<SegmentKey>,
): { interests: { selected: ChosenSegment[] }; behaviors: { selected: ChosenSegment[] } } {
  // Settings stored before exploration existed have no share: they replay without it.
  const share = plan.share;
  if (settings.strategy !== 'bayes' || ratePriors === null || rng === null || !(share > 0)) {
    const interests = selectInterests(ranked, shares, settings.maxInterests, evidenceOf);
    const behaviors = selectBehaviors(ranked, settings.maxBehaviors, evidenceOf);
    trace.push(...interests.trace, ...behaviors.trace);
    if (settings.strategy === 'bayes' && share > 0) trace.push({ kind: 'explore.none', share });
    return { interests, behaviors };
  }
  const windowDays = inclusiveDays(snapshot.windowStart, snapshot.windowEnd);
  const recovering = new Map<SegmentKey, SegmentHistory>();
  for (const h of histories.recovery) {
    const key = segmentKey(h);
    if ((h.segmentType === 'interest' || h.segmentType === 'behavior') && (backFromRest.has(key) || isRecovering(h, windowDays, settings.recentDays))) recovering.set(key, h);
  }
  // The draws read every candidate of the ranking, so here each is an object.
  const rankedScores = scoresOf(ranked);
  const exploitable = recovering.size === 0 ? ranked : rankedScores.filter((s) => !recovering.has(segmentKey(s)));
  for (const s of rankedScores) {
    const h = recovering.get(segmentKey(s));
    // A stored rest already said why it is back (the fatigue.rest entry).
    if (h === undefined || s.fatigue.isFatigued || backFromRest.has(segmentKey(s))) continue;
    trace.push({ kind: 'segments.back_from_rest', segmentType: s.segmentType === 'interest' ? 'interest' : 'behavior', segmentId: s.segmentId, segmentName: s.segmentName, recentDays: settings.recentDays, earlierImpressions: h.total.impressions - h.recent.impressions, recentImpressions: h.recent.impressions });
  }

  const interestSlots = plannedSlots(plan, 'interest', settings.maxInterests);
  const behaviorSlots = plannedSlots(plan, 'behavior', settings.maxBehaviors);
  const interests = selectInterests(exploitable, shares, Math.max(0, Math.floor(settings.maxInterests)) - interestSlots, evidenceOf);
  const behaviors = selectBehaviors(exploitable, Math.max(0, Math.floor(settings.maxBehaviors)) - behaviorSlots, evidenceOf);
  trace.push(...interests.trace, ...behaviors.trace);
  const keysOf = (type: string) => new Set([...recovering.keys()].filter((k) => k.startsWith(`${type}:`)).map((k) => k.slice(type.length + 1)));
  const priorOf = (type: SegmentType) => ratePriors.get(type) ?? pooledPrior(emptyMetrics());
  const discovered = snapshot.candidates ?? [];
  const perSpend = settings.segmentValue === 'per_spend';
  // Discovery alone draws among the discovered candidates only.
  const exploredInterests = exploreSegments(rng, plan.discoveredOnly ? [] : rankedScores, histories.draws, 'interest', priorOf('interest'), new Set(interests.selected.map((i) => i.segmentId)), interestSlots, keysOf('interest'), discovered, perSpend);
  const exploredBehaviors = exploreSegments(rng, rankedScores, histories.draws, 'behavior', priorOf('behavior'), new Set(behaviors.selected.map((b) => b.segmentId)), behaviorSlots, keysOf('behavior'), [], perSpend);
  trace.push({ kind: 'explore', share, interestSlots, behaviorSlots, exploredInterests: exploredInterests.length, exploredBehaviors: exploredBehaviors.length, maxInterests: settings.maxInterests, maxBehaviors: settings.maxBehaviors, discovered: discovered.length, ...(plan.discoveredOnly ? { discoveredOnly: true } : {}) });
  const explainDraw = (segmentType: RankedType, e: ExploredSegment, rank: number): SegmentExploredEvent => ({
    kind: 'segments.explored',
    segmentType,
    segmentId: e.score.segmentId,
    segmentName: e.score.segmentName,
    rank,
    draw: e.draw,
    meanValue: e.meanValue,
    ...(perSpend ? { per: 'spend' as const } : {}),
    drawRank: e.drawRank,
    draws: e.draws,
    impressions: e.impressions,
    recovering: e.recovering,
    discovered: e.discovered === null ? null : { reason: e.discovered.reason, size: e.discovered.size },
  });
  const interestList: ChosenSegment[] = [...interests.selected];
  for (const e of exploredInterests) {
    const rank = interestList.length + 1;
    interestList.push({ segmentId: e.score.segmentId, segmentName: e.score.segmentName, score: round(e.score.composite, 4), rank });
    trace.push(explainDraw('interest', e, rank));
  }
  const behaviorList: ChosenSegment[] = [...behaviors.selected];
  for (const e of exploredBehaviors) {
    const rank = behaviorList.length + 1;
    behaviorList.push({ segmentId: e.score.segmentId, segmentName: e.score.segmentName, score: round(e.score.composite, 4), rank });
    trace.push(explainDraw('behavior', e, rank));
  }
  return { interests: { selected: interestList }, behaviors: { selected: behaviorList } };
}

/**
 * What a first run's change limit holds against (settings.firstRunChangeLimit): the ad set's spend
 * by country over the window. Null when the setting is off or the window spent nothing by country.
 */
function firstRunSplit(adset: AdSetSnapshot, settings: EngineSettings): PreviousSplit | null {
  if (settings.firstRunChangeLimit !== true) return null;
  const allocations = adset.countries.filter((c) => c.total.spendMinor > 0).map((c) => ({ countryCode: c.countryCode, amountMinor: c.total.spendMinor }));
  if (allocations.length === 0) return null;
  return { totalBudgetMinor: allocations.reduce((s, a) => s + a.amountMinor, 0), allocations, from: 'history' };
}

/**
 * The `bayes` strategy's limits on the split besides Spain's floor, from the settings (absent ones,
 * in settings stored before they existed, read as none) and the ad set's previous split.
 */
function countryLimits(settings: EngineSettings, minorPerMajor: number, previousGeo: PreviousSplit | null): CountryLimits {
  return {
    shares: settings.countryShareLimits ?? {},
    minBudgetMinor: Math.round((settings.minCountryBudget ?? 0) * minorPerMajor),
    maxChangePct: settings.maxChangePct ?? 100,
    previous: previousGeo,
    ...(settings.limitsOnEverySplit === true ? { changeWindowInward: true } : {}),
    ...(settings.changeLimitAsApplied === true ? { asApplied: true } : {}),
  };
}

/**
 * The custom audiences and lookalikes seen in the history, with their clicks in the window: a lower
 * bound on an existing audience's size (at least that many people engaged).
 */
function existingAudiences(adset: AdSetSnapshot, scores: ScoreTable): (SegmentScore & { clicks: number })[] {
  const rows: number[] = [];
  for (let i = 0; i < scores.rows.length; i++) {
    const type = scores.rows[i]!.segmentType;
    if (type === 'custom_audience' || type === 'lookalike') rows.push(i);
  }
  if (rows.length === 0) return [];
  const clicksOf = new Map(adset.segments.map((s) => [segmentKey(s), s.total.clicks]));
  return rows.map((i) => {
    const s = scoreAt(scores, i);
    return { ...s, clicks: clicksOf.get(segmentKey(s)) ?? 0 };
  });
}

function frequencyCap(adset: AdSetSnapshot, scores: ScoreTable, settings: EngineSettings): { cap: number; trace: FrequencyEvent } {
  const recentFrequency = observedFrequency(adset.recent);
  let segmentSpend = 0;
  let fatiguedSpend = 0;
  const spendOf = new Map(adset.segments.map((s) => [segmentKey(s), s.total.spendMinor]));
  for (let i = 0; i < scores.rows.length; i++) {
    const spend = spendOf.get(segmentKey(scores.rows[i]!)) ?? 0;
    segmentSpend += spend;
    if (isFatiguedAt(scores, i)) fatiguedSpend += spend;
  }
  const fatiguedShare = segmentSpend > 0 ? fatiguedSpend / segmentSpend : 0;
  const tooFrequent = recentFrequency !== null && recentFrequency > settings.fatigueMaxFrequency;
  const lower = tooFrequent || fatiguedShare > FATIGUED_SPEND_SHARE_LIMIT;
  const cap = lower ? Math.max(1, settings.frequencyCap - 1) : settings.frequencyCap;
  return {
    cap,
    trace: { kind: 'frequency', cap, windowDays: settings.frequencyWindowDays, lowered: lower, recentDailyFrequency: recentFrequency, frequencyLimit: settings.fatigueMaxFrequency, fatiguedSpendShare: fatiguedShare, fatiguedSpendShareLimit: FATIGUED_SPEND_SHARE_LIMIT },
  };
}

/** What Meta reads as a suggestion rather than a limit when Advantage+ audience is on. */
function advantageAudienceEvent(audience: { ageMin: number; ageMax: number; gender: string; lookalikes: readonly unknown[] }, interests: number, customAudiences: number): TraceEvent {
  const suggestions = [
    ...(audience.ageMax < 65 ? ['age_max'] : []),
    ...(audience.gender !== 'all' ? ['genders'] : []),
    ...(interests > 0 ? ['interests'] : []),
    ...(customAudiences > 0 ? ['custom_audiences'] : []),
    ...(audience.lookalikes.length > 0 ? ['lookalikes'] : []),
  ];
  return { kind: 'advantage_audience', suggestions, ageMin: audience.ageMin, ageMinHard: audience.ageMin <= 25 };
}
