// The orchestrator: the specification's ten steps, for every ad set of one campaign. Steps 1–9
// happen here; step 10 (persist) belongs to the service that calls this pure function.
import { buildCustomAudiences, buildLookalikes, chooseDemographics, genreShares, selectBehaviors, selectInterests } from './audience.ts';
import { allocateBudget, countryName, scoreCountries, validateAllocation, type CountryScore } from './geo.ts';
import { valueInterval } from './credible-interval.ts';
import { describePriors } from './empirical-bayes.ts';
import { allocateByResponse, USE_FITTED_PRIORS } from './geo-bayes.ts';
import { fitStrengths, fittedPrior, pooledPrior, type RatePrior } from './value-model.ts';
import type { BudgetExploration } from './geo-exploration.ts';
import { checkCampaign, decideGeoSplit, type CampaignCheck } from './geo-value.ts';
import type { CountryLimits } from './geo-constraints.ts';
import { inclusiveDays } from './calendar.ts';
import { exploreSegments, explorationSlots, isRecovering, type ExploredSegment } from './exploration.ts';
import { judgeFatigue } from './fatigue-rest.ts';
import { createRng, deriveSeed, type Rng } from './random.ts';
import { fitSegmentPriors, ratePriorsByType, rescoreByValue, sizeExponentOf, weighByKnownSize, weighBySize } from './segment-value.ts';
import { adsetCandidates, knownSize, poolCampaignSegments, scoreCampaignSegments, segmentKey, type CampaignSegments } from './segment-pool.ts';
import { recentRoasLevel } from './roas-level.ts';
import { addMetrics, emptyMetrics, observedFrequency } from './metrics.ts';
import { minorDigits, splitExact, toMajor } from './money.ts';
import { confidenceFromImpressions, scoreSegments, smoothedRates } from './scoring.ts';
import type { AdSetSnapshot, CampaignSnapshot, EarlierGeoSplit, EarlierRuns, EngineSettings, GeoAllocation, Metrics, RankedBehavior, RankedInterest, RecommendationDraft, RestingSegment, SegmentHistory, SegmentScore, SegmentType, TraceEntry } from './types.ts';


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
  draft: RecommendationDraft;
  budgetMinor: number;
  /** Segment scores of the ad set, for callers that store or display them. */
  segmentScores: SegmentScore[];
  /**
   * `bayes` only (absent for `seed`, whose output stays as it was): fatigue rests this decision
   * begins (since = the snapshot's windowEnd) and rests in force that it ends, for the caller to
   * store (src/engine/fatigue-rest.ts).
   */
  rests?: { started: RestingSegment[]; ended: RestingSegment[] };
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
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function optimizeCampaign(input: OptimizeInput): AdSetDecision[] {
  const { snapshot, totalBudgetMinor, settings } = input;
  if (!Number.isSafeInteger(totalBudgetMinor) || totalBudgetMinor <= 0) {
    throw new RangeError(`total budget must be a positive whole number of minor units, got ${totalBudgetMinor}`);
  }
  const adsets: AdSetSnapshot[] = snapshot.adsets.length > 0
    ? snapshot.adsets
    : [{ adsetId: null, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() }];

  // The campaign budget is shared between ad sets in proportion to what each spent in the
  // window: the advertiser's own structure is kept, and the optimizer re-targets inside it.
  const spend = adsets.map((a) => a.total.spendMinor);
  const weights = spend.some((s) => s > 0) ? spend.map((s) => Math.max(s, 0)) : adsets.map(() => 1);
  const budgets = splitExact(totalBudgetMinor, weights);
  const spendTotal = spend.reduce((a, b) => a + b, 0);
  // bayes: the geo split's candidate is checked once, on the campaign's countries (src/engine/geo-value.ts).
  const geoCheck = settings.strategy === 'bayes' && settings.trustMultiple !== undefined ? checkCampaign(adsets, settings, 10 ** minorDigits(snapshot.currency), totalBudgetMinor) : undefined;

  // Step 1 for every ad set first: with the campaign segment pool, an ad set's candidates carry
  // the fatigue verdicts of the other ad sets that ran them.
  const exploring = settings.strategy === 'bayes' && input.randomSeed !== undefined && (settings.explorationShare ?? 0) > 0;
  const resting = input.earlierRuns?.resting ?? [];
  const scored = adsets.map((adset) => scoreAdSet(snapshot, adset, settings, resting, exploring));
  const campaignSegments = settings.strategy === 'bayes' && settings.segmentPool === 'campaign' ? poolCampaignSegments(adsets, scored.map((x) => x.scores)) : null;
  const pool = campaignSegments === null ? null : { segments: campaignSegments, scoreOf: scoreCampaignSegments(campaignSegments, (hs) => scoreSegments(hs, settings, 10 ** minorDigits(snapshot.currency))) };

  return adsets.map((adset, i) => {
    const budgetTrace: TraceEntry = {
      step: 'budget',
      decision: `ad set gets ${budgets[i]} of ${totalBudgetMinor} minor units`,
      numbers: {
        adset_spend_minor: adset.total.spendMinor,
        campaign_spend_minor: spendTotal,
        share: round(weights[i]! / weights.reduce((a, b) => a + b, 0), 4),
        rule: spend.some((s) => s > 0) ? 'share of spend in the window' : 'equal split: no spend in the window',
      },
    };
    // One stream per ad set, keyed by its id: an ad set explores the same way whatever its position.
    const rng = input.randomSeed === undefined ? null : createRng(deriveSeed(input.randomSeed, 'adset', adset.adsetId ?? ''));
    // The budget's exploration draws from its own stream, so turning it on leaves the slots' draws as they were.
    const geoRng = input.randomSeed === undefined ? null : createRng(deriveSeed(input.randomSeed, 'geo', adset.adsetId ?? ''));
    const budgetShare = settings.budgetExplorationShare ?? 0;
    const budgetExploration = geoRng !== null && budgetShare > 0 ? { rng: geoRng, share: budgetShare } : null;
    const previousGeo = input.earlierRuns?.geo?.find((g) => g.adsetId === adset.adsetId) ?? null;
    return decideAdSet(snapshot, adset, budgets[i]!, settings, budgetTrace, rng, scored[i]!, pool, previousGeo, budgetExploration, geoCheck);
  });
}

