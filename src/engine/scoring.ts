// Bayesian segment scoring: the seed's smoothing, confidence and composite formulas, plus fatigue.
//
// Smoothing pulls a segment's observed rate towards a prior in proportion to how little evidence
// it has: with the seed's prior strength of 100, a segment with 100 samples is weighted half its
// own rate and half the prior, one with 10,000 samples is 99 % its own rate.
//
// scoreTable runs over up to a million segments per call, so the per-segment path below uses
// plain arithmetic on numbers: no closures, no intermediate objects, no string work (reasons are
// built only for the rare fatigued segment).

import type { EngineSettings, FatigueVerdict, Metrics, Priors, SegmentHistory, SegmentScore } from './types.ts';

// The seed's composite weights: conversion matters most (40 %), then return (35 %), then clicks (25 %).
const CTR_WEIGHT = 0.25;
const CVR_WEIGHT = 0.4;
const ROAS_WEIGHT = 0.35;

// The seed normalises a rate between its prior (score 0) and a multiple of it (score 1):
// 3x the prior for CTR and CVR, 2x for ROAS (a 2.5x ROAS prior doubled is already 5x).
const CTR_TOP_MULTIPLE = 3;
const CVR_TOP_MULTIPLE = 3;
const ROAS_TOP_MULTIPLE = 2;

// A CTR drop is judged only when both periods have this many impressions: at a 1.5 % CTR that is
// about 15 expected clicks each, enough for the normal approximation of the z-test to hold.
const FATIGUE_MIN_IMPRESSIONS = 1000;
// z <= -1.96: a drop this large happens by chance at most 2.5 % of the time (one-sided), so noise
// on small samples is not called fatigue.
const FATIGUE_Z_THRESHOLD = -1.96;

/**
 * The seed's Bayesian smoothing: the prior counts as `priorStrength` pseudo-observations.
 * smooth(0.015, 100, 0.05, 200) = (1.5 + 10) / 300 = 0.03833 (the seed's 3.83 % example).
 * No evidence (sample size 0 or less) leaves the prior as it is.
 */
export function smooth(prior: number, priorStrength: number, observed: number, sampleSize: number): number {
  if (!(sampleSize > 0)) return prior;
  return (prior * priorStrength + observed * sampleSize) / (priorStrength + sampleSize);
}

/**
 * The seed's confidence from impressions, exactly: linear pieces reaching 0.3 at 100 impressions,
 * 0.6 at 500, 0.9 at 2,000, then +0.05 per 5,000 more, capped at 0.95 (reached at 7,000).
 */
export function confidenceFromImpressions(impressions: number): number {
  if (!(impressions > 0)) return 0;
  if (impressions < 100) return (impressions / 100) * 0.3;
  if (impressions < 500) return 0.3 + ((impressions - 100) / 400) * 0.3;
  if (impressions < 2000) return 0.6 + ((impressions - 500) / 1500) * 0.3;
  return Math.min(0.9 + ((impressions - 2000) / 5000) * 0.05, 0.95);
}

/** (value - low) / (high - low), clamped to [0, 1]. A zero-width range scores 1 at or above it, else 0. */
export function normalize(value: number, low: number, high: number): number {
  const width = high - low;
  if (!(width > 0)) return value >= high ? 1 : 0;
  const x = (value - low) / width;
  if (!(x > 0)) return 0;
  return x < 1 ? x : 1;
}

export interface SmoothedRates {
  ctr: number;
  cvr: number;
  roas: number;
}

// Each rate is smoothed with its own sample size, in the unit of one "trial" of that rate.

/** CTR = clicks / impressions; each impression is one Bernoulli trial for a click, so n = impressions. */
function smoothedCtrOf(m: Metrics, priors: Priors): number {
  const n = m.impressions;
  return smooth(priors.ctr, priors.strength, n > 0 ? m.clicks / n : 0, n);
}

/**
 * CVR = conversions / clicks whose conversions are known; each such click is one trial. Rows with
 * unknown conversions are not zeros, so their clicks stay out of n and the prior is kept for them.
 */
function smoothedCvrOf(m: Metrics, priors: Priors): number {
  const n = m.clicksWithConversions;
  return smooth(priors.cvr, priors.strength, n > 0 ? m.conversions / n : 0, n);
}

