// The `bayes` strategy's segment score: expected revenue per impression, each rate shrunk toward
// the fitted prior of the segments of the same type, relative to the best segment. The seed's
// composite multiplies by a confidence that falls with sample size, so a small segment that
// converts well is ranked under a big mediocre one; shrinkage instead pulls a small segment's
// estimate toward the pool by exactly as much as its data is thin. How it compares with the
// specification's composite and raw ratios: docs/decision-quality.md, "Measurements behind the
// engine's choices".
import { valueInterval, Z_90 } from './credible-interval.ts';
import type { ValuePriors } from './empirical-bayes.ts';
import type { SegmentEvidence } from './trace-events.ts';
import { costPerImpression, fitStrengths, fittedPrior, pooledPrior, valuePerImpression, valuePerSpend, type RatePrior } from './value-model.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { topK } from './top-k.ts';
import type { EngineSettings, Metrics, SegmentHistory, SegmentScore, SegmentType, UnknownSizeRule } from './types.ts';
import { segmentKey } from './segment-key.ts';

/**
 * Prior strengths per segment type, fitted across the ad set's segments of that type (the
 * campaign's pool: a snapshot holds one campaign, so there is no account level above it).
 */
export function fitSegmentPriors(histories: readonly SegmentHistory[]): Map<SegmentType, ValuePriors> {
  const byType = new Map<SegmentType, Metrics[]>();
  for (const h of histories) {
    const list = byType.get(h.segmentType);
    if (list) list.push(h.total);
    else byType.set(h.segmentType, [h.total]);
  }
  return new Map([...byType].map(([type, units]) => [type, fitStrengths(units)]));
}

/**
 * What each segment type's rates are shrunk toward: its fitted prior where `priors` has one, else
 * its pooled rates at the fixed strengths. The ranking and the exploration draws share it.
 */
export function ratePriorsByType(histories: readonly SegmentHistory[], priors: ReadonlyMap<SegmentType, ValuePriors> | null): Map<SegmentType, RatePrior> {
  const pooled = new Map<SegmentType, Metrics>();
  for (const h of histories) pooled.set(h.segmentType, addMetrics(pooled.get(h.segmentType) ?? emptyMetrics(), h.total));
  return new Map([...pooled].map(([type, pool]) => {
    const p = priors?.get(type);
    return [type, p ? fittedPrior(p, pool) : pooledPrior(pool)];
  }));
}

/** Returns the scores with `composite` replaced by value per impression relative to the best of its type (0..1). */
export function rescoreByValue(
  scores: readonly SegmentScore[],
  histories: readonly SegmentHistory[],
  priorOf: ReadonlyMap<SegmentType, RatePrior> = ratePriorsByType(histories, fitSegmentPriors(histories)),
  perSpend = false,
): SegmentScore[] {
  const totals = new Map<string, Metrics>(histories.map((h) => [segmentKey(h), h.total]));
  const values = scores.map((s) => {
    const m = totals.get(segmentKey(s)) ?? emptyMetrics();
    const prior = priorOf.get(s.segmentType) ?? pooledPrior(emptyMetrics());
    const perImpression = valuePerImpression(m, prior);
    return perSpend ? valuePerSpend(perImpression, m, prior) : perImpression;
  });
  const best = new Map<SegmentType, number>();
  scores.forEach((s, i) => best.set(s.segmentType, Math.max(best.get(s.segmentType) ?? 0, values[i]!)));
  return scores.map((s, i) => {
    const top = best.get(s.segmentType)!;
    return { ...s, composite: top > 0 ? values[i]! / top : 0 };
  });
}

/**
 * What a segment's value rests on, for the trace: `delivery` in the window, and the value model's
 * posterior mean of `valuedOn`'s revenue per impression shrunk toward `prior`, with its 90 %
 * credible interval (credible-interval.ts; `perConversionVariance` null = the fallback of
 * coefficient of variation 1), per 1,000 impressions in major units. Without revenue tracked the
 * value is conversions, not money: no value then.
 */