interface ScoredAdSet {
  scores: SegmentScore[];
  judged: ReturnType<typeof judgeFatigue> | null;
}

function scoreAdSet(snapshot: CampaignSnapshot, adset: AdSetSnapshot, settings: EngineSettings, resting: readonly RestingSegment[], exploring: boolean): ScoredAdSet {
  const seedScores = scoreSegments(adset.segments, settings, 10 ** minorDigits(snapshot.currency));
  // bayes: fatigue from the change-point fit, and rests that outlast the window.
  const judged = settings.strategy === 'bayes' ? judgeFatigue(adset, seedScores, settings, snapshot.windowEnd, resting, exploring) : null;
  return { scores: judged === null ? seedScores : judged.scores, judged };
}

function decideAdSet(
  snapshot: CampaignSnapshot,
  adset: AdSetSnapshot,
  budgetMinor: number,
  settings: EngineSettings,
  budgetTrace: TraceEntry,
  rng: Rng | null,
  scored: ScoredAdSet,
  pool: CampaignPool | null,
  previousGeo: EarlierGeoSplit | null,
  budgetExploration: BudgetExploration | null,
  geoCheck: CampaignCheck | undefined,
): AdSetDecision {
  const { currency } = snapshot;
  const minorPerMajor = 10 ** minorDigits(currency);
  const trace: TraceEntry[] = [budgetTrace];

  // 1. Segment scores (scoreAdSet)
  const { scores, judged } = scored;
  const fatigued = scores.filter((s) => s.fatigue.isFatigued);
  trace.push({
    step: 'scores',
    decision: `scored ${scores.length} segments, ${fatigued.length} fatigued`,
    numbers: { prior_ctr: settings.priors.ctr, prior_cvr: settings.priors.cvr, prior_roas: settings.priors.roas, prior_strength: settings.priors.strength },
  });
  if (judged !== null) trace.push(...judged.trace);

  // 2. Geo budget
  const countryScores = scoreCountries(adset.countries, settings.priors, minorPerMajor);
  const hasCountryData = adset.countries.some((c) => c.total.impressions > 0);
  const allocation = splitBudget(adset, currency, countryScores, budgetMinor, settings, countryLimits(settings, minorPerMajor, previousGeo), budgetExploration, geoCheck);
  const check = validateAllocation(allocation.allocations, budgetMinor, settings.spainMinPct);
  if (!check.valid) throw new InvalidAllocationError(adset.adsetId, check.reason);
  trace.push(...allocation.trace);
  if (!hasCountryData) {
    trace.push({ step: 'geo', decision: 'no country breakdown in the history: Spain only, scored from the priors', numbers: { countries_with_data: 0 } });
  }
  const byCode = new Map<string, CountryScore>(countryScores.map((c) => [c.countryCode, c]));
  const scoreOf = (code: string): CountryScore =>
    byCode.get(code) ?? scoreCountries([{ countryCode: code, total: emptyMetrics() }], settings.priors, minorPerMajor)[0]!;
  const allocations = allocation.allocations.filter((a) => a.amountMinor > 0);
  const geo: GeoAllocation[] = allocations.map((a) => {
    const s = scoreOf(a.countryCode);
    return {
      country_code: a.countryCode,
      country_name: countryName(a.countryCode),
      budget_pct: round((a.amountMinor / budgetMinor) * 100, 2),
      budget_amount: toMajor(a.amountMinor, currency),
      avg_cpc: s.cpcMajor === null ? null : round(s.cpcMajor, 4),
      avg_ctr: s.observedCtr === null ? null : round(s.observedCtr, 5),
      avg_roas: s.observedRoas === null ? null : round(s.observedRoas, 3),
      engagement_score: round(a.weight, 4),
    };
  });
  const countries = geo.map((g) => g.country_code);

  // 3–4. Interests and behaviors
  const shares = genreBoostOf(settings, genreShares(snapshot.pixelEvents), trace);
  if (shares.size > 0) {
    trace.push({
      step: 'pixel',
      decision: 'pixel events bias interest choice toward these genres',
      numbers: topGenreShares(shares),
    });
  }
  let ranked: SegmentScore[] = scores;
  let ratePriors: ReadonlyMap<SegmentType, RatePrior> | null = null;
  let histories: CandidateHistories = { recovery: adset.segments, draws: adset.segments };
  if (settings.strategy === 'bayes' && pool !== null) {
    const chosen = chooseFromCampaign(adset, scores, pool, settings, rng, trace);
    ranked = chosen.ranked;
    ratePriors = pool.segments.ratePriors;
    histories = chosen.histories;
  } else if (settings.strategy === 'bayes') {
    const segmentPriors = fitSegmentPriors(adset.segments);
    for (const type of ['interest', 'behavior'] as const) {
      const p = segmentPriors.get(type);
      if (!p) continue;
      trace.push({
        step: 'priors.fitted',
        decision: USE_FITTED_PRIORS.segments
          ? `${type}s' rates shrunk toward the ad set's ${type} pool with prior strengths fitted across its ${p.ctr.units} ${type}s by empirical Bayes (fixed strengths where the fit fell back)`
          : `${type}s' rates shrunk with the fixed prior strengths (fitted ones shown for comparison)`,
        numbers: { pool: type, use_fitted: USE_FITTED_PRIORS.segments, ...describePriors('', p) },
      });
    }
    ratePriors = ratePriorsByType(adset.segments, USE_FITTED_PRIORS.segments ? segmentPriors : null);
    const byValue = rescoreByValue(scores, adset.segments, ratePriors);
    // The slots the ranking fills: exploration (chooseSegments) takes the rest.
    const share = rng === null ? 0 : (settings.explorationShare ?? 0);
    const slots = new Map([['interest', settings.maxInterests - explorationSlots(share, settings.maxInterests)], ['behavior', settings.maxBehaviors - explorationSlots(share, settings.maxBehaviors)]] as const);
    const sizeExponent = sizeExponentOf(settings);
    const weighed = weighBySize(byValue, adset.segments, slots, inclusiveDays(snapshot.windowStart, snapshot.windowEnd), sizeExponent);
    ranked = weighed.scores;
    trace.push({
      step: 'segments.score',
      decision: `interests and behaviors valued by expected revenue per impression, shrunk toward their type's fitted prior, relative to the best; then chosen as the set whose delivery earns the most: each weighs by its impressions per day of delivery to the power ${sizeExponent}, and the score is that weight × (value − the best set's weighted value), rescaled 0..1 (src/engine/segment-value.ts)`,
      numbers: { segments: scores.length, size_exponent: sizeExponent, ...Object.fromEntries(weighed.choices.flatMap((c) => [[`${c.type}_slots`, c.slots], [`${c.type}_set_value`, round(c.setValue, 4)], [`${c.type}_candidates`, c.candidates]])) },
    });
  }
  const { interests, behaviors } = chooseSegments(snapshot, histories, ranked, ratePriors, shares, settings, rng, trace, judged?.recovering ?? new Set());

  // 5. Custom audiences and lookalikes
  const clicksOf = new Map(adset.segments.map((s) => [`${s.segmentType}:${s.segmentId}`, s.total.clicks]));
  const customs = buildCustomAudiences({
    campaignId: snapshot.campaignId,
    total: adset.total,
    pixelEvents: snapshot.pixelEvents,
    // Clicks are a lower bound on an existing audience's size: at least that many people engaged.
    existing: scores
      .filter((s) => s.segmentType === 'custom_audience' || s.segmentType === 'lookalike')
      .map((s) => ({ ...s, clicks: clicksOf.get(`${s.segmentType}:${s.segmentId}`) ?? 0 })),
  });
  const lookalikes = buildLookalikes(customs.selected[0] ?? null, countries, settings.maxLookalikes);
  trace.push(...customs.trace, ...lookalikes.trace);

  // 6. Demographics
  const demographics = chooseDemographics(adset.demographics, settings, minorPerMajor);
  trace.push(...demographics.trace);

  // 7. Frequency cap
  const frequency = frequencyCap(adset, scores, settings);
  trace.push(frequency.trace);

  // 8. Expected performance: the budget-weighted smoothed rates of the chosen countries. With no
  // country data the ad set's own smoothed totals are the best estimate.
  const expected = expectedPerformance(adset, allocations, scoreOf, hasCountryData, settings, minorPerMajor);
  trace.push(expected.trace);

  const spain = allocations.find((a) => a.countryCode === 'ES');
  const draft: RecommendationDraft = {
    adset_id: adset.adsetId,
    campaign_id: snapshot.campaignId,
    countries,
    geo_allocations: geo,
    age_min: demographics.ageMin,
    age_max: demographics.ageMax,
    gender: demographics.gender,
    interests: interests.selected,
    behaviors: behaviors.selected,
    custom_audiences: customs.selected,
    lookalikes: lookalikes.selected,
    frequency_cap: frequency.cap,
    frequency_window_days: settings.frequencyWindowDays,
    total_budget: toMajor(budgetMinor, currency),
    budget_per_segment: Object.fromEntries(allocations.map((a) => [a.countryCode, toMajor(a.amountMinor, currency)])),
    // 9. The reasoning trace
    reasoning: {
      method: 'bayesian_optimization',
      strategy: settings.strategy,
      geo_constraint: `ES_min_${settings.spainMinPct}pct`,
      top_interests_count: interests.selected.length,
      top_behaviors_count: behaviors.selected.length,
      lookalikes_generated: lookalikes.selected.length,
      total_budget: toMajor(budgetMinor, currency),
      spain_allocation_pct: spain ? round((spain.amountMinor / budgetMinor) * 100, 2) : 0,
      currency,
      window: { start: snapshot.windowStart, end: snapshot.windowEnd },
      priors: settings.priors,
      trace,
    },
    expected_ctr: round(expected.ctr, 5),
    expected_cvr: round(expected.cvr, 5),
    expected_roas: round(expected.roas, 3),
    confidence: round(expected.confidence, 3),
  };
  return { draft, budgetMinor, segmentScores: scores, ...(judged === null ? {} : { rests: { started: judged.started, ended: judged.ended } }) };
}

