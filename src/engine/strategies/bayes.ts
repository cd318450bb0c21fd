// The `bayes` strategy: segment values shrunk toward fitted priors, fatigue from a change-point
// fit with rests, sets chosen by value (and audience size where a real source gives it), the geo
// split by value response checked on held-out days inside a trust region, exploration by Thompson
// sampling, and confidence from a credible interval. Settings stored by earlier engine versions
// decide as those versions did.
import { flooredCountriesOfSettings } from '../ad-set-groups.ts';
import { chooseDemographics } from '../audience.ts';
import { inclusiveDays } from '../calendar.ts';
import { valueInterval } from '../credible-interval.ts';
import { explorationPlan, plannedSlots, type ExplorationPlan } from '../exploration.ts';
import { chooseDemographicsByValue } from '../demographic-value.ts';
import { judgeFatigue } from '../fatigue-rest.ts';
import { allocateBudget } from '../geo.ts';
import { allocateByResponse } from '../geo-bayes.ts';
import { checkCampaign, decideGeoSplit, type CampaignCheck } from '../geo-value.ts';
import { addMetrics, emptyMetrics, subtractMetrics } from '../metrics.ts';
import { minorDigits } from '../money.ts';
import type { Rng } from '../random.ts';
import { recentRoasLevel } from '../roas-level.ts';
import { scoreSegments, scoresOf, scoreTable, tableOf, type ScoreTable } from '../scoring.ts';
import { segmentKey, type SegmentKey } from '../segment-key.ts';
import { adsetCandidates, knownSize, poolCampaignSegments, scoreCampaignSegments, type CampaignSegments, type PoolType } from '../segment-pool.ts';
import { campaignSizeExponent, costsOf, fitSegmentPriors, perConversionVarianceOf, ratePriorsByType, rescoreByValue, segmentEvidence, sizeExponentOf, weighByKnownSize, weighBySize, withBlendShift } from '../segment-value.ts';
import type { ValuePriors } from '../empirical-bayes.ts';
import type { ExpectedPriorSource, SplitLearning } from '../trace-events.ts';
import { holdTargeting, requiredGain, splitLearning } from '../targeting-edits.ts';
import type { AdSetSnapshot, CampaignSnapshot, EarlierTargeting, EngineSettings, Metrics, SegmentScore, TraceEvent } from '../types.ts';
import { fitStrengths, fittedPrior, pooledPrior, type RatePrior } from '../value-model.ts';
import { evidenceCoverage, specExpected } from './spec.ts';
import type { AdSetExpectInput, AdSetSplitInput, CampaignRun, CampaignStrategy, CountrySplit, DecisionStrategy, Expected, FundedCountry, SegmentRanking } from './strategy.ts';


export const bayesStrategy: DecisionStrategy = {
  score: (snapshot, adset, settings, resting, exploring) => {
    const specScores = scoreTable(adset.segments, settings, 10 ** minorDigits(snapshot.currency));
    // Fatigue from the change-point fit, and rests that outlast the window.
    const judged = judgeFatigue(adset, specScores, settings, snapshot.windowEnd, resting, exploring);
    return { scores: judged.scores, judged };
  },
  forCampaign: (run) => bayesForCampaign(run),
};

/** The campaign's segments and the specification's scores of their campaign-wide rows, computed once per run. */
interface CampaignPool {
  segments: CampaignSegments;
  scoreOf: (key: SegmentKey) => SegmentScore;
}