export function segmentEvidence(delivery: Metrics, valuedOn: Metrics, prior: RatePrior, perConversionVariance: number | null, minorPerMajor: number): SegmentEvidence {
  const interval = prior.order === null ? null : valueInterval([{ total: valuedOn, weight: 1 }], prior, perConversionVariance);
  const per1000 = (x: number) => (x * 1000) / minorPerMajor;
  return {
    impressions: delivery.impressions,
    clicks: delivery.clicks,
    // Rows whose conversions are unknown add to neither figure: both 0 means none was known.
    conversions: delivery.clicksWithConversions > 0 || delivery.conversions > 0 ? delivery.conversions : null,
    costPer1000: delivery.impressions > 0 ? per1000(delivery.spendMinor / delivery.impressions) : null,
    valuePer1000: interval === null ? null : { mean: per1000(interval.mean), lower: per1000(interval.lower), upper: per1000(interval.upper) },
  };
}

/**
 * `evidence` with its value as the segment's blends leave it (segment-blends.ts): the mean moved by
 * `blends.shift` per impression (minor units), as the candidate's value was moved, and the 90 %
 * interval from the standard deviation after the blends (`blends.sd`), held at or above 0.
 */
export function withBlendShift(evidence: SegmentEvidence, blends: { shift: number; sd: number } | null, minorPerMajor: number): SegmentEvidence {
  if (blends === null || evidence.valuePer1000 === null) return evidence;
  const per1000 = (x: number) => (x * 1000) / minorPerMajor;
  const mean = Math.max(0, evidence.valuePer1000.mean + per1000(blends.shift));
  const half = Z_90 * per1000(blends.sd);
  return { ...evidence, valuePer1000: { mean, lower: Math.max(0, mean - half), upper: mean + half }, fromBlends: per1000(blends.shift) };
}

/** The order value's per-conversion variance of a fitted prior, where its fit succeeded. */
export function perConversionVarianceOf(p: ValuePriors | undefined): number | null {
  return p?.order.fitted ? p.order.perConversionVariance : null;
}

/**
 * Each segment's expected cost per impression under its type's prior (for weighBySize and
 * weighByKnownSize when valued per spend); 1 for all where the pool spent nothing.
 */
export function costsOf(histories: readonly SegmentHistory[], priorOf: ReadonlyMap<SegmentType, RatePrior>): (s: SegmentScore) => number {
  const byKey = new Map(histories.map((h) => [segmentKey(h), h.total]));
  return (s) => {
    const prior = priorOf.get(s.segmentType);
    if (prior === undefined || !(prior.costPerImpression > 0)) return 1;
    return costPerImpression(byKey.get(segmentKey(s)) ?? emptyMetrics(), prior);
  };
}

/** What the `bayes` set choice says of one segment type, for the trace. */
export interface SizeWeighedChoice {
  type: SegmentType;
  slots: number;
  /** λ*: the size-weighted mean relative value of the best set of `slots` segments. */
  setValue: number;
  candidates: number;
}

/**
 * How much a segment's size counts in the set choice (weight = size^exponent,
 * TARGETING_SIZE_EXPONENT). Where Meta delivers a union of segments, the set earns the mean of
 * their values weighted by the delivery each receives: by size, or tilted toward the people who
 * convert by Meta's delivery optimisation. Size here is that delivery as observed (impressions per
 * day of delivery), so the consistent exponent is 1; below 1 because that observation is noisy and
 * depends on the set a segment was delivered in (a segment in a set of small ones gets more per
 * day). The exponent's measured effect in the closed loop, under each delivery model:
 * docs/decision-quality.md, "Measurements behind the engine's choices"; an account whose
 * per-interest rows are not breakdowns of one union's delivery (one ad set per interest, say, where
 * delivery follows each ad set's budget) should set the exponent lower.
 */
export const DEFAULT_SIZE_EXPONENT = 0.75;
/** Engine version 3's fixed exponent: what settings stored before TARGETING_SIZE_EXPONENT existed decide with. */
export const SIZE_EXPONENT_BEFORE_SETTING = 0.25;