/**
 * The histories chooseSegments reads: `recovery` to tell a segment back from a rest, `draws` for
 * the exploration's posterior draws. The ad set's own segments, or with the campaign pool the
 * candidates' (own history where the ad set ran the segment, else the campaign-wide one; draws from
 * the campaign-wide rows).
 */
/** The campaign's segments and the seed's scores of their campaign-wide rows, computed once per run. */
interface CampaignPool {
  segments: CampaignSegments;
  scoreOf: (key: string) => SegmentScore;
}

interface CandidateHistories {
  recovery: readonly SegmentHistory[];
  draws: readonly SegmentHistory[];
}

/**
 * The `bayes` choice among every segment of the campaign (src/engine/segment-pool.ts): values for
 * this ad set, then the set weighed by audience size where every candidate's size is known, else
 * ranked by value.
 */
function chooseFromCampaign(
  adset: AdSetSnapshot,
  scores: readonly SegmentScore[],
  pool: CampaignPool,
  settings: EngineSettings,
  rng: Rng | null,
  trace: TraceEntry[],
): { ranked: SegmentScore[]; histories: CandidateHistories } {
  const candidates = adsetCandidates(adset.segments, scores, pool.segments, pool.scoreOf);
  for (const type of ['interest', 'behavior'] as const) {
    const p = pool.segments.priors.get(type);
    if (!p) continue;
    trace.push({
      step: 'priors.fitted',
      decision: `${type}s' rates shrunk toward the campaign's ${type} pool with prior strengths fitted across its ${p.ctr.units} ${type}s by empirical Bayes (fixed strengths where the fit fell back)`,
      numbers: { pool: `campaign ${type}s`, use_fitted: true, ...describePriors('', p) },
    });
  }
  const share = rng === null ? 0 : (settings.explorationShare ?? 0);
  const slots = new Map([['interest', settings.maxInterests - explorationSlots(share, settings.maxInterests)], ['behavior', settings.maxBehaviors - explorationSlots(share, settings.maxBehaviors)]] as const);
  const sizeExponent = sizeExponentOf(settings);
  const byKey = new Map(candidates.map((c) => [segmentKey(c.score), c]));
  const weighed = weighByKnownSize(candidates.map((c) => c.score), slots, sizeExponent, (s) => knownSize(byKey.get(segmentKey(s))?.campaign));
  const own = (type: string) => candidates.filter((c) => c.score.segmentType === type && c.ownHistory !== null).length;
  const all = (type: string) => candidates.filter((c) => c.score.segmentType === type).length;
  trace.push({
    step: 'segments.pool',
    decision: `candidates: every interest and behavior the campaign has rows of (${all('interest')} interests, ${own('interest')} of them the ad set's own; ${all('behavior')} behaviors, ${own('behavior')} own); the ad set's own figures are shrunk toward the segment's figures in the campaign's other ad sets, those toward the type's pool`,
    numbers: { interest_candidates: all('interest'), own_interests: own('interest'), behavior_candidates: all('behavior'), own_behaviors: own('behavior') },
  });
  const how = weighed.choices.filter((c) => c.candidates > 0).map((c) => c.weighed
    ? `${c.type}s: the set whose audience earns the most, each weighing by its known audience size to the power ${sizeExponent}`
    : `${c.type}s: by value (audience size known for ${c.sized} of ${c.candidates}; delivery is not read as size)`);
  trace.push({
    step: 'segments.score',
    decision: `interests and behaviors valued by expected revenue per impression for this ad set, relative to the best; chosen ${how.length > 0 ? how.join('; ') : 'none: no candidates'} (src/engine/segment-value.ts)`,
    numbers: { segments: candidates.length, size_exponent: sizeExponent, ...Object.fromEntries(weighed.choices.flatMap((c) => [[`${c.type}_slots`, c.slots], [`${c.type}_candidates`, c.candidates], [`${c.type}_sized`, c.sized], [`${c.type}_by_size`, c.weighed], ...(c.weighed ? [[`${c.type}_set_value`, round(c.setValue, 4)]] : [])])) },
  });
  return {
    ranked: weighed.scores,
    histories: { recovery: candidates.map((c) => c.ownHistory ?? c.campaign), draws: candidates.map((c) => c.campaign) },
  };
}

