// The trace lines of the segment choice (ranking, exploration, rests after fatigue), the fitted
// priors and the expected rates, in the specification's words and roundings.
import type { ValuePriors } from '../engine/empirical-bayes.ts';
import type { ChangePointFit } from '../engine/fatigue-fit.ts';
import { LEARNING_CONVERSIONS } from '../engine/targeting-edits.ts';
import type {
  AdSetSegmentScoreEvent,
  BackFromRestEvent,
  BayesExpectedEvent,
  CampaignSegmentScoreEvent,
  EvidenceCoverage,
  TargetingEditEvent,
  ExpectedPriorSource,
  ExplorationEvent,
  FatigueRestEvent,
  PriorsFittedEvent,
  RankedType,
  SegmentCutEvent,
  SegmentEvidence,
  SegmentExcludedEvent,
  SegmentExploredEvent,
  SegmentRankedEvent,
  SpecExpectedEvent,
} from '../engine/trace-events.ts';
import type { TraceEntryDocument } from './recommendation-document.ts';

type Numbers = TraceEntryDocument['numbers'];

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const sig = (x: number, digits: number) => Number(x.toPrecision(digits));
/** The audience builder's rounding (half up at the fourth decimal), kept so the documents read as they did. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const stepOf = (type: RankedType) => (type === 'interest' ? 'interests' : 'behaviors');

export function presentExcluded(e: SegmentExcludedEvent): TraceEntryDocument {
  return {
    step: stepOf(e.segmentType),
    decision: `excluded "${e.segmentName}": fatigued (${e.reason ?? 'no reason given'})`,
    numbers: { segment_id: e.segmentId, ...(e.named ? { segment_name: e.segmentName } : {}), composite: round4(e.composite), reason: e.reason },
  };
}

export function presentRanked(e: SegmentRankedEvent): TraceEntryDocument {
  const numbers: Numbers = { segment_id: e.segmentId, ...(e.evidence === null ? {} : { segment_name: e.segmentName }), rank: e.rank, composite: round4(e.composite), confidence: round4(e.confidence) };
  if (e.genre !== null) Object.assign(numbers, { genre: e.genre.name, pixel_share: round4(e.genre.pixelShare), score: round4(e.score) });
  else numbers.score = round4(e.score);
  if (e.evidence !== null) Object.assign(numbers, evidenceNumbers(e.evidence));
  return { step: stepOf(e.segmentType), decision: `rank ${e.rank}: "${e.segmentName}"`, numbers };
}

/** Value per 1,000 impressions in major units, to the hundredth of a cent. */
const value4 = (x: number) => round(x, 4);

function evidenceNumbers(e: SegmentEvidence): Numbers {
  return {
    impressions: e.impressions,
    clicks: e.clicks,
    conversions: e.conversions,
    cost_per_1000: e.costPer1000 === null ? null : value4(e.costPer1000),
    value_per_1000: e.valuePer1000 === null ? null : value4(e.valuePer1000.mean),
    value_low: e.valuePer1000 === null ? null : value4(e.valuePer1000.lower),
    value_high: e.valuePer1000 === null ? null : value4(e.valuePer1000.upper),
    ...(e.fromBlends === undefined ? {} : { value_from_blends: value4(e.fromBlends) }),
  };
}

export function presentCut(e: SegmentCutEvent): TraceEntryDocument {
  const step = stepOf(e.segmentType);
  return e.cut === null
    ? { step, decision: `all ${e.eligible} eligible ${step} fit within the limit of ${e.max}`, numbers: { eligible: e.eligible, max: e.max, cut_score: null } }
    : { step, decision: `cut line: best ${e.segmentType} left out by the limit of ${e.max} is "${e.cut.segmentName}"`, numbers: { eligible: e.eligible, max: e.max, cut_segment_id: e.cut.segmentId, cut_score: round4(e.cut.score) } };
}

export function presentBackFromRest(e: BackFromRestEvent): TraceEntryDocument {
  return {
    step: stepOf(e.segmentType),
    decision: `"${e.segmentName}" is back from a rest (delivered before its last ${e.recentDays} days, hardly within them): only an exploration slot can re-admit it`,
    numbers: { segment_id: e.segmentId, earlier_impressions: e.earlierImpressions, recent_impressions: e.recentImpressions },
  };
}

