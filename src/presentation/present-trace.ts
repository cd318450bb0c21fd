// The reasoning's typed events in the specification's words: each event becomes the trace line
// (step, decision, numbers) the document has always shown, rounded as it always was.
import type { AgeEvent, AudienceSourceEvent, DemographicGroupEvent, DemographicTargetingEvent, ExistingAudienceEvent, GenderEvent, GroupFigures, LeftOutEvent } from '../engine/trace-events.ts';
import type { TraceEvent } from '../engine/types.ts';
import { presentCurveResponse, presentGeoCheck, presentLevelShrinkage, presentMinBudget, presentRelaxed, presentSplitLimits, presentTrustBound, presentTrustRegion, presentValueResponse } from './present-trace-geo.ts';
import {
  presentAdSetSegmentScore,
  presentBackFromRest,
  presentBayesExpected,
  presentCampaignSegmentScore,
  presentCut,
  presentExcluded,
  presentExploration,
  presentExplored,
  presentFatigueRest,
  presentPriorsFitted,
  presentRanked,
  presentSpecExpected,
  presentTargetingEdit,
} from './present-trace-segments.ts';
import type { TraceEntryDocument } from './recommendation-document.ts';

const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** The audience builder's rounding (half up at the fourth decimal), kept so the documents read as they did. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function presentTraceEvent(e: TraceEvent): TraceEntryDocument {
  switch (e.kind) {
    case 'segments.excluded':
      return presentExcluded(e);
    case 'segments.ranked':
      return presentRanked(e);
    case 'segments.cut':
      return presentCut(e);
    case 'segments.back_from_rest':
      return presentBackFromRest(e);
    case 'explore.none':
      return { step: 'explore', decision: 'no exploration: no random seed was given for this decision', numbers: { exploration_share: e.share } };
    case 'explore':
      return presentExploration(e);
    case 'segments.explored':
      return presentExplored(e);
    case 'fatigue.rest':
      return presentFatigueRest(e);
    case 'priors.fitted':
      return presentPriorsFitted(e);
    case 'segments.score.adset':
      return presentAdSetSegmentScore(e);
    case 'segments.score.campaign':
      return presentCampaignSegmentScore(e);
    case 'segments.edit':
      return presentTargetingEdit(e);
    case 'segments.pool':
      return {
        step: 'segments.pool',
        decision: `candidates: every interest and behavior the campaign has rows of (${e.interestCandidates} interests, ${e.ownInterests} of them the ad set's own; ${e.behaviorCandidates} behaviors, ${e.ownBehaviors} own); the ad set's own figures are shrunk toward the segment's figures in the campaign's other ad sets, those toward the type's pool${e.blends === undefined ? '' : `; ${e.blends.segments} segments had days credited in equal shares of an ad set's delivery (${e.blends.blends} blends): those shares are not read as their own figures, each blend moves its members' values together by what it earned against what their own figures predicted`}`,
        numbers: { interest_candidates: e.interestCandidates, own_interests: e.ownInterests, behavior_candidates: e.behaviorCandidates, own_behaviors: e.ownBehaviors, ...(e.blends === undefined ? {} : { blends: e.blends.blends, blended_segments: e.blends.segments }) },
      };
    case 'expected.spec':
      return presentSpecExpected(e);
    case 'expected.bayes':
      return presentBayesExpected(e);
    case 'geo.no_response_curve':
      return { step: 'geo.strategy', decision: 'no country has enough daily spend variation to fit a response curve: seed split used', numbers: { countries: e.countries } };
    case 'geo.response.curve':
      return presentCurveResponse(e);
    case 'geo.response.value':
      return presentValueResponse(e);
    case 'geo.check':
      return presentGeoCheck(e);
    case 'geo.trust':
      return presentTrustRegion(e);
    case 'geo.levels':
      return presentLevelShrinkage(e);
    case 'geo.trust_bound':
      return presentTrustBound(e);
    case 'geo.limits':
      return presentSplitLimits(e);
    case 'geo.min_budget':
      return presentMinBudget(e);
    case 'geo.relaxed':
      return presentRelaxed(e);
    case 'budget':
      return {
        step: 'budget',
        decision: `ad set gets ${e.adsetBudgetMinor} of ${e.campaignBudgetMinor} minor units`,
        numbers: { adset_spend_minor: e.adsetSpendMinor, campaign_spend_minor: e.campaignSpendMinor, share: round(e.share, 4), rule: e.byBudgets === true ? "share of the ad sets' own daily budgets" : e.bySpend ? 'share of spend in the window' : 'equal split: no spend in the window' },
      };
    case 'scores':
      return {
        step: 'scores',
        decision: `scored ${e.segments} segments, ${e.fatigued} fatigued`,
        numbers: { prior_ctr: e.priors.ctr, prior_cvr: e.priors.cvr, prior_roas: e.priors.roas, prior_strength: e.priors.strength },
      };
    case 'frequency':
      return {
        step: 'frequency',
        decision: e.lowered ? `cap lowered to ${e.cap} per ${e.windowDays} days: audience shows wear` : `cap ${e.cap} per ${e.windowDays} days (configured default)`,
        numbers: {
          recent_daily_frequency: e.recentDailyFrequency === null ? null : round(e.recentDailyFrequency, 2),
          frequency_limit: e.frequencyLimit,
          fatigued_spend_share: round(e.fatiguedSpendShare, 3),
          fatigued_spend_share_limit: e.fatiguedSpendShareLimit,
        },
      };
    case 'lookalikes.none':
      return e.sourceAudienceId === null
        ? { step: 'lookalikes', decision: 'none: no custom audience to use as a source', numbers: { max: e.max } }
        : { step: 'lookalikes', decision: 'none: no recommended countries to build lookalikes in', numbers: { source_audience_id: e.sourceAudienceId, max: e.max } };
    case 'lookalikes.proposed':
      return { step: 'lookalikes', decision: `proposed ${e.name}`, numbers: { source_audience_id: e.sourceAudienceId, source_size: e.sourceSize, ratio: e.ratio, countries: e.countryCodes.join('+') } };
    case 'lookalikes.limit':
      return { step: 'lookalikes', decision: `stopped at ${e.max} of ${e.ratios} ratios (limit)`, numbers: { max: e.max } };
    case 'special_ad_categories.unlimited':
      return {
        step: 'special_ad_categories',
        decision: `${e.category}: no audience limits from this category (${e.known ? 'Meta asks for an authorisation and a "Paid for by" disclaimer instead' : 'not a category the engine knows limits for'})`,
        numbers: { categories: e.category },
      };
    case 'advantage_audience':
      return {
        step: 'advantage_audience',
        decision: `Advantage+ audience is on: Meta treats ${e.suggestions.length > 0 ? e.suggestions.join(', ') : 'none of the chosen options'} as suggestions and may deliver beyond them; age_min ${e.ageMin} ${e.ageMinHard ? 'stays a hard limit (Meta holds it up to 25)' : 'is above 25, so Meta treats it as a suggestion too'}`,
        numbers: { suggestions: e.suggestions.join(','), age_min: e.ageMin, age_min_hard: e.ageMinHard },
      };
    case 'special_ad_categories.left_out':
      return presentLeftOut(e);
    case 'geo.weight':
      return { step: 'geo.weight', decision: `${e.countryCode} (${e.region}) weighs ${round(e.weight, 4)} by ${e.region === 'ES' || e.region === 'LATAM' ? 'engagement' : 'performance'}`, numbers: { country_code: e.countryCode, region: e.region, weight: e.weight, engagement: e.engagement, performance: e.performance } };
    case 'geo.spain_unscored':
      return { step: 'geo.spain_unscored', decision: 'ES had no score; it is allocated with weight 0 and keeps its floor', numbers: { country_code: 'ES', weight: 0 } };
    case 'geo.exclude':
      return { step: 'geo.exclude', decision: `${e.countryCode} excluded: no positive weight`, numbers: { country_code: e.countryCode, weight: e.weight } };
    case 'geo.drop':
      return {
        step: 'geo.drop',
        decision: `${e.countryCode} dropped: its share ${round(e.share * 100, 2)} % is under ${e.thresholdPct} % of the budget, too little to learn from; it goes back to the others`,
        numbers: { country_code: e.countryCode, weight: e.weight, share_pct: round(e.share * 100, 4), threshold_pct: e.thresholdPct },
      };
    case 'geo.spain_floor_share':
      return {
        step: 'geo.spain_floor',
        decision: e.binding
          ? `ES's proportional share ${round(e.proportionalShare * 100, 2)} % is under its floor of ${e.floorPct} %: ES gets the floor, the rest is shared by weight`
          : `ES's proportional share ${round(e.proportionalShare * 100, 2)} % meets its floor of ${e.floorPct} %: kept`,
        numbers: { proportional_pct: round(e.proportionalShare * 100, 4), floor_pct: e.floorPct, floor_minor: e.floorMinor, binding: e.binding },
      };
    case 'geo.spain_only':
      return { step: 'geo.spain_only', decision: 'no other country has budget: ES gets 100 %', numbers: { country_code: 'ES', amount_minor: e.amountMinor } };
    case 'geo.share':
      return { step: 'geo.share', decision: `${e.countryCode} gets ${e.pct} % of the budget`, numbers: { country_code: e.countryCode, weight: e.weight, amount_minor: e.amountMinor, pct: e.pct } };
    case 'geo.explore':
      return {
        step: 'geo.explore',
        decision: e.blended
          ? `${e.share * 100} % of the budget split as if each country's value per impression were a draw from its posterior (Thompson sampling), so thinly measured countries keep earning evidence`
          : `budget exploration skipped this run: blending ${e.share * 100} % of the split drawn from the posteriors would leave a country under the minimum daily budget`,
        numbers: {
          exploration_share: e.share,
          ...Object.fromEntries(e.draws.map((d) => [`${d.countryCode}_drawn_value_per_1000_impressions_minor`, round(d.valuePer1000Minor, 2)])),
          ...Object.fromEntries(e.moves.map((m) => [`${m.countryCode}_explored_minor`, m.exploredMinor])),
        },
      };
    case 'geo.spain_floor_amount':
      return { step: 'geo.spain_floor', decision: `Spain gets at least ${e.floorMinor} of ${e.totalMinor} minor units (${e.spainMinPct} %)`, numbers: { spain_floor_minor: e.floorMinor, spain_minor: e.spainMinor } };
    case 'pixel': {
      const shares = Object.fromEntries(e.topGenres.map((g) => [g.genre, round(g.share, 3)]));
      return e.boosted === false
        ? { step: 'pixel', decision: 'pixel genres do not reorder the interests: they are chosen by their measured revenue per impression', numbers: { pixel_genre_boost: false, ...shares } }
        : { step: 'pixel', decision: 'pixel events bias interest choice toward these genres', numbers: shares };
    }
    case 'geo.no_country_data':
      return { step: 'geo', decision: 'no country breakdown in the history: Spain only, scored from the priors', numbers: { countries_with_data: 0 } };
    case 'custom_audiences.source':
      return presentAudienceSource(e);
    case 'custom_audiences.existing':
      return presentExistingAudience(e);
    case 'custom_audiences.order':
      return { step: 'custom_audiences', decision: 'order: converters, pixel visitors, existing by composite, engagers (closest to a purchase first)', numbers: { proposed: e.proposed, best: e.best } };
    case 'demographics.age':
      return presentAge(e);
    case 'demographics.gender':
      return presentGender(e);
    case 'demographics.group':
      return presentDemographicGroup(e);
    case 'demographics.targeting':
      return presentTargeting(e);
  }
}