/** The five largest genre shares of the pixel's events, for the trace. */
function topGenreShares(shares: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...shares].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([g, s]) => [g, round(s, 3)]));
}

/**
 * The genre shares that boost the interests' ranking. The `bayes` strategy with pixelGenreBoost
 * false uses none: its set is chosen by measured value, and a boost applied afterwards swaps members
 * of that set for interests it left out.
 */
function genreBoostOf(settings: EngineSettings, shares: ReadonlyMap<string, number>, trace: TraceEntry[]): ReadonlyMap<string, number> {
  if (settings.strategy !== 'bayes' || settings.pixelGenreBoost !== false || shares.size === 0) return shares;
  trace.push({
    step: 'pixel',
    decision: 'pixel genres do not reorder the interests: they are chosen by their measured revenue per impression',
    numbers: { pixel_genre_boost: false, ...topGenreShares(shares) },
  });
  return new Map();
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
  ranked: readonly SegmentScore[],
  ratePriors: ReadonlyMap<SegmentType, RatePrior> | null,
  shares: ReadonlyMap<string, number>,
  settings: EngineSettings,
  rng: Rng | null,
  trace: TraceEntry[],
  backFromRest: ReadonlySet<string>,
): { interests: { selected: RankedInterest[] }; behaviors: { selected: RankedBehavior[] } } {
  // Settings stored before exploration existed have no share: they replay without it.
  const share = settings.explorationShare ?? 0;
  if (settings.strategy !== 'bayes' || ratePriors === null || rng === null || !(share > 0)) {
    const interests = selectInterests(ranked, shares, settings.maxInterests);
    const behaviors = selectBehaviors(ranked, settings.maxBehaviors);
    trace.push(...interests.trace, ...behaviors.trace);
    if (settings.strategy === 'bayes' && share > 0) trace.push({ step: 'explore', decision: 'no exploration: no random seed was given for this decision', numbers: { exploration_share: share } });
    return { interests, behaviors };
  }
  const windowDays = inclusiveDays(snapshot.windowStart, snapshot.windowEnd);
  const recovering = new Map<string, SegmentHistory>();
  for (const h of histories.recovery) {
    const key = `${h.segmentType}:${h.segmentId}`;
    if ((h.segmentType === 'interest' || h.segmentType === 'behavior') && (backFromRest.has(key) || isRecovering(h, windowDays, settings.recentDays))) recovering.set(key, h);
  }
  const exploitable = recovering.size === 0 ? ranked : ranked.filter((s) => !recovering.has(`${s.segmentType}:${s.segmentId}`));
  for (const s of ranked) {
    const h = recovering.get(`${s.segmentType}:${s.segmentId}`);
    // A stored rest already said why it is back (the fatigue.rest entry).
    if (h === undefined || s.fatigue.isFatigued || backFromRest.has(`${s.segmentType}:${s.segmentId}`)) continue;
    trace.push({
      step: s.segmentType === 'interest' ? 'interests' : 'behaviors',
      decision: `"${s.segmentName}" is back from a rest (delivered before its last ${settings.recentDays} days, hardly within them): only an exploration slot can re-admit it`,
      numbers: { segment_id: s.segmentId, earlier_impressions: h.total.impressions - h.recent.impressions, recent_impressions: h.recent.impressions },
    });
  }

  const interestSlots = explorationSlots(share, settings.maxInterests);
  const behaviorSlots = explorationSlots(share, settings.maxBehaviors);
  const interests = selectInterests(exploitable, shares, Math.max(0, Math.floor(settings.maxInterests)) - interestSlots);
  const behaviors = selectBehaviors(exploitable, Math.max(0, Math.floor(settings.maxBehaviors)) - behaviorSlots);
  trace.push(...interests.trace, ...behaviors.trace);
  const keysOf = (type: string) => new Set([...recovering.keys()].filter((k) => k.startsWith(`${type}:`)).map((k) => k.slice(type.length + 1)));
  const priorOf = (type: SegmentType) => ratePriors.get(type) ?? pooledPrior(emptyMetrics());
  const discovered = snapshot.candidates ?? [];
  const exploredInterests = exploreSegments(rng, ranked, histories.draws, 'interest', priorOf('interest'), new Set(interests.selected.map((i) => i.interest_id)), interestSlots, keysOf('interest'), discovered);
  const exploredBehaviors = exploreSegments(rng, ranked, histories.draws, 'behavior', priorOf('behavior'), new Set(behaviors.selected.map((b) => b.behavior_id)), behaviorSlots, keysOf('behavior'));
  trace.push({
    step: 'explore',
    decision: `exploration: ${exploredInterests.length} of ${settings.maxInterests} interest and ${exploredBehaviors.length} of ${settings.maxBehaviors} behavior slots by Thompson sampling among the segments not chosen${discovered.length > 0 ? ` and ${discovered.length} discovered interests without delivery (these only ever through exploration)` : ''} (share ${share})`,
    numbers: { exploration_share: share, interest_slots: interestSlots, behavior_slots: behaviorSlots, ...(discovered.length > 0 ? { discovered_candidates: discovered.length } : {}) },
  });
  const explainDraw = (step: string, e: ExploredSegment, rank: number): TraceEntry => ({
    step,
    decision: `explored "${e.score.segmentName}": posterior draw ${e.draw.toPrecision(3)} per impression, rank ${e.drawRank} among ${e.draws} draws; sample ${thousands(e.impressions)} impressions${e.recovering ? '; back from a rest' : ''}${e.discovered ? `; a discovered candidate (${e.discovered.reason}; Meta audience ${thousands(e.discovered.size.lower)}–${thousands(e.discovered.size.upper)}), drawn from the ${e.score.segmentType} prior: no delivery of its own yet` : ''}`,
    numbers: { segment_id: e.score.segmentId, rank, draw_minor_per_impression: Number(e.draw.toPrecision(6)), mean_minor_per_impression: Number(e.meanValue.toPrecision(6)), draw_rank: e.drawRank, draws: e.draws, impressions: e.impressions, recovering: e.recovering, ...(e.discovered ? { discovered: true, size_lower: e.discovered.size.lower, size_upper: e.discovered.size.upper } : {}) },
  });
  const interestList: RankedInterest[] = [...interests.selected];
  for (const e of exploredInterests) {
    const rank = interestList.length + 1;
    interestList.push({ interest_id: e.score.segmentId, interest_name: e.score.segmentName, score: round(e.score.composite, 4), rank });
    trace.push(explainDraw('interests.explore', e, rank));
  }
  const behaviorList: RankedBehavior[] = [...behaviors.selected];
  for (const e of exploredBehaviors) {
    const rank = behaviorList.length + 1;
    behaviorList.push({ behavior_id: e.score.segmentId, behavior_name: e.score.segmentName, score: round(e.score.composite, 4), rank });
    trace.push(explainDraw('behaviors.explore', e, rank));
  }
  return { interests: { selected: interestList }, behaviors: { selected: behaviorList } };
}