/**
 * ROAS = revenue / spend of the rows whose revenue is known. ROAS is return per unit of money, so
 * each currency unit spent is one "sample": n is that spend in MAJOR units (100 EUR = 10,000 cents
 * is 100 samples; 100 JPY is also 100 samples). Counting minor units would make a cent-currency
 * segment look 100x surer than a yen one for the same money. Rows with unknown revenue add nothing.
 */
function smoothedRoasOf(m: Metrics, priors: Priors, minorPerMajor: number): number {
  const spend = m.spendWithRevenueMinor;
  return smooth(priors.roas, priors.strength, spend > 0 ? m.revenueMinor / spend : 0, spend / minorPerMajor);
}

function checkMinorPerMajor(minorPerMajor: number): void {
  if (!(minorPerMajor > 0) || !Number.isFinite(minorPerMajor)) {
    throw new RangeError(`minorPerMajor must be a positive number (100 for EUR, 1 for JPY), got ${minorPerMajor}`);
  }
}

/** The three smoothed rates of a segment; minorPerMajor is 100 for EUR, 1 for JPY, 1000 for KWD. */
export function smoothedRates(m: Metrics, priors: Priors, minorPerMajor: number): SmoothedRates {
  checkMinorPerMajor(minorPerMajor);
  return { ctr: smoothedCtrOf(m, priors), cvr: smoothedCvrOf(m, priors), roas: smoothedRoasOf(m, priors, minorPerMajor) };
}

/**
 * Where each rate of the composite scores 0 (its prior) and 1 (its top multiple), for one set of
 * priors. Computed once per call: the composite of one segment is then small enough for V8 to
 * inline into scoreTable's loop, so its four rates are not boxed into heap numbers for a call
 * (10 % off scoring a million segments).
 */
interface CompositeScale {
  ctrLow: number;
  ctrHigh: number;
  cvrLow: number;
  cvrHigh: number;
  roasLow: number;
  roasHigh: number;
}

function compositeScale(priors: Priors): CompositeScale {
  return {
    ctrLow: priors.ctr,
    ctrHigh: priors.ctr * CTR_TOP_MULTIPLE,
    cvrLow: priors.cvr,
    cvrHigh: priors.cvr * CVR_TOP_MULTIPLE,
    roasLow: priors.roas,
    roasHigh: priors.roas * ROAS_TOP_MULTIPLE,
  };
}

function compositeOf(ctr: number, cvr: number, roas: number, confidence: number, scale: CompositeScale): number {
  const weighted =
    normalize(ctr, scale.ctrLow, scale.ctrHigh) * CTR_WEIGHT +
    normalize(cvr, scale.cvrLow, scale.cvrHigh) * CVR_WEIGHT +
    normalize(roas, scale.roasLow, scale.roasHigh) * ROAS_WEIGHT;
  return weighted * confidence;
}

/**
 * The seed's composite: each smoothed rate scored 0 at its prior and 1 at 3x (CTR, CVR) or 2x (ROAS)
 * the prior, weighted 25/40/35, times confidence. A segment no better than the prior scores 0.
 */
export function compositeScore(rates: SmoothedRates, confidence: number, priors: Priors): number {
  return compositeOf(rates.ctr, rates.cvr, rates.roas, confidence, compositeScale(priors));
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

// Most segments are not fatigued: they share one frozen verdict (a score table keeps none for them),
// not one object each.
const NOT_FATIGUED: FatigueVerdict = Object.freeze({ isFatigued: false, reason: null });

/**
 * Fatigue: the segment's recent CTR has fallen clearly below its own earlier CTR, or its people see
 * its ads too often. `recent` covers the last settings.recentDays days of `total`. The verdict of a
 * segment that is not fatigued is a shared frozen object.
 */
export function detectFatigue(total: Metrics, recent: Metrics, settings: EngineSettings): FatigueVerdict {
  let reason: string | null = null;

  // earlier = total - recent (subtractMetrics(total, recent)), but only its impressions and clicks
  // are needed, so they are subtracted here without building a 9-field object per segment.
  const recentImpressions = recent.impressions;
  const earlierImpressions = total.impressions - recent.impressions;
  if (recentImpressions >= FATIGUE_MIN_IMPRESSIONS && earlierImpressions >= FATIGUE_MIN_IMPRESSIONS) {
    const recentClicks = recent.clicks;
    const earlierClicks = total.clicks - recent.clicks;
    const recentCtr = recentClicks / recentImpressions;
    const earlierCtr = earlierClicks / earlierImpressions;
    if (recentCtr < settings.fatigueCtrDropRatio * earlierCtr) {
      // Two-proportion z-test with the pooled CTR under "no change".
      const pooled = (recentClicks + earlierClicks) / (recentImpressions + earlierImpressions);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / recentImpressions + 1 / earlierImpressions));
      const z = se > 0 ? (recentCtr - earlierCtr) / se : 0;
      if (z <= FATIGUE_Z_THRESHOLD) {
        const dropPct = Math.round((1 - recentCtr / earlierCtr) * 100);
        reason =
          `CTR fell ${dropPct}% (${percent(recentCtr)} in the last ${daysText(settings.recentDays)}` +
          ` vs ${percent(earlierCtr)} before; z = ${z.toFixed(1)})`;
      }
    }
  }

  const frequencyReason = frequencyFatigueReason(recent, settings);
  if (frequencyReason !== null) reason = reason === null ? frequencyReason : `${reason}; ${frequencyReason}`;

  return reason === null ? NOT_FATIGUED : { isFatigued: true, reason };
}