export function presentExploration(e: ExplorationEvent): TraceEntryDocument {
  if (e.discoveredOnly === true) {
    return {
      step: 'explore',
      decision: `discovery: ${e.exploredInterests} of ${e.maxInterests} interest slots for the ${e.discovered} interests targeting discovery found (no delivery of their own yet: they can enter no other way), drawn from the interests' prior; no other exploration (share 0) (discovery share ${e.share})`,
      numbers: { exploration_share: 0, discovery_share: e.share, interest_slots: e.interestSlots, behavior_slots: 0, discovered_candidates: e.discovered },
    };
  }
  return {
    step: 'explore',
    decision: `exploration: ${e.exploredInterests} of ${e.maxInterests} interest and ${e.exploredBehaviors} of ${e.maxBehaviors} behavior slots by Thompson sampling among the segments not chosen${e.discovered > 0 ? ` and ${e.discovered} discovered interests without delivery (these only ever through exploration)` : ''} (share ${e.share})`,
    numbers: { exploration_share: e.share, interest_slots: e.interestSlots, behavior_slots: e.behaviorSlots, ...(e.discovered > 0 ? { discovered_candidates: e.discovered } : {}) },
  };
}

export function presentExplored(e: SegmentExploredEvent): TraceEntryDocument {
  const d = e.discovered;
  return {
    step: `${stepOf(e.segmentType)}.explore`,
    decision: `explored "${e.segmentName}": posterior draw ${e.draw.toPrecision(3)} ${e.per === 'spend' ? 'per unit of spend' : 'per impression'}, rank ${e.drawRank} among ${e.draws} draws; sample ${thousands(e.impressions)} impressions${e.recovering ? '; back from a rest' : ''}${d ? `; a discovered candidate (${d.reason}; Meta audience ${thousands(d.size.lower)}–${thousands(d.size.upper)}), drawn from the ${e.segmentType} prior: no delivery of its own yet` : ''}`,
    numbers: { segment_id: e.segmentId, rank: e.rank, ...(e.per === 'spend' ? { draw_per_spend: sig(e.draw, 6), mean_per_spend: sig(e.meanValue, 6) } : { draw_minor_per_impression: sig(e.draw, 6), mean_minor_per_impression: sig(e.meanValue, 6) }), draw_rank: e.drawRank, draws: e.draws, impressions: e.impressions, recovering: e.recovering, ...(d ? { discovered: true, size_lower: d.size.lower, size_upper: d.size.upper } : {}) },
  };
}

function fitNumbers(fit: ChangePointFit | null): Numbers {
  if (fit === null) return { fit: 'too few days or impressions on each side of any break' };
  return {
    ctr_before: sig(fit.ctrBefore, 4),
    ctr_after: sig(fit.ctrAfter, 4),
    ctr_ratio: sig(fit.ratio, 4),
    break_date: fit.breakDate,
    break_cumulative_frequency: fit.breakFrequency === null ? null : sig(fit.breakFrequency, 4),
    likelihood_ratio: sig(fit.likelihoodRatio, 4),
    dispersion: sig(fit.dispersion, 4),
    p_value: sig(fit.pValue, 3),
    breaks_searched: fit.breaksSearched,
    days_fitted: fit.days,
  };
}