/**
 * The `bayes` strategy's limits on the split besides Spain's floor, from the settings (absent ones,
 * in settings stored before they existed, read as none) and the ad set's previous split.
 */
function countryLimits(settings: EngineSettings, minorPerMajor: number, previousGeo: EarlierGeoSplit | null): CountryLimits {
  return {
    shares: settings.countryShareLimits ?? {},
    minBudgetMinor: Math.round((settings.minCountryBudget ?? 0) * minorPerMajor),
    maxChangePct: settings.maxChangePct ?? 100,
    previous: previousGeo,
  };
}

/**
 * The `bayes` strategy's split (docs/geo-split.md): the candidate that best predicts the window's
 * later days from its earlier ones (value response, constant ROAS, the specification's split)
 * decides, inside the trust region (src/engine/geo-value.ts). Settings without a trust multiple
 * (stored by engine version 5 or earlier) split by response curves on impressions as that version
 * did, falling back to the seed split when no country's curve can be fitted.
 */
function splitBudget(adset: AdSetSnapshot, currency: string, countryScores: readonly CountryScore[], budgetMinor: number, settings: EngineSettings, limits: CountryLimits, exploration: BudgetExploration | null, geoCheck: CampaignCheck | undefined): { allocations: { countryCode: string; amountMinor: number; weight: number }[]; trace: TraceEntry[] } {
  const seed = () => allocateBudget(budgetMinor, countryScores, settings.spainMinPct);
  if (settings.strategy !== 'bayes') return seed();
  const weightOf = new Map(countryScores.map((c) => [c.countryCode, c.weight]));
  if (settings.trustMultiple !== undefined) {
    const decided = decideGeoSplit({ totalMinor: budgetMinor, countries: adset.countries, settings, minorPerMajor: 10 ** minorDigits(currency), limits, exploration, ...(geoCheck === undefined ? {} : { campaignCheck: geoCheck }) });
    return { allocations: decided.allocations.map((a) => ({ ...a, weight: weightOf.get(a.countryCode) ?? 0 })), trace: decided.trace };
  }
  // Settings stored before the trust region existed: engine version 5's split, so those runs replay as they decided.
  const withDaily = adset.countries.map((c) => ({ ...c, daily: c.daily ?? [] }));
  const result = allocateByResponse(budgetMinor, withDaily, settings.spainMinPct, USE_FITTED_PRIORS.countries, limits, exploration);
  if (result === null) {
    const fallback = seed();
    return { allocations: fallback.allocations, trace: [{ step: 'geo.strategy', decision: 'no country has enough daily spend variation to fit a response curve: seed split used', numbers: { countries: adset.countries.length } }, ...fallback.trace] };
  }
  return {
    allocations: result.allocations.map((a) => ({ countryCode: a.countryCode, amountMinor: a.amountMinor, weight: weightOf.get(a.countryCode) ?? 0 })),
    trace: result.trace,
  };
}