function bayesForCampaign({ snapshot, adsets, scored, settings, totalBudgetMinor, targeting }: CampaignRun): CampaignStrategy {
  const minorPerMajor = 10 ** minorDigits(snapshot.currency);
  // The geo split's candidate is checked once, on the campaign's countries (src/engine/geo-value.ts).
  const geoCheck = settings.trustMultiple !== undefined ? checkCampaign(adsets, settings, minorPerMajor, totalBudgetMinor) : undefined;
  // With the campaign segment pool, an ad set's candidates carry the fatigue verdicts of the other ad sets that ran them.
  const campaignSegments = settings.segmentPool === 'campaign' ? poolCampaignSegments(adsets, scored.map((x) => x.scores), sizeExponentOf(settings)) : null;
  const pool: CampaignPool | null = campaignSegments === null ? null : { segments: campaignSegments, scoreOf: scoreCampaignSegments(campaignSegments, (hs) => scoreSegments(hs, settings, minorPerMajor)) };
  const plan = explorationPlan(settings, snapshot);
  const outsideOf = otherAdsets(adsets);
  return {
    split: (input) => split(input, settings, minorPerMajor, geoCheck),
    choose: (adset, scores, rng, funded) => (pool === null ? rankOwn(snapshot, adset, scores, settings, rankingSlots(settings, plan, rng), minorPerMajor) : chooseFromCampaign(adset, scores, pool, settings, rankingSlots(settings, plan, rng), minorPerMajor, { inForce: targeting?.find((t) => t.adsetId === adset.adsetId), funded })),
    expect: (input) => bayesExpected(input, settings, minorPerMajor, outsideOf),
    // Settings stored before the choice by expected value existed decide as the specification's rule did.
    demographics: (adset, split) => (settings.demographicChoice === 'expected_value' ? chooseDemographicsByValue(adset.demographics, split.curves ?? null) : chooseDemographics(adset.demographics, settings, minorPerMajor)),
  };
}

/**
 * The split (docs/geo-split.md): the candidate that best predicts the window's later days from its
 * earlier ones (value response, constant ROAS, the specification's split) decides, inside the
 * trust region (src/engine/geo-value.ts). Settings without a trust multiple (stored by engine
 * version 5 or earlier) split by response curves on impressions as that version did, falling back
 * to the specification's split when no country's curve can be fitted.
 */
function split({ adset, budgetMinor, countryScores, limits, exploration }: AdSetSplitInput, settings: EngineSettings, minorPerMajor: number, geoCheck: CampaignCheck | undefined): CountrySplit {
  const weightOf = new Map(countryScores.map((c) => [c.countryCode, c.weight]));
  if (settings.trustMultiple !== undefined) {
    const decided = decideGeoSplit({ totalMinor: budgetMinor, countries: adset.countries, settings, minorPerMajor, limits, exploration, ...(geoCheck === undefined ? {} : { campaignCheck: geoCheck }) });
    return { allocations: decided.allocations.map((a) => ({ ...a, weight: weightOf.get(a.countryCode) ?? 0 })), trace: decided.trace, ...(decided.curves === null ? {} : { curves: decided.curves }) };
  }
  // Settings stored before the trust region existed: engine version 5's split, so those runs replay as they decided.
  const withDaily = adset.countries.map((c) => ({ ...c, daily: c.daily ?? [] }));
  const result = allocateByResponse(budgetMinor, withDaily, settings.spainMinPct, limits, exploration);
  if (result === null) {
    const fallback = allocateBudget(budgetMinor, countryScores, settings.spainMinPct);
    return { allocations: fallback.allocations, trace: [{ kind: 'geo.no_response_curve', countries: adset.countries.length }, ...fallback.trace] };
  }
  return {
    allocations: result.allocations.map((a) => ({ countryCode: a.countryCode, amountMinor: a.amountMinor, weight: weightOf.get(a.countryCode) ?? 0 })),
    trace: result.trace,
  };
}

/**
 * The choice among the ad set's own segments (settings stored before the campaign pool existed):
 * values shrunk toward the ad set's fitted priors, the set weighed by delivery per day.
 */