export function presentFatigueRest(e: FatigueRestEvent): TraceEntryDocument {
  const step = 'fatigue.rest';
  const id = { segment_id: e.segmentId, segment_type: e.segmentType };
  switch (e.what) {
    case 'started':
      return { step, decision: `"${e.segmentName}" rests from ${e.since} until ${e.until}: ${e.reasons.join('; ')}`, numbers: { ...id, since: e.since, until: e.until, rest_days: e.restDays, ...fitNumbers(e.fit) } };
    case 'started_without_days':
      return { step, decision: `"${e.segmentName}" rests from ${e.since} until ${e.until}: ${e.reason ?? 'fatigued'}`, numbers: { ...id, since: e.since, until: e.until, rest_days: e.restDays, rule: 'recent against earlier CTR (z-test): no daily points' } };
    case 'again':
      // since/until are the new rest, as on every line that starts one (engine version 9; before, they
      // were the rest that ended); the rest that ended is named apart.
      return {
        step,
        decision: `"${e.segmentName}" rests from ${e.since} until ${e.until}: fatigued again after its rest (${e.reasons.join('; ')})`,
        numbers: { ...id, since: e.since, until: e.until, rest_days: e.restDays, ended_rest_since: e.restSince, ended_rest_until: e.restUntil, impressions_after_rest: e.impressionsAfterRest, days_after_rest: e.daysAfterRest, ...fitNumbers(e.fit) },
      };
    case 'resting':
      return { step, decision: `"${e.segmentName}" is still resting (since ${e.since}, until ${e.until})`, numbers: { ...id, since: e.since, until: e.until } };
    case 'back': {
      const base = { ...id, since: e.since, until: e.until, impressions_after_rest: e.impressionsAfterRest, days_after_rest: e.daysAfterRest };
      return {
        step,
        decision: e.enough
          ? `"${e.segmentName}" is back: its ${e.impressionsAfterRest} impressions since its rest (${e.since} to ${e.until}) show no fatigue`
          : `"${e.segmentName}" is back after its rest (${e.since} to ${e.until}): ${e.explorable ? 'this decision does not explore, so it competes for the ranked slots' : 'only interests and behaviors are explored, so it competes as before'}`,
        numbers: { ...base, ...(e.enough ? fitNumbers(e.fit) : {}) },
      };
    }
    case 'readmitted':
      return {
        step,
        decision: `"${e.segmentName}" re-admitted to exploration after its rest (${e.since} to ${e.until}): exploration slots only until its delivery since shows no fatigue (${e.impressionsAfterRest} of ${e.minImpressions} impressions, ${e.daysAfterRest} of ${e.minDays} days)`,
        numbers: { ...id, since: e.since, until: e.until, impressions_after_rest: e.impressionsAfterRest, days_after_rest: e.daysAfterRest },
      };
  }
}

/** The fitted priors' figures, each name after `prefix`. */
export function priorNumbers(prefix: string, p: ValuePriors): Numbers {
  return {
    [`${prefix}ctr_mean`]: sig(p.ctr.mean, 4),
    [`${prefix}ctr_strength`]: sig(p.ctr.strength, 4),
    [`${prefix}ctr_fitted`]: p.ctr.fitted,
    [`${prefix}cvr_mean`]: sig(p.cvr.mean, 4),
    [`${prefix}cvr_strength`]: sig(p.cvr.strength, 4),
    [`${prefix}cvr_fitted`]: p.cvr.fitted,
    [`${prefix}order_value_mean_minor`]: sig(p.order.mean, 6),
    [`${prefix}order_value_strength`]: sig(p.order.strength, 4),
    [`${prefix}order_value_fitted`]: p.order.fitted,
    [`${prefix}units`]: p.ctr.units,
    [`${prefix}notes`]: `CTR: ${p.ctr.note}; CVR: ${p.cvr.note}; order value: ${p.order.note}`,
  };
}

export function presentPriorsFitted(e: PriorsFittedEvent): TraceEntryDocument {
  const step = 'priors.fitted';
  if (e.pool === 'countries') {
    return { step, decision: 'countries\' value per impression shrunk with prior strengths fitted across the countries by empirical Bayes (fixed strengths where the fit fell back)', numbers: { pool: 'countries', use_fitted: true, ...priorNumbers('', e.priors) } };
  }
  const type = e.segmentType;
  const where = e.pool === 'adset' ? 'the ad set\'s' : 'the campaign\'s';
  return {
    step,
    decision: `${type}s' rates shrunk toward ${where} ${type} pool with prior strengths fitted across its ${e.priors.ctr.units} ${type}s by empirical Bayes (fixed strengths where the fit fell back)`,
    numbers: { pool: e.pool === 'adset' ? type : `campaign ${type}s`, use_fitted: true, ...priorNumbers('', e.priors) },
  };
}

export function presentAdSetSegmentScore(e: AdSetSegmentScoreEvent): TraceEntryDocument {
  return {
    step: 'segments.score',
    decision: `interests and behaviors valued by expected revenue per ${valuedPer(e.per)}, shrunk toward their type's fitted prior, relative to the best; then chosen as the set whose delivery earns the most: each weighs by its impressions per day of delivery to the power ${e.sizeExponent}, and the score is that weight × (value − the best set's weighted value), rescaled 0..1 (src/engine/segment-value.ts)`,
    numbers: { segments: e.segments, size_exponent: e.sizeExponent, ...(e.per === 'spend' ? { value_per: 'spend' } : {}), ...Object.fromEntries(e.choices.flatMap((c) => [[`${c.type}_slots`, c.slots], [`${c.type}_set_value`, round(c.setValue, 4)], [`${c.type}_candidates`, c.candidates]])) },
  };
}