function frequencyCap(adset: AdSetSnapshot, scores: readonly SegmentScore[], settings: EngineSettings): { cap: number; trace: TraceEntry } {
  const recentFrequency = observedFrequency(adset.recent);
  let segmentSpend = 0;
  let fatiguedSpend = 0;
  const spendOf = new Map(adset.segments.map((s) => [`${s.segmentType}:${s.segmentId}`, s.total.spendMinor]));
  for (const s of scores) {
    const spend = spendOf.get(`${s.segmentType}:${s.segmentId}`) ?? 0;
    segmentSpend += spend;
    if (s.fatigue.isFatigued) fatiguedSpend += spend;
  }
  const fatiguedShare = segmentSpend > 0 ? fatiguedSpend / segmentSpend : 0;
  const tooFrequent = recentFrequency !== null && recentFrequency > settings.fatigueMaxFrequency;
  const lower = tooFrequent || fatiguedShare > FATIGUED_SPEND_SHARE_LIMIT;
  const cap = lower ? Math.max(1, settings.frequencyCap - 1) : settings.frequencyCap;
  return {
    cap,
    trace: {
      step: 'frequency',
      decision: lower
        ? `cap lowered to ${cap} per ${settings.frequencyWindowDays} days: audience shows wear`
        : `cap ${cap} per ${settings.frequencyWindowDays} days (configured default)`,
      numbers: {
        recent_daily_frequency: recentFrequency === null ? null : round(recentFrequency, 2),
        frequency_limit: settings.fatigueMaxFrequency,
        fatigued_spend_share: round(fatiguedShare, 3),
        fatigued_spend_share_limit: FATIGUED_SPEND_SHARE_LIMIT,
      },
    },
  };
}