function rankOwn(snapshot: CampaignSnapshot, adset: AdSetSnapshot, table: ScoreTable, settings: EngineSettings, slots: RankingSlots, minorPerMajor: number): SegmentRanking {
  const trace: TraceEvent[] = [];
  const segmentPriors = fitSegmentPriors(adset.segments);
  for (const type of ['interest', 'behavior'] as const) {
    const p = segmentPriors.get(type);
    if (!p) continue;
    trace.push({ kind: 'priors.fitted', pool: 'adset', segmentType: type, priors: p });
  }
  const ratePriors = ratePriorsByType(adset.segments, segmentPriors);
  const perSpend = settings.segmentValue === 'per_spend';
  // Every segment is valued and weighed, so every score is an object here.
  const scores = scoresOf(table);
  const byValue = rescoreByValue(scores, adset.segments, ratePriors, perSpend);
  const sizeExponent = sizeExponentOf(settings);
  const weighed = weighBySize(byValue, adset.segments, slots, inclusiveDays(snapshot.windowStart, snapshot.windowEnd), sizeExponent, perSpend ? costsOf(adset.segments, ratePriors) : undefined);
  trace.push({ kind: 'segments.score.adset', segments: scores.length, sizeExponent, choices: weighed.choices, ...(perSpend ? { per: 'spend' as const } : {}) });
  const own = new Map(adset.segments.map((h) => [segmentKey(h), h.total]));
  const evidenceOf = (s: SegmentScore) => {
    const total = own.get(segmentKey(s)) ?? emptyMetrics();
    return segmentEvidence(total, total, ratePriors.get(s.segmentType) ?? pooledPrior(emptyMetrics()), perConversionVarianceOf(segmentPriors.get(s.segmentType)), minorPerMajor);
  };
  return { ranked: tableOf(weighed.scores), ratePriors, histories: { recovery: adset.segments, draws: adset.segments }, trace, evidenceOf };
}

/**
 * The `bayes` choice among every segment of the campaign (src/engine/segment-pool.ts): values for
 * this ad set, then the set weighed by audience size where every candidate's size is known, else
 * ranked by value.
 */
function chooseFromCampaign(
  adset: AdSetSnapshot,
  scores: ScoreTable,
  pool: CampaignPool,
  settings: EngineSettings,
  slots: RankingSlots,
  minorPerMajor: number,
  { inForce, funded }: { inForce: EarlierTargeting | undefined; funded: readonly FundedCountry[] },
): SegmentRanking {
  const trace: TraceEvent[] = [];
  const perSpend = settings.segmentValue === 'per_spend';
  // Every own segment is a candidate, valued and weighed: every score is an object here.
  const candidates = adsetCandidates(adset.segments, scoresOf(scores), pool.segments, pool.scoreOf, perSpend);
  for (const type of ['interest', 'behavior'] as const) {
    const p = pool.segments.priors.get(type);
    if (!p) continue;
    trace.push({ kind: 'priors.fitted', pool: 'campaign', segmentType: type, priors: p });
  }
  const { exponent: sizeExponent, exponentFor } = campaignSizeExponent(settings, pool.segments.blends);
  const byKey = new Map(candidates.map((c) => [segmentKey(c.score), c]));
  // Valued per spend, a segment weighs by the spend its delivery takes (size × its cost per
  // impression): the set then earns the most revenue per unit of spend.
  const costOf = (s: SegmentScore) => {
    const cost = byKey.get(segmentKey(s))?.costPerImpression ?? 0;
    return perSpend && cost > 0 ? cost : 1;
  };
  const weighed = weighByKnownSize(candidates.map((c) => c.score), slots, sizeExponent, (s) => knownSize(byKey.get(segmentKey(s))?.campaign), costOf, settings.unknownSizes ?? 'unweighed');
  const own = (type: string) => candidates.filter((c) => c.score.segmentType === type && c.ownHistory !== null).length;
  const all = (type: string) => candidates.filter((c) => c.score.segmentType === type).length;
  const blends = pool.segments.blends > 0 ? { blends: { blends: pool.segments.blends, segments: pool.segments.blendShift.size } } : {};
  trace.push({ kind: 'segments.pool', interestCandidates: all('interest'), ownInterests: own('interest'), behaviorCandidates: all('behavior'), ownBehaviors: own('behavior'), ...blends });
  trace.push({ kind: 'segments.score.campaign', segments: candidates.length, sizeExponent, ...(exponentFor === undefined ? {} : { exponentFor }), choices: weighed.choices, ...(perSpend ? { per: 'spend' as const } : {}) });
  let ranked = weighed.scores;
  const minGain = settings.editMinGain ?? 0;
  if (inForce !== undefined && minGain > 0) {
    // A set is worth what it was chosen by: its members' values, weighed as the choice weighed them.
    const valueOf = (s: SegmentScore) => byKey.get(segmentKey(s))?.score.composite ?? 0;
    const held = holdTargeting(weighed.scores, slots, inForce, requiredGain(minGain, conversionsPerDay(adset, settings.recentDays), learningOfSplit(adset, funded, settings)), valueOf, weighed.weightOf);
    ranked = held.scores;
    trace.push(...held.trace);
  }
  // The evidence is the campaign's rows of the segment, the ad set's own included: what its value for this ad set rests on.
  const evidenceOf = (s: SegmentScore) => {
    const c = byKey.get(segmentKey(s))!;
    return withBlendShift(segmentEvidence(c.campaign.total, c.valuedOn.total, c.valuedOn.prior, perConversionVarianceOf(pool.segments.priors.get(s.segmentType as PoolType)), minorPerMajor), c.blendShift, minorPerMajor);
  };
  return {
    ranked: tableOf(ranked),
    ratePriors: pool.segments.ratePriors,
    histories: { recovery: candidates.map((c) => c.ownHistory ?? c.campaign), draws: candidates.map((c) => c.campaign) },
    trace,
    evidenceOf,
  };
}