/**
 * The second reason for fatigue, separate from the CTR drop: people see the segment's ads more
 * often than settings.fatigueMaxFrequency a day in the recent days. Null when they do not.
 */
export function frequencyFatigueReason(recent: Metrics, settings: EngineSettings): string | null {
  // Reach is a sum of daily reach, so this is impressions per person per day, not per window.
  if (!(recent.reach > 0)) return null;
  const frequency = recent.impressionsWithReach / recent.reach;
  const limit = settings.fatigueMaxFrequency;
  if (!(frequency > limit)) return null;
  // One decimal, unless that would print a number not above the limit (4.04 -> "4.04", not "4.0").
  const shown = Number(frequency.toFixed(1)) > limit ? frequency.toFixed(1) : frequency.toFixed(2);
  return `frequency ${shown} impressions per person per day in the last ${daysText(settings.recentDays)} (limit ${limit})`;
}

function daysText(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}

function scoreChecked(segment: SegmentHistory, settings: EngineSettings, minorPerMajor: number, scale: CompositeScale): SegmentScore {
  const priors = settings.priors;
  const total = segment.total;
  const ctr = smoothedCtrOf(total, priors);
  const cvr = smoothedCvrOf(total, priors);
  const roas = smoothedRoasOf(total, priors, minorPerMajor);
  const confidence = confidenceFromImpressions(total.impressions);
  return {
    segmentType: segment.segmentType,
    segmentId: segment.segmentId,
    segmentName: segment.segmentName,
    smoothedCtr: ctr,
    smoothedCvr: cvr,
    smoothedRoas: roas,
    confidence,
    composite: compositeOf(ctr, cvr, roas, confidence, scale),
    fatigue: detectFatigue(total, segment.recent, settings),
  };
}

/** Scores one segment over its whole window; confidence comes from its total impressions. */
export function scoreSegment(segment: SegmentHistory, settings: EngineSettings, minorPerMajor: number): SegmentScore {
  checkMinorPerMajor(minorPerMajor);
  return scoreChecked(segment, settings, minorPerMajor, compositeScale(settings.priors));
}

/** What names a scored segment: its type, id and name (a SegmentHistory or a SegmentScore). */
export type SegmentLabel = Pick<SegmentScore, 'segmentType' | 'segmentId' | 'segmentName'>;

/**
 * The scores of many segments as a table: row i is the segment rows[i]. An ad set may hold up to a
 * million segments, of which the choice keeps a few dozen: a million score objects, each with its
 * numbers boxed, kept alive together, cost the garbage collector more than the arithmetic. So the
 * table holds the one number every row is ranked by (the composite) as a column, and the verdicts
 * of the rare fatigued rows; scoreAt builds one row's SegmentScore where a caller needs the object,
 * its smoothed rates and confidence computed again from the row's history (the same arithmetic,
 * so the same numbers: four more columns would be 32 MB a million rows that the ranking never reads).
 */
export interface ScoreTable {
  readonly rows: readonly SegmentLabel[];
  /** 0..1, the seed's 25/40/35 composite times confidence (a strategy may replace it: tableOf). */
  readonly composite: Float64Array;
  /** The rows whose verdict is not the plain "not fatigued" (the rare fatigued ones), in row order. */
  readonly fatigue: ReadonlyMap<number, FatigueVerdict>;
  /** Where a row's smoothed rates and confidence come from: its history, scored again, or the score object the row was made of. */
  readonly rates: { readonly histories: readonly SegmentHistory[]; readonly priors: Priors; readonly minorPerMajor: number } | { readonly scores: readonly SegmentScore[] };
}