function expectedPerformance(
  adset: AdSetSnapshot,
  allocations: readonly { countryCode: string; amountMinor: number }[],
  scoreOf: (code: string) => CountryScore,
  hasCountryData: boolean,
  settings: EngineSettings,
  minorPerMajor: number,
): { ctr: number; cvr: number; roas: number; confidence: number; trace: TraceEntry } {
  const coverage = evidenceCoverage(adset.total);
  if (settings.strategy === 'bayes') return bayesExpectedPerformance(adset, allocations, scoreOf, hasCountryData, settings, minorPerMajor, coverage);
  if (!hasCountryData) {
    const rates = smoothedRates(adset.total, settings.priors, minorPerMajor);
    const confidence = confidenceFromImpressions(adset.total.impressions) * coverage.share;
    return {
      ...rates,
      confidence,
      trace: {
        step: 'expected',
        decision: `expected rates are the ad set's smoothed totals (no country breakdown)${coverage.note}`,
        numbers: { impressions: adset.total.impressions, evidence_coverage: coverage.share, confidence: round(confidence, 3) },
      },
    };
  }
  const total = allocations.reduce((a, b) => a + b.amountMinor, 0);
  let ctr = 0;
  let cvr = 0;
  let roas = 0;
  let confidence = 0;
  for (const a of allocations) {
    const w = total > 0 ? a.amountMinor / total : 0;
    const s = scoreOf(a.countryCode);
    ctr += w * s.smoothedCtr;
    cvr += w * s.smoothedCvr;
    roas += w * s.smoothedRoas;
    confidence += w * s.confidence;
  }
  confidence *= coverage.share;
  return {
    ctr,
    cvr,
    roas,
    confidence,
    trace: {
      step: 'expected',
      decision: `expected rates are the budget-weighted smoothed rates of the chosen countries${coverage.note}`,
      numbers: { ctr: round(ctr, 5), cvr: round(cvr, 5), roas: round(roas, 3), evidence_coverage: coverage.share, confidence: round(confidence, 3) },
    },
  };
}