/**
 * The ad set's conversions a day over the recent window (its days with delivery there, at most
 * recentDays): how fast it leaves Meta's learning phase after an edit. Null when no row of it
 * reports conversions.
 */
function conversionsPerDay(adset: AdSetSnapshot, recentDays: number): number | null {
  if (adset.recent.clicksWithConversions === 0 && adset.recent.conversions === 0) return null;
  // A young ad set has fewer days than the recent window; snapshots without dated days count it whole.
  const days = new Set(adset.countries.flatMap((c) => (c.daily ?? []).filter((d) => d.spendMinor > 0 && d.date !== undefined).map((d) => d.date)));
  return adset.recent.conversions / (days.size > 0 ? Math.min(recentDays, days.size) : recentDays);
}

/**
 * Where the split is applied one ad set per country (settings.countryAdSets), how long learning
 * lasts in those ad sets: each country's conversions per unit of spend over its latest recentDays
 * days with delivery that report conversions (the ad set's recent rate for a country without
 * any), at the split's budgets, a country keeping the ad set of its own it already holds as LIVE
 * apply lets it. An ad set LIVE apply does not split (a lifetime budget) learns as one: undefined.
 */
function learningOfSplit(adset: AdSetSnapshot, funded: readonly FundedCountry[], settings: EngineSettings): SplitLearning | undefined {
  if (settings.countryAdSets === undefined) return undefined;
  if (adset.adsetId !== null && settings.countryAdSets.unsplitAdSets?.includes(adset.adsetId) === true) return undefined;
  const adsetRate = adset.recent.spendMinor > 0 ? adset.recent.conversions / adset.recent.spendMinor : 0;
  const rateOf = (code: string) => {
    const days = (adset.countries.find((c) => c.countryCode === code)?.daily ?? []).filter((d) => d.conversions !== undefined).slice(-settings.recentDays);
    const spend = days.reduce((s, d) => s + d.spendMinor, 0);
    return spend > 0 ? days.reduce((s, d) => s + d.conversions!, 0) / spend : adsetRate;
  };
  const holding = new Set(settings.countryAdSets.holding?.find((h) => h.adsetId === adset.adsetId)?.countries ?? []);
  return splitLearning(funded.map((c) => ({ ...c, conversionsPerMinor: rateOf(c.countryCode) })), settings.countryAdSets.minDailyBudgetMinor, flooredCountriesOfSettings(settings), holding);
}