/** Why the campaign's set choice weighs sizes with its exponent. */
function exponentWhy(exponentFor: CampaignSegmentScoreEvent['exponentFor']): string {
  if (exponentFor === 'own_rows') return " (every segment row is the segment's own delivery)";
  if (exponentFor === 'blended_rows') return " (some segment rows are shares of an ad set's blend)";
  return '';
}

export function presentCampaignSegmentScore(e: CampaignSegmentScoreEvent): TraceEntryDocument {
  const how = e.choices.filter((c) => c.candidates > 0).map((c) => c.weighed
    ? `${c.type}s: the set whose audience earns the most, each weighing by its known audience size to the power ${e.sizeExponent}${exponentWhy(e.exponentFor)}${c.typicalSize === undefined ? '' : ` (known for ${c.sized} of ${c.candidates}; the others weigh as the median known size, ${Math.round(c.typicalSize)})`}`
    : `${c.type}s: by value (audience size known for ${c.sized} of ${c.candidates}; delivery is not read as size)`);
  return {
    step: 'segments.score',
    decision: `interests and behaviors valued by expected revenue per ${valuedPer(e.per)} for this ad set, relative to the best; chosen ${how.length > 0 ? how.join('; ') : 'none: no candidates'} (src/engine/segment-value.ts)`,
    numbers: { segments: e.segments, size_exponent: e.sizeExponent, ...(e.exponentFor === undefined ? {} : { size_exponent_for: e.exponentFor }), ...(e.per === 'spend' ? { value_per: 'spend' } : {}), ...Object.fromEntries(e.choices.flatMap((c) => [[`${c.type}_slots`, c.slots], [`${c.type}_candidates`, c.candidates], [`${c.type}_sized`, c.sized], [`${c.type}_by_size`, c.weighed], ...(c.weighed ? [[`${c.type}_set_value`, round(c.setValue, 4)]] : []), ...(c.typicalSize === undefined ? [] : [[`${c.type}_typical_size`, Math.round(c.typicalSize)]])])) },
  };
}

const pctOf = (x: number) => `${(x * 100).toFixed(1)} %`;

export function presentTargetingEdit(e: TargetingEditEvent): TraceEntryDocument {
  const set = `${e.inForce} ${e.segmentType}s in force`;
  const learning = e.conversionsPerDay === null
    ? ''
    : e.countryAdSets !== undefined
      ? `; applied as ${e.countryAdSets.adSets} ad sets by country, each learning on its own conversions, learning lasts about ${round(e.countryAdSets.learningDays, 1)} days (weighted by budget)${e.minGain > e.baseGain ? `, so the gain required grows from ${pctOf(e.baseGain)}` : ''}`
      : e.minGain > e.baseGain
      ? `; with ${round(e.conversionsPerDay, 1)} conversions a day learning lasts about ${e.conversionsPerDay > 0 ? `${Math.round(LEARNING_CONVERSIONS / e.conversionsPerDay)} days` : 'until conversions come'}, so the gain required grows from ${pctOf(e.baseGain)}`
      : `; with ${round(e.conversionsPerDay, 1)} conversions a day learning lasts two days or less`;
  const why = `an edit restarts Meta's learning phase${learning}`;
  const decision = {
    unchanged: `kept the ${set}: they are still the best`,
    gain: `edited the ${set}: the chosen set is worth ${e.gain === null || e.gain === undefined ? 'more (the set in force is worth nothing)' : `${pctOf(e.gain)} more`}, at least the ${pctOf(e.minGain)} an edit must gain (${why})`,
    gain_below: `kept the ${set}: the best set would be worth only ${pctOf(e.gain ?? 0)} more, below the ${pctOf(e.minGain)} an edit must gain (${why})`,
    member_unavailable: `edited the ${set}: ${e.unavailable?.length ?? 0} of them can no longer be chosen (tiring, resting or without rows): ${(e.unavailable ?? []).join(', ')}`,
    size_changed: `edited the ${set}: ${e.chosen} are chosen now`,
  }[e.reason];
  return {
    step: 'segments.edit',
    decision,
    numbers: {
      segment_type: e.segmentType,
      in_force: e.inForce,
      chosen: e.chosen,
      edited: e.edited,
      min_gain: round(e.minGain, 4),
      base_gain: e.baseGain,
      conversions_per_day: e.conversionsPerDay === null ? null : round(e.conversionsPerDay, 2),
      ...(e.countryAdSets === undefined ? {} : { country_ad_sets: e.countryAdSets.adSets, learning_days: round(e.countryAdSets.learningDays, 2) }),
      ...(e.chosenValue === undefined ? {} : { chosen_value: round(e.chosenValue, 4) }),
      ...(e.inForceValue === undefined ? {} : { in_force_value: round(e.inForceValue, 4) }),
      ...(e.gain === undefined || e.gain === null ? {} : { gain: round(e.gain, 4) }),
    },
  };
}