/**
 * The `bayes` strategy's expected CTR and CVR are the seed's; its expected ROAS is the seed's
 * budget-weighted country ROAS moved to the ad set's recent level (src/engine/roas-level.ts), and
 * its confidence comes from the 90 % credible interval of expected revenue per impression
 * (src/engine/credible-interval.ts), times the same evidence coverage.
 */
function bayesExpectedPerformance(
  adset: AdSetSnapshot,
  allocations: readonly { countryCode: string; amountMinor: number }[],
  scoreOf: (code: string) => CountryScore,
  hasCountryData: boolean,
  settings: EngineSettings,
  minorPerMajor: number,
  coverage: { share: number; note: string },
): { ctr: number; cvr: number; roas: number; confidence: number; trace: TraceEntry } {
  const seedLike = expectedPerformance(adset, allocations, scoreOf, hasCountryData, { ...settings, strategy: 'seed' }, minorPerMajor);
  const totals = new Map(adset.countries.map((c) => [c.countryCode, c.total]));
  const parts = hasCountryData
    ? allocations.map((a) => ({ total: totals.get(a.countryCode) ?? emptyMetrics(), weight: a.amountMinor }))
    : [{ total: adset.total, weight: 1 }];
  const pooled = hasCountryData ? adset.countries.reduce((acc, c) => addMetrics(acc, c.total), emptyMetrics()) : adset.total;
  const priors = hasCountryData ? fitStrengths(adset.countries.map((c) => c.total)) : null;
  const useFitted = priors !== null && USE_FITTED_PRIORS.countries;
  const interval = valueInterval(parts, useFitted ? fittedPrior(priors, pooled) : pooledPrior(pooled), useFitted && priors.order.fitted ? priors.order.perConversionVariance : null);
  const confidence = interval.confidence * coverage.share;
  const sig = (x: number) => Number(x.toPrecision(4));
  const level = recentRoasLevel(adset.total, adset.recent, settings.priors.strength, minorPerMajor);
  const roas = seedLike.roas * level.factor;
  const levelNote = level.factor === 1 ? '' : `; ROAS moved to the last ${settings.recentDays} days' level (×${sig(level.factor)}: their ROAS shrunk toward the window's with strength ${settings.priors.strength}, over the window's)`;
  return {
    ctr: seedLike.ctr,
    cvr: seedLike.cvr,
    roas,
    confidence,
    trace: {
      step: 'expected',
      decision: `${seedLike.trace.decision}${levelNote}; confidence from the 90 % credible interval of expected revenue per impression, ${sig(interval.lower * 1000)}–${sig(interval.upper * 1000)} minor units per 1,000 impressions: clamp(1 − relative half-width, 0, 0.95) × evidence coverage`,
      numbers: {
        ...seedLike.trace.numbers,
        roas: round(roas, 3),
        roas_window_rates: round(seedLike.roas, 3),
        roas_window: level.windowRoas === null ? null : round(level.windowRoas, 3),
        roas_recent_days: level.recentRoas === null ? null : round(level.recentRoas, 3),
        roas_level_factor: round(level.factor, 4),
        value_per_1000_impressions_minor: sig(interval.mean * 1000),
        ci90_lower_per_1000_impressions_minor: sig(interval.lower * 1000),
        ci90_upper_per_1000_impressions_minor: sig(interval.upper * 1000),
        ci90_relative_half_width: Number.isFinite(interval.relativeHalfWidth) ? round(interval.relativeHalfWidth, 4) : null,
        interval_confidence: round(interval.confidence, 3),
        ...(priors ? describePriors('country_prior_', priors) : {}),
        country_priors_in_use: useFitted ? 'fitted where the fit succeeded' : 'fixed',
        evidence_coverage: coverage.share,
        confidence: round(confidence, 3),
      },
    },
  };
}

/**
 * The seed's confidence counts impressions only, so an account that never reports revenue got
 * 0.95 while its expected ROAS was nothing but the prior. The share of the decision that rests
 * on observed metrics, by the composite's own weights (CTR 0.25, CVR 0.40, ROAS 0.35), scales it:
 * no revenue → at most 0.65 of the impression confidence; no click with known conversions either → 0.25.
 */
function evidenceCoverage(m: Metrics): { share: number; note: string } {
  const missing: string[] = [];
  let share = m.impressions > 0 ? 0.25 : 0;
  if (m.clicksWithConversions > 0) share += 0.4;
  else missing.push('no click with known conversions (CVR is the prior)');
  if (m.spendWithRevenueMinor > 0) share += 0.35;
  else missing.push('no spend with known revenue (ROAS is the prior)');
  const note = missing.length > 0 ? `; confidence scaled to ${share}: ${missing.join(', ')}` : '';
  return { share, note };
}
