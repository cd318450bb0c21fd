// The `bayes` strategy's candidates for an ad set's interests and behaviors: every segment the
// campaign has evidence on, not only the ad set's own rows. Meta's Insights API has no interest or
// behavior breakdown, so an account's segment rows come from the ad sets that targeted them — often
// one interest per ad set — and choosing among an ad set's own rows would keep each ad set on the
// interests it already had.
//
// A segment's value for one ad set is estimated in two levels:
//   type pool (the campaign's segments of that type, strengths fitted by empirical Bayes)
//     → the segment's figures in the campaign's OTHER ad sets, shrunk toward the type pool
//       → the ad set's own figures of the segment, shrunk toward that.
// An ad set that never ran a segment gets the campaign-wide estimate; one that ran it a lot is
// judged mostly on its own delivery (its creative, ages and countries differ from the others').
// The other ad sets' figures exclude the ad set's own, so no row counts twice.
import type { ValuePriors } from './empirical-bayes.ts';
import { costPerImpression, fitStrengths, fittedPrior, pooledPrior, shrunkConversionRate, shrunkOrderValue, valuePerImpression, type RatePrior } from './value-model.ts';
import { addMetrics, emptyMetrics, subtractMetrics } from './metrics.ts';
import { asScoreTable, smooth, type ScoreTable } from './scoring.ts';
import type { AdSetSnapshot, FatigueVerdict, Metrics, SegmentBlend, SegmentHistory, SegmentScore, SegmentSize, SegmentType } from './types.ts';
import { conditionOnBlends, type BlendObservation, type ValueEstimate } from './segment-blends.ts';
import { valueInterval, Z_90 } from './credible-interval.ts';
import { perConversionVarianceOf } from './segment-value.ts';
import { segmentKey, type SegmentKey } from './segment-key.ts';

export type PoolType = Extract<SegmentType, 'interest' | 'behavior'>;
const POOL_TYPES: readonly PoolType[] = ['interest', 'behavior'];

export interface PooledSegment {
  /** The sum of the segment's rows over every ad set of the campaign. */
  history: SegmentHistory;
  /** Ad sets with rows of the segment. */
  adsets: number;
  /** The first fatigued verdict of the ad sets that ran it (in ad set order), else not fatigued. */
  fatigue: FatigueVerdict;
}

export interface CampaignSegments {
  /** Keyed `type:id`, in first-seen order (ad set order, then row order). */
  segments: Map<SegmentKey, PooledSegment>;
  /** Prior strengths fitted per type across the campaign's segments (one unit per segment). */
  priors: Map<PoolType, ValuePriors>;
  /** What each type's rates are shrunk toward at the top level. */
  ratePriors: Map<PoolType, RatePrior>;
  /**
   * How much the campaign's blends move a segment's value per impression, and that value's standard
   * deviation after them (segment-blends.ts); absent = in no blend.
   */
  blendShift: Map<SegmentKey, BlendShift>;
  /** Blends read (one per ad set and set of segments shared among). */
  blends: number;
}

/**
 * The order value's prior strength (conversions) for segments when its fit falls back, instead of
 * the countries' fixed 20. Where ad sets blend several segments, a segment's revenue per impression
 * is a blend but its order value is a ratio of blends, and shrinking that ratio hard hid most of
 * what the rows say. In bench/segment-choice.ts, 5 left every family as it was at 20 and lifted
 * the two shared-ad-set families; unshrunk lifted them more but cost others (docs/segment-choice.md).
 */
export const SEGMENT_ORDER_FALLBACK_STRENGTH = 5;


/**
 * Pools the interests and behaviors of every ad set. `verdicts[i]` are ad set i's fatigue verdicts
 * (its judged scores, any order). A segment fatigued (or resting) in one ad set is fatigued for the
 * ad sets that would take it from the campaign: fatigue is the audience's wear, which the other ad
 * sets' creatives meet too.
 */