function valuedPer(per: 'spend' | undefined): string {
  return per === 'spend' ? 'unit of spend (value per impression over cost per impression)' : 'impression';
}

function coverageNote(c: EvidenceCoverage): string {
  const missing: string[] = [];
  if (!c.cvrObserved) missing.push('no click with known conversions (CVR is the prior)');
  if (!c.roasObserved) missing.push('no spend with known revenue (ROAS is the prior)');
  return missing.length > 0 ? `; confidence scaled to ${c.share}: ${missing.join(', ')}` : '';
}

export function presentSpecExpected(e: SpecExpectedEvent): TraceEntryDocument {
  return e.byCountry
    ? {
      step: 'expected',
      decision: `expected rates are the budget-weighted smoothed rates of the chosen countries${coverageNote(e.coverage)}`,
      numbers: { ctr: round(e.ctr, 5), cvr: round(e.cvr, 5), roas: round(e.roas, 3), evidence_coverage: e.coverage.share, confidence: round(e.confidence, 3) },
    }
    : {
      step: 'expected',
      decision: `expected rates are the ad set's smoothed totals (no country breakdown)${coverageNote(e.coverage)}`,
      numbers: { impressions: e.impressions, evidence_coverage: e.coverage.share, confidence: round(e.confidence, 3) },
    };
}

const PRIOR_SOURCES: Record<ExpectedPriorSource, string> = {
  countries: 'its countries\' pooled rates',
  campaign: 'the campaign\'s other ad sets\' rates: the ad set has one country, or no country breakdown, and its own rates as the prior would count its rows twice',
  adset: 'its own rates: it has one country, or no country breakdown, and no other ad set of the campaign has delivery',
};

export function presentBayesExpected(e: BayesExpectedEvent): TraceEntryDocument {
  const spec = presentSpecExpected(e.spec);
  const s4 = (x: number) => sig(x, 4);
  const { level, interval } = e;
  const levelNote = level.factor === 1 ? '' : `; ROAS moved to the last ${e.recentDays} days' level (×${s4(level.factor)}: their ROAS shrunk toward the window's with strength ${e.priorStrength}, over the window's)`;
  return {
    step: 'expected',
    decision: `${spec.decision}${levelNote}; confidence from the 90 % credible interval of expected revenue per impression${e.priorFrom === undefined ? '' : ` (rates shrunk toward ${PRIOR_SOURCES[e.priorFrom]})`}, ${s4(interval.lower * 1000)}–${s4(interval.upper * 1000)} minor units per 1,000 impressions: clamp(1 − relative half-width, 0, 0.95) × evidence coverage`,
    numbers: {
      ...spec.numbers,
      roas: round(e.roas, 3),
      roas_window_rates: round(e.windowRatesRoas, 3),
      roas_window: level.windowRoas === null ? null : round(level.windowRoas, 3),
      roas_recent_days: level.recentRoas === null ? null : round(level.recentRoas, 3),
      roas_level_factor: round(level.factor, 4),
      value_per_1000_impressions_minor: s4(interval.mean * 1000),
      ci90_lower_per_1000_impressions_minor: s4(interval.lower * 1000),
      ci90_upper_per_1000_impressions_minor: s4(interval.upper * 1000),
      ci90_relative_half_width: Number.isFinite(interval.relativeHalfWidth) ? round(interval.relativeHalfWidth, 4) : null,
      interval_confidence: round(interval.confidence, 3),
      ...(e.countryPriors ? priorNumbers('country_prior_', e.countryPriors) : {}),
      country_priors_in_use: e.countryPriors !== null ? 'fitted where the fit succeeded' : 'fixed',
      ...(e.priorFrom === undefined ? {} : { interval_prior: e.priorFrom }),
      evidence_coverage: e.spec.coverage.share,
      confidence: round(e.confidence, 3),
    },
  };
}