/** Scores every segment, in input order, as a table (the engine's scoring of an ad set's segments). */
export function scoreTable(segments: readonly SegmentHistory[], settings: EngineSettings, minorPerMajor: number): ScoreTable {
  checkMinorPerMajor(minorPerMajor);
  const count = segments.length;
  const priors = settings.priors;
  const scale = compositeScale(priors);
  const composite = new Float64Array(count);
  const fatigue = new Map<number, FatigueVerdict>();
  for (let i = 0; i < count; i++) {
    const segment = segments[i]!;
    const total = segment.total;
    composite[i] = compositeOf(smoothedCtrOf(total, priors), smoothedCvrOf(total, priors), smoothedRoasOf(total, priors, minorPerMajor), confidenceFromImpressions(total.impressions), scale);
    const verdict = detectFatigue(total, segment.recent, settings);
    if (verdict !== NOT_FATIGUED) fatigue.set(i, verdict);
  }
  return { rows: segments, composite, fatigue, rates: { histories: segments, priors, minorPerMajor } };
}

/** Row i of the table as a SegmentScore (a new object; rows not fatigued share one frozen verdict). */
export function scoreAt(table: ScoreTable, i: number): SegmentScore {
  const row = table.rows[i]!;
  const rates = table.rates;
  let smoothedCtr: number;
  let smoothedCvr: number;
  let smoothedRoas: number;
  let confidence: number;
  if ('scores' in rates) {
    const s = rates.scores[i]!;
    smoothedCtr = s.smoothedCtr;
    smoothedCvr = s.smoothedCvr;
    smoothedRoas = s.smoothedRoas;
    confidence = s.confidence;
  } else {
    const total = rates.histories[i]!.total;
    smoothedCtr = smoothedCtrOf(total, rates.priors);
    smoothedCvr = smoothedCvrOf(total, rates.priors);
    smoothedRoas = smoothedRoasOf(total, rates.priors, rates.minorPerMajor);
    confidence = confidenceFromImpressions(total.impressions);
  }
  return {
    segmentType: row.segmentType,
    segmentId: row.segmentId,
    segmentName: row.segmentName,
    smoothedCtr,
    smoothedCvr,
    smoothedRoas,
    confidence,
    composite: table.composite[i]!,
    fatigue: table.fatigue.get(i) ?? NOT_FATIGUED,
  };
}

/** Every row of the table as a SegmentScore, in row order. */
export function scoresOf(table: ScoreTable): SegmentScore[] {
  const count = table.rows.length;
  const scores = new Array<SegmentScore>(count);
  for (let i = 0; i < count; i++) scores[i] = scoreAt(table, i);
  return scores;
}

/** The table of score objects (a strategy's rescored ones, or a test's), in their order. */
export function tableOf(scores: readonly SegmentScore[]): ScoreTable {
  const count = scores.length;
  const composite = new Float64Array(count);
  const fatigue = new Map<number, FatigueVerdict>();
  for (let i = 0; i < count; i++) {
    const s = scores[i]!;
    composite[i] = s.composite;
    if (s.fatigue.isFatigued || s.fatigue.reason !== null) fatigue.set(i, s.fatigue);
  }
  return { rows: scores, composite, fatigue, rates: { scores } };
}

/** The table itself, or the table of score objects. */
export function asScoreTable(scores: ScoreTable | readonly SegmentScore[]): ScoreTable {
  return Array.isArray(scores) ? tableOf(scores as readonly SegmentScore[]) : (scores as ScoreTable);
}

/** Whether row i is fatigued. */
export function isFatiguedAt(table: ScoreTable, i: number): boolean {
  return table.fatigue.get(i)?.isFatigued === true;
}

/** How many rows are fatigued. */
export function fatiguedCount(table: ScoreTable): number {
  let n = 0;
  for (const verdict of table.fatigue.values()) if (verdict.isFatigued) n++;
  return n;
}

/**
 * Scores every segment, in input order, as objects: for callers that read every score (the
 * `bayes` strategy's campaign pool, the backtests, tests and benchmarks); an ad set's segments are
 * scored into a table (scoreTable).
 */
export function scoreSegments(
  segments: readonly SegmentHistory[],
  settings: EngineSettings,
  minorPerMajor: number,
): SegmentScore[] {
  return scoresOf(scoreTable(segments, settings, minorPerMajor));
}