/** How the document names each source of a proposed custom audience. */
export const SOURCE_LABELS = { converters: 'converters', pixel_visitors: 'pixel visitors', engagers: 'engagers' } as const;
const UNKNOWN_SOURCE = { converters: 'conversions are unknown in the window', pixel_visitors: 'no pixel data', engagers: 'clicks are unknown' } as const;

function presentAudienceSource(e: AudienceSourceEvent): TraceEntryDocument {
  const step = 'custom_audiences';
  const label = SOURCE_LABELS[e.source];
  const numbers = { size: e.size, min_size: e.minSize };
  switch (e.outcome) {
    case 'unknown':
      return { step, decision: `skipped ${label}: ${UNKNOWN_SOURCE[e.source]}`, numbers };
    case 'too_small':
      return { step, decision: `skipped ${label}: ${e.size} people is below Meta's minimum of ${e.minSize} for a lookalike source`, numbers };
    case 'proposed':
      return { step, decision: `proposed ${e.audienceId}`, numbers };
  }
}

function presentExistingAudience(e: ExistingAudienceEvent): TraceEntryDocument {
  const step = 'custom_audiences';
  const numbers = { segment_id: e.segmentId, composite: round4(e.composite) };
  switch (e.outcome) {
    case 'not_a_source':
      return { step, decision: `not re-proposed "${e.segmentName}": a ${e.segmentType} is not a custom audience source`, numbers };
    case 'fatigued':
      return { step, decision: `dropped "${e.segmentName}": fatigued (${e.fatigueReason ?? 'no reason given'})`, numbers };
    case 'not_positive':
      return { step, decision: `dropped "${e.segmentName}": composite ${round4(e.composite)} is not above 0`, numbers };
    case 'already_proposed':
      return { step, decision: `"${e.segmentName}" is already proposed with a fresh size`, numbers };
    case 'kept':
      return { step, decision: `kept existing "${e.segmentName}"; size is its clicks in the window, a lower bound (0 = unknown)`, numbers: { ...numbers, size: e.size ?? 0 } };
  }
}