export function poolCampaignSegments(
  adsets: readonly Pick<AdSetSnapshot, 'segments' | 'blends'>[],
  verdicts: readonly (ScoreTable | readonly SegmentScore[])[],
  /** Blend members weigh by known size^this where every member's size is known, else alike. */
  sizeExponent = 1,
): CampaignSegments {
  const segments = new Map<SegmentKey, PooledSegment>();
  adsets.forEach((a, i) => {
    const fatigued = new Map<SegmentKey, FatigueVerdict>();
    const table = asScoreTable(verdicts[i] ?? []);
    for (const [row, verdict] of table.fatigue) if (verdict.isFatigued) fatigued.set(segmentKey(table.rows[row]!), verdict);
    for (const h of a.segments) {
      if (h.segmentType !== 'interest' && h.segmentType !== 'behavior') continue;
      const key = segmentKey(h);
      let p = segments.get(key);
      if (!p) {
        p = {
          history: { segmentType: h.segmentType, segmentId: h.segmentId, segmentName: h.segmentName, total: emptyMetrics(), recent: emptyMetrics() },
          adsets: 0,
          fatigue: { isFatigued: false, reason: null },
        };
        segments.set(key, p);
      }
      addMetrics(p.history.total, h.total);
      addMetrics(p.history.recent, h.recent);
      if (h.shared !== undefined) p.history.shared = addMetrics(p.history.shared ?? emptyMetrics(), h.shared);
      p.adsets += 1;
      if (h.size !== undefined && p.history.size === undefined) p.history.size = h.size;
      const verdict = fatigued.get(key);
      if (verdict !== undefined && !p.fatigue.isFatigued) {
        p.fatigue = { isFatigued: true, reason: p.adsets > 1 || adsets.length > 1 ? `${verdict.reason ?? 'fatigued'} (in an ad set that ran it)` : verdict.reason };
      }
    }
  });
  const priors = new Map<PoolType, ValuePriors>();
  const ratePriors = new Map<PoolType, RatePrior>();
  for (const type of POOL_TYPES) {
    const units = [...segments.values()].filter((p) => p.history.segmentType === type).map((p) => p.history.total);
    if (units.length === 0) continue;
    const fit = fitStrengths(units);
    const fitted: ValuePriors = fit.order.fitted
      ? fit
      : { ...fit, order: { ...fit.order, strength: SEGMENT_ORDER_FALLBACK_STRENGTH, note: `${fit.order.note}; segments fall back to strength ${SEGMENT_ORDER_FALLBACK_STRENGTH}` } };
    priors.set(type, fitted);
    const pool = units.reduce((acc, m) => addMetrics(acc, m), emptyMetrics());
    ratePriors.set(type, fittedPrior(fitted, pool));
  }
  const blends = adsets.flatMap((a) => a.blends ?? []);
  const blendShift = blends.length === 0 ? new Map<SegmentKey, BlendShift>() : blendShifts(segments, blends, priors, ratePriors, sizeExponent);
  return { segments, priors, ratePriors, blendShift, blends: blends.length };
}

/** A segment's rows less its shares of blends: the evidence that is its own. */
export function ownRows(h: Pick<SegmentHistory, 'total' | 'shared'>): Metrics {
  return h.shared === undefined ? h.total : subtractMetrics(h.total, h.shared);
}

// A blend's value is read almost as observed: its own figures, barely shrunk.
const OBSERVATION_STRENGTHS = { ctr: 1, cvr: 1, order: 1 };

/** A blended segment's shift of value per impression (minor units) and its value's standard deviation after the blends. */
export interface BlendShift {
  shift: number;
  sd: number;
}

/**
 * Each blended segment's campaign-wide value per impression conditioned on the blends, less the
 * value its own rows give it: the shift its candidates take (segment-blends.ts).
 */