export function sizeExponentOf(settings: Pick<EngineSettings, 'sizeExponent'>): number {
  return settings.sizeExponent ?? SIZE_EXPONENT_BEFORE_SETTING;
}

/** The exponent where no candidate's rows are blends (ownRowsSizeExponent); without it, sizeExponentOf. */
export const DEFAULT_OWN_ROWS_SIZE_EXPONENT = 1;

/**
 * The exponent the campaign's set choice weighs sizes with, and which rows set it (absent: settings
 * with one exponent for every campaign). Where some rows are blends (an ad set of several segments
 * credited to each in equal shares), a segment the set leaves out stays known only through its
 * blends, and weighing by size itself settles the loop on bigger, less valuable sets; where every
 * row is a segment's own delivery, size itself is the consistent weight.
 */
export function campaignSizeExponent(settings: Pick<EngineSettings, 'sizeExponent' | 'ownRowsSizeExponent'>, blends: number): { exponent: number; exponentFor?: 'own_rows' | 'blended_rows' } {
  if (settings.ownRowsSizeExponent === undefined) return { exponent: sizeExponentOf(settings) };
  return blends === 0 ? { exponent: settings.ownRowsSizeExponent, exponentFor: 'own_rows' } : { exponent: sizeExponentOf(settings), exponentFor: 'blended_rows' };
}

/**
 * The `bayes` strategy's choice of a set. An ad set targets the union of its interests (and of its
 * behaviors), so the set earns a delivery-weighted mean of its segments' values, not their plain
 * mean: a tiny segment that converts well adds little delivery, a big mediocre one dilutes the
 * rest. The `slots` segments with the highest weighted mean value are the ones with the largest
 * weight × (value − λ) at λ = that mean, found by Dinkelbach's iteration (take the top by
 * weight × (value − λ), set λ to their weighted mean, repeat until λ stops rising). `composite`
 * becomes weight × (value − λ*) rescaled to 0..1 within the type, so that taking the top `slots` by
 * composite takes that set, and the pixel genre boost still nudges it.
 *
 * Size is impressions per day of delivery in the window (SegmentHistory.activeDays): what the
 * segment absorbs when targeted; the weight is size^exponent (sizeExponentOf). Not impressions over the
 * window: a segment chosen before has more of those and would keep being chosen (measured: worse
 * than ignoring size). A snapshot without activeDays counts every day of the window.
 */
export function weighBySize(
  scores: readonly SegmentScore[],
  histories: readonly SegmentHistory[],
  slots: ReadonlyMap<SegmentType, number>,
  windowDays: number,
  exponent: number,
  /** Valued per spend: each segment's cost per impression, so that it weighs by the spend its delivery takes. */
  costOf: (s: SegmentScore) => number = () => 1,
): { scores: SegmentScore[]; choices: SizeWeighedChoice[] } {
  const byKey = new Map(histories.map((h) => [segmentKey(h), h]));
  const sizeOf = (s: SegmentScore) => {
    const h = byKey.get(segmentKey(s));
    return h ? (h.total.impressions / Math.max(1, h.activeDays ?? windowDays)) ** exponent * costOf(s) : 0;
  };
  return chooseWeightedSets(scores, slots, sizeOf);
}

/** What the set choice by known sizes says of one segment type, for the trace. */
export interface KnownSizeChoice extends SizeWeighedChoice {
  /** Candidates whose audience size a real source gives. */
  sized: number;
  /** True when the set was weighed by size; false = chosen by value alone. */
  weighed: boolean;
  /** The size a candidate without one weighed as (the median of its type's known sizes); absent when every candidate's was known. */
  typicalSize?: number;
}

/** The median of the known sizes: what a candidate without one is taken to be, neither large nor small. */
function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * The set choice of the `campaign` segment pool: as weighBySize, with weight = size^exponent, but
 * size only from a real source (`sizeOf` returns null when unknown). A type none of whose eligible
 * candidates has a size keeps its scores (value relative to the best): ranking by the shrunk
 * posterior mean; so does a type with some sizes unknown under the 'unweighed' rule, while under
 * 'typical' those weigh as the median known size. Delivery is never read as size: it says how the
 * advertiser funded a segment, not how many people it holds.
 */