function groupNumbers(g: GroupFigures): TraceEntryDocument['numbers'] {
  return {
    impressions: g.impressions,
    clicks: g.clicks,
    conversions: g.conversions,
    smoothed_ctr: round4(g.smoothedCtr),
    smoothed_cvr: round4(g.smoothedCvr),
    smoothed_roas: round4(g.smoothedRoas),
    confidence: round4(g.confidence),
    score: round4(g.score),
  };
}

function presentAge(e: AgeEvent): TraceEntryDocument {
  const step = 'demographics.age';
  switch (e.what) {
    case 'no_data':
      return { step, decision: `no age data: ${e.ageMin}-${e.ageMax}`, numbers: { age_min: e.ageMin, age_max: e.ageMax } };
    case 'none_scores':
      return { step, decision: `no age bucket scores above 0 (none beats the priors with confidence): ${e.ageMin}-${e.ageMax}`, numbers: { buckets: e.buckets, age_min: e.ageMin, age_max: e.ageMax } };
    case 'bucket':
      return { step, decision: `${e.bucket}: ${e.kept ? 'kept' : 'below'} ${e.keepRatio} x best`, numbers: { bucket: e.bucket, ...groupNumbers(e.figures), threshold: round4(e.threshold), kept: e.kept } };
    case 'range':
      return { step, decision: `age ${e.ageMin}-${e.ageMax}: contiguous range from the youngest to the oldest kept bucket (best ${e.bestBucket})`, numbers: { best_bucket: e.bestBucket, best_score: round4(e.bestScore), threshold: round4(e.threshold), age_min: e.ageMin, age_max: e.ageMax } };
  }
}