/** Each ad set's outside evidence: the sum of the campaign's other ad sets' rows. */
function otherAdsets(adsets: readonly AdSetSnapshot[]): (adsetId: string | null) => Metrics {
  const campaign = adsets.reduce((acc, a) => addMetrics(acc, a.total), emptyMetrics());
  const byId = new Map(adsets.map((a) => [a.adsetId, a.total]));
  return (adsetId) => {
    const own = byId.get(adsetId);
    return own === undefined ? campaign : subtractMetrics(campaign, own);
  };
}

/**
 * What the ad set's value interval is shrunk toward. Across its countries where it has several
 * (fitted where the fit succeeds); with one unit (no country breakdown, or one country) its own
 * rates as the prior would count its rows twice, so that an ad set with clicks and no conversion
 * would be certain to convert never: the prior is then the campaign's other ad sets' rates, at the
 * fixed strengths, and the ad set's own only where the campaign has no other ad set with delivery.
 */
function intervalPrior(units: readonly Metrics[], pooled: Metrics, outside: Metrics): { prior: RatePrior; priors: ValuePriors | null; from: ExpectedPriorSource } {
  if (units.length >= 2) {
    const priors = fitStrengths(units);
    return { prior: fittedPrior(priors, pooled), priors, from: 'countries' };
  }
  if (outside.impressions > 0) return { prior: pooledPrior(outside), priors: null, from: 'campaign' };
  return { prior: pooledPrior(pooled), priors: null, from: 'adset' };
}

/**
 * The `bayes` strategy's expected CTR and CVR are the seed's; its expected ROAS is the seed's
 * budget-weighted country ROAS moved to the ad set's recent level (src/engine/roas-level.ts), and
 * its confidence comes from the 90 % credible interval of expected revenue per impression
 * (src/engine/credible-interval.ts), times the same evidence coverage.
 */
function bayesExpected(input: AdSetExpectInput, settings: EngineSettings, minorPerMajor: number, outsideOf: (adsetId: string | null) => Metrics): Expected {
  const { adset, allocations, hasCountryData } = input;
  const coverage = evidenceCoverage(adset.total);
  const seedLike = specExpected(input, settings, minorPerMajor);
  const totals = new Map(adset.countries.map((c) => [c.countryCode, c.total]));
  const parts = hasCountryData
    ? allocations.map((a) => ({ total: totals.get(a.countryCode) ?? emptyMetrics(), weight: a.amountMinor }))
    : [{ total: adset.total, weight: 1 }];
  const pooled = hasCountryData ? adset.countries.reduce((acc, c) => addMetrics(acc, c.total), emptyMetrics()) : adset.total;
  const { prior, priors, from } = intervalPrior(hasCountryData ? adset.countries.map((c) => c.total) : [adset.total], pooled, outsideOf(adset.adsetId));
  const interval = valueInterval(parts, prior, priors?.order.fitted ? priors.order.perConversionVariance : null);
  const confidence = interval.confidence * coverage.share;
  const level = recentRoasLevel(adset.total, adset.recent, settings.priors.strength, minorPerMajor);
  const roas = seedLike.roas * level.factor;
  return {
    ctr: seedLike.ctr,
    cvr: seedLike.cvr,
    roas,
    confidence,
    trace: {
      kind: 'expected.bayes',
      spec: seedLike.trace,
      roas,
      windowRatesRoas: seedLike.roas,
      level,
      recentDays: settings.recentDays,
      priorStrength: settings.priors.strength,
      interval,
      countryPriors: priors,
      priorFrom: from,
      confidence,
    },
  };
}

type RankingSlots = ReadonlyMap<'interest' | 'behavior', number>;

/** The slots the ranking fills per type: exploration (or discovery) takes the rest; none without a random stream. */
function rankingSlots(settings: EngineSettings, plan: ExplorationPlan, rng: Rng | null): RankingSlots {
  const taken = (type: 'interest' | 'behavior', max: number) => (rng === null ? 0 : plannedSlots(plan, type, max));
  return new Map([['interest', settings.maxInterests - taken('interest', settings.maxInterests)], ['behavior', settings.maxBehaviors - taken('behavior', settings.maxBehaviors)]] as const);
}