function blendShifts(segments: ReadonlyMap<SegmentKey, PooledSegment>, blends: readonly SegmentBlend[], priors: ReadonlyMap<PoolType, ValuePriors>, ratePriors: ReadonlyMap<PoolType, RatePrior>, sizeExponent: number): Map<SegmentKey, BlendShift> {
  const estimates = new Map<SegmentKey, ValueEstimate>();
  const members = new Set(blends.flatMap((b) => b.segments.map(segmentKey)));
  for (const key of members) {
    const p = segments.get(key);
    const prior = p === undefined ? undefined : ratePriors.get(p.history.segmentType as PoolType);
    if (p === undefined || prior === undefined) continue;
    estimates.set(key, estimateOf(ownRows(p.history), prior, perConversionVarianceOf(priors.get(p.history.segmentType as PoolType))));
  }
  const observations: BlendObservation[] = [];
  for (const b of blends) {
    const keys = b.segments.map(segmentKey);
    const types = b.segments.map((s) => s.segmentType).filter((t): t is PoolType => t === 'interest' || t === 'behavior');
    const type = types.filter((t) => t === 'behavior').length > types.length / 2 ? 'behavior' : 'interest';
    const prior = ratePriors.get(type) ?? ratePriors.get(type === 'interest' ? 'behavior' : 'interest');
    if (prior === undefined) continue;
    const observed = estimateOf(b.total, { ...prior, strengths: OBSERVATION_STRENGTHS }, perConversionVarianceOf(priors.get(type)));
    const sizes = keys.map((k) => knownSize(segments.get(k)?.history));
    const weights = sizes.every((x) => x !== null) ? sizes.map((x) => x! ** sizeExponent) : keys.map(() => 1);
    observations.push({ members: keys, weights, value: observed.mean, variance: observed.variance });
  }
  const conditioned = conditionOnBlends(estimates, observations);
  return new Map([...conditioned].map(([key, posterior]) => [key, { shift: posterior.mean - estimates.get(key)!.mean, sd: Math.sqrt(posterior.variance) }]));
}

function estimateOf(m: Metrics, prior: RatePrior, perConversionVariance: number | null): ValueEstimate {
  const interval = valueInterval([{ total: m, weight: 1 }], prior, perConversionVariance);
  const sd = (interval.upper - interval.mean) / Z_90;
  return { mean: interval.mean, variance: sd * sd };
}

/** `prior` moved toward what `others` observed, at the prior's own strengths: the segment's campaign-level posterior mean rates. */
export function segmentPrior(prior: RatePrior, others: Metrics): RatePrior {
  const { strengths } = prior;
  const order = shrunkOrderValue(others, prior);
  return {
    ctr: smooth(prior.ctr, strengths.ctr, others.impressions > 0 ? others.clicks / others.impressions : 0, others.impressions),
    cvr: shrunkConversionRate(others, prior, order),
    order: prior.order === null ? null : order,
    costPerImpression: prior.costPerImpression > 0 ? costPerImpression(others, prior) : 0,
    strengths,
  };
}

export interface AdSetCandidate {
  score: SegmentScore;
  /** The ad set's own rows of the segment (empty when it never ran it). */
  own: Metrics;
  /** The campaign-wide rows (own included). */
  campaign: SegmentHistory;
  /**
   * Expected revenue per impression for this ad set (minor units; per conversion when revenue is
   * unknown), or per minor unit of spend when the candidates are valued per spend.
   */
  value: number;
  /** What `value` was estimated from: the rows shrunk (the ad set's own, or the campaign's for a segment it never ran) and the prior they were shrunk toward. */
  valuedOn: { total: Metrics; prior: RatePrior };
  /** Expected cost per impression for this ad set (minor units; 0 when the pool spent nothing). */
  costPerImpression: number;
  /** How much the campaign's blends moved the value per impression; null = in none. */
  blendShift: BlendShift | null;
  ownHistory: SegmentHistory | null;
}

/**
 * The ad set's candidates of both types: its own segments with its own verdicts, then the
 * campaign's other segments, scored by `scoreForeign` (the seed's scoring of the campaign-wide
 * rows, for the fields a SegmentScore carries; scoreCampaignSegments computes it once per campaign)
 * with the campaign-wide fatigue verdict.
 * `composite` becomes value relative to the best candidate of the type (0..1).
 */