function presentGender(e: GenderEvent): TraceEntryDocument {
  const step = 'demographics.gender';
  if (e.what === 'missing') {
    return { step, decision: 'all: no data for both male and female', numbers: { male_score: e.maleScore === null ? null : round4(e.maleScore), female_score: e.femaleScore === null ? null : round4(e.femaleScore) } };
  }
  if (e.what === 'group') return { step, decision: e.gender, numbers: groupNumbers(e.figures) };
  const numbers = {
    male_score: round4(e.maleScore),
    female_score: round4(e.femaleScore),
    male_confidence: round4(e.maleConfidence),
    female_confidence: round4(e.femaleConfidence),
    win_ratio: e.winRatio,
    min_confidence: e.minConfidence,
  };
  switch (e.what) {
    case 'no_lead':
      return { step, decision: `all: neither gender scores ${e.winRatio}x the other`, numbers };
    case 'low_confidence':
      return { step, decision: `all: ${e.leader} leads by ${e.winRatio}x or more but confidence is below ${e.minConfidence}`, numbers };
    case 'chosen':
      return { step, decision: `${e.leader}: scores ${e.winRatio}x or more the other with enough confidence`, numbers };
  }
}

// The bayes strategy's groups read as the specification's buckets do (step, bucket or gender, score,
// impressions, kept), the score being the group's value per impression against every group's.
function presentDemographicGroup(e: DemographicGroupEvent): TraceEntryDocument {
  const numbers = { impressions: e.impressions, score: round4(e.valueFactor), value_factor: round4(e.valueFactor), cost_factor: round4(e.costFactor), kept: e.kept };
  if (e.dimension === 'gender') return { step: 'demographics.gender', decision: e.group, numbers };
  return { step: 'demographics.age', decision: `${e.group}: ${e.kept ? 'kept' : 'left out'}, value per impression ${round4(e.valueFactor)}x every group's`, numbers: { bucket: e.group, ...numbers } };
}