export function weighByKnownSize(
  scores: readonly SegmentScore[],
  slots: ReadonlyMap<SegmentType, number>,
  exponent: number,
  sizeOf: (s: SegmentScore) => number | null,
  /** Valued per spend: each segment's cost per impression, so that it weighs by the spend its delivery takes. */
  costOf: (s: SegmentScore) => number = () => 1,
  unknownSizes: UnknownSizeRule = 'unweighed',
): { scores: SegmentScore[]; choices: KnownSizeChoice[]; weightOf: (s: SegmentScore) => number } {
  // Per type: its eligible candidates, how many have a known size, whether the set is weighed by
  // size, and the size the unknown ones weigh as where some are unknown.
  const byType = new Map<SegmentType, { candidates: number; sized: number; weighed: boolean; typical?: number }>();
  for (const [type] of slots) {
    const eligible = scores.filter((s) => s.segmentType === type && !s.fatigue.isFatigued);
    const known = eligible.map(sizeOf).filter((x): x is number => x !== null);
    const everySize = eligible.length > 0 && known.length === eligible.length;
    const typical = !everySize && unknownSizes === 'typical' && known.length > 0 ? medianOf(known) : undefined;
    byType.set(type, { candidates: eligible.length, sized: known.length, weighed: everySize || typical !== undefined, ...(typical === undefined ? {} : { typical }) });
  }
  // What each segment weighs in its set's value: size^exponent × cost where the type is weighed by size, alike otherwise.
  const weightOf = (s: SegmentScore) => {
    const t = byType.get(s.segmentType);
    return t?.weighed === true ? (sizeOf(s) ?? t.typical ?? 0) ** exponent * costOf(s) : 1;
  };
  const weighed = chooseWeightedSets(scores, new Map([...slots].filter(([type]) => byType.get(type)!.weighed)), weightOf);
  const choices = [...slots].map(([type, k]): KnownSizeChoice => {
    const t = byType.get(type)!;
    const done = weighed.choices.find((c) => c.type === type);
    return done ? { ...done, sized: t.sized, weighed: true, ...(t.typical === undefined ? {} : { typicalSize: t.typical }) } : { type, slots: k, setValue: 0, candidates: t.candidates, sized: t.sized, weighed: false };
  });
  return { scores: weighed.scores, choices, weightOf };
}

/** Dinkelbach's iteration per type (see weighBySize), each segment weighing `sizeOf(segment)`. */
function chooseWeightedSets(
  scores: readonly SegmentScore[],
  slots: ReadonlyMap<SegmentType, number>,
  sizeOf: (s: SegmentScore) => number,
): { scores: SegmentScore[]; choices: SizeWeighedChoice[] } {
  const out = [...scores];
  const choices: SizeWeighedChoice[] = [];
  for (const [type, k] of slots) {
    const members = scores.map((s, i) => ({ s, i, size: sizeOf(s) })).filter((m) => m.s.segmentType === type);
    const eligible = members.filter((m) => !m.s.fatigue.isFatigued);
    if (eligible.length === 0 || k <= 0) continue;
    let lambda = 0;
    for (let step = 0; step < 100; step++) {
      const at = lambda;
      const top = topK(eligible, k, (a, b) => b.size * (b.s.composite - at) - a.size * (a.s.composite - at));
      const weight = top.reduce((a, m) => a + m.size, 0);
      const next = weight > 0 ? top.reduce((a, m) => a + m.size * m.s.composite, 0) / weight : 0;
      if (!(next > lambda + 1e-12)) break;
      lambda = next;
    }
    const keys = members.map((m) => m.size * (m.s.composite - lambda));
    const lo = Math.min(...keys);
    const hi = Math.max(...keys);
    members.forEach((m, j) => {
      out[m.i] = { ...m.s, composite: hi > lo ? (keys[j]! - lo) / (hi - lo) : 1 };
    });
    choices.push({ type, slots: k, setValue: lambda, candidates: eligible.length });
  }
  return { scores: out, choices };
}