export function adsetCandidates(
  own: readonly SegmentHistory[],
  ownScores: readonly SegmentScore[],
  campaign: CampaignSegments,
  scoreForeign: (key: SegmentKey) => SegmentScore,
  /** Value per minor unit of spend (settings.segmentValue 'per_spend'), not per impression. */
  perSpend = false,
): AdSetCandidate[] {
  const ownByKey = new Map(own.map((h) => [segmentKey(h), h]));
  const scoreByKey = new Map(ownScores.map((s) => [segmentKey(s), s]));
  const foreign = [...campaign.segments.entries()].filter(([key]) => !ownByKey.has(key));
  const out: AdSetCandidate[] = [];
  const priorOf = (type: SegmentType) => campaign.ratePriors.get(type as PoolType) ?? pooledPrior(emptyMetrics());
  for (const [key, p] of campaign.segments) {
    const h = ownByKey.get(key);
    if (h === undefined) continue;
    const score = scoreByKey.get(key);
    if (score === undefined) continue;
    const evidence = ownRows(h);
    const others = subtractMetrics(ownRows(p.history), evidence);
    const prior = segmentPrior(priorOf(h.segmentType), others);
    const blendShift = campaign.blendShift.get(key) ?? null;
    out.push({ score, own: h.total, campaign: p.history, ...valued(evidence, prior, perSpend, blendShift?.shift ?? 0), valuedOn: { total: evidence, prior }, blendShift, ownHistory: h });
  }
  foreign.forEach(([key, p]) => {
    const score = { ...scoreForeign(key), fatigue: p.fatigue };
    const prior = priorOf(p.history.segmentType);
    const evidence = ownRows(p.history);
    const blendShift = campaign.blendShift.get(key) ?? null;
    out.push({ score, own: emptyMetrics(), campaign: p.history, ...valued(evidence, prior, perSpend, blendShift?.shift ?? 0), valuedOn: { total: evidence, prior }, blendShift, ownHistory: null });
  });
  const best = new Map<SegmentType, number>();
  for (const c of out) best.set(c.score.segmentType, Math.max(best.get(c.score.segmentType) ?? 0, c.value));
  return out.map((c) => {
    const top = best.get(c.score.segmentType)!;
    return { ...c, score: { ...c.score, composite: top > 0 ? c.value / top : 0 } };
  });
}

function valued(m: Metrics, prior: RatePrior, perSpend: boolean, blendShift: number): { value: number; costPerImpression: number } {
  const perImpression = Math.max(0, valuePerImpression(m, prior) + blendShift);
  // With no spend in the pool every impression costs alike: the value stays per impression (valuePerSpend).
  const cost = prior.costPerImpression > 0 ? costPerImpression(m, prior) : 0;
  return { value: perSpend && cost > 0 ? perImpression / cost : perImpression, costPerImpression: cost };
}

/**
 * The seed's scores of the campaign-wide rows, keyed as the pool: one scoring per campaign, not per
 * ad set, and none when no ad set asks (a campaign of one ad set has no foreign segments).
 */
export function scoreCampaignSegments(campaign: CampaignSegments, score: (histories: readonly SegmentHistory[]) => SegmentScore[]): (key: SegmentKey) => SegmentScore {
  let byKey: Map<SegmentKey, SegmentScore> | null = null;
  return (key) => {
    if (byKey === null) {
      const keys = [...campaign.segments.keys()];
      const scores = score([...campaign.segments.values()].map((p) => p.history));
      byKey = new Map(keys.map((k, i) => [k, scores[i]!]));
    }
    return byKey.get(key)!;
  };
}

/**
 * A segment's audience size for the set choice, from a real source only: the geometric mean of the
 * bounds (Meta's audience_size_lower_bound/upper_bound are a range a few times wide; a CSV's
 * segment_size gives lower = upper). Null when unknown.
 */
export function knownSize(h: Pick<SegmentHistory, 'size'> | null | undefined): number | null {
  const s: SegmentSize | undefined = h?.size;
  if (s === undefined || !(s.lower > 0) || !(s.upper >= s.lower)) return null;
  return Math.sqrt(s.lower * s.upper);
}