function presentTargeting(e: DemographicTargetingEvent): TraceEntryDocument {
  const step = 'demographics';
  const targeting = `age ${e.ageMin}-${e.ageMax}, gender ${e.gender}`;
  const chosen = { age_min: e.ageMin, age_max: e.ageMax, gender: e.gender };
  if (e.what === 'no_data') return { step, decision: `${targeting}: no age or gender breakdown in the history`, numbers: chosen };
  if (e.what === 'no_curves') return { step, decision: `${targeting}: the split has no response curves, so what a narrower audience would cost is unknown`, numbers: chosen };
  if (e.what === 'unmeasured') return { step, decision: `${targeting}: no country the split funds has a day of spend in the history${e.unmeasured.length > 0 ? ` (${e.unmeasured.join(', ')})` : ''}, so what a narrower audience would cost is unknown`, numbers: { ...chosen, unmeasured: e.unmeasured.join(',') || null } };
  const best = e.best;
  const numbers = {
    ...chosen,
    candidates: e.candidates,
    beyond_observed: e.beyondObserved,
    unmeasured: e.unmeasured.join(',') || null,
    whole_expected: round4(e.wholeExpected),
    best_age_min: best?.ageMin ?? null,
    best_age_max: best?.ageMax ?? null,
    best_gender: best?.gender ?? null,
    best_share: best === null ? null : round4(best.share),
    best_value_factor: best === null ? null : round4(best.valueFactor),
    best_cost_factor: best === null ? null : round4(best.costFactor),
    best_gain: best === null ? null : round4(best.gain),
    min_gain: e.minGain,
  };
  const leftOut = e.unmeasured.length === 0 ? '' : ` (judged without ${e.unmeasured.join(', ')}: no day of spend in the history)`;
  if (e.what === 'narrowed') return { step, decision: `${targeting}: keeps ${Math.round((best?.share ?? 0) * 100)} % of the delivery at ${round4(best?.valueFactor ?? 1)}x its value per impression, and the countries' curves expect ${Math.round((best?.gain ?? 0) * 1000) / 10} % more at the split${leftOut}`, numbers };
  const why = best === null
    ? "no narrower targeting keeps every country's spend within what its curve was measured on (its highest daily spend)"
    : `the best narrower one (age ${best.ageMin}-${best.ageMax}, gender ${best.gender}) is expected to change the split's value by ${Math.round(best.gain * 1000) / 10} %, under the ${e.minGain * 100} % an edit must gain`;
  return { step, decision: `${targeting}: the whole audience kept; ${why}${leftOut}`, numbers };
}

function presentLeftOut(e: LeftOutEvent): TraceEntryDocument {
  const step = 'special_ad_categories';
  const why = `${e.categories.join(', ')} forbid${e.categories.length === 1 ? 's' : ''}`;
  const categories = e.categories.join(',');
  switch (e.what) {
    case 'age':
      return { step, decision: `age ${e.ageMin}-${e.ageMax} instead of ${e.dataAgeMin}-${e.dataAgeMax}: ${why} age narrowing`, numbers: { categories, age_min: e.ageMin, age_max: e.ageMax, data_age_min: e.dataAgeMin, data_age_max: e.dataAgeMax } };
    case 'gender':
      return { step, decision: `all genders instead of ${e.dataGender}: ${why} a gender choice`, numbers: { categories, data_gender: e.dataGender } };
    case 'behaviors':
      return { step, decision: `${e.count} behaviors left out: ${why} behavior targeting`, numbers: { categories, behaviors_left_out: e.count } };
    case 'lookalikes':
      return { step, decision: `${e.count} lookalikes left out: ${why} lookalike audiences`, numbers: { categories, lookalikes_left_out: e.count } };
    case 'exclusions':
      return { step, decision: `no exclusions: ${why} excluding audiences or locations, so none is recommended and none may be carried over`, numbers: { categories } };
  }
}
