// Fatigue from a fit, for the `bayes` strategy: did a segment's CTR step down
// as its audience kept seeing the ads? A binomial change-point model on the segment's daily points:
// one CTR up to a break, a lower one after it, against one CTR throughout.
//
// Why a change point and not a decay curve: wear-out starts at some exposure and then deepens; a
// step fitted where the decline begins needs no assumption about the decline's shape (linear,
// exponential, a cliff) and says *where* it began, which is what the reasoning should name.
//
// The x axis is cumulative frequency: impressions delivered so far per person in the audience.
// Meta reports reach per day only, and daily reach summed over days counts the same person once a
// day, so the audience is estimated as the largest daily reach in the window (at least that many
// distinct people were reached): cumulative frequency = cumulative impressions / largest daily
// reach, an upper bound on the real exposure per person. Cumulative impressions only grow, so the
// days in date order are already in cumulative-frequency order: the break between two days is the
// break between their cumulative frequencies, and the estimate of the audience only scales the
// number the reasoning reports.
//
// Significance: the likelihood ratio of "break" against "no break", maximised over every break
// point allowed, is divided by the overdispersion the break model leaves (daily CTR moves more
// than binomial noise: weekends, creative rotation), and its one-sided p-value is multiplied by the
// number of break points searched (Bonferroni), so that searching many breaks does not make a
// noisy flat series look fatigued.
import { addCalendarDays } from './calendar.ts';
import type { Metrics, SegmentDay, SegmentHistory } from './types.ts';

/** Days with delivery needed on each side of the break: fewer and a single odd day makes a "break". */
export const MIN_DAYS_PER_SIDE = 3;
/** Impressions needed on each side of the break: the seed's minimum for its z-test, for the same reason. */
export const MIN_IMPRESSIONS_PER_SIDE = 1000;
/**
 * One-sided significance after the Bonferroni correction. The seed's z-test calls a drop at
 * p ≤ 0.025 for its one comparison; a segment here is judged again every day, and one false call
 * costs it a whole rest (14 days by default), so the 0.025 is spread over two weeks of daily
 * judgements: 0.025 / 14 ≈ 0.002. At 0.025 good interests are rested often enough to cost revenue
 * in the closed loop (docs/decision-quality.md, "Measurements behind the engine's choices").
 */
export const FATIGUE_FIT_ALPHA = 0.002;

export interface ChangePointFit {
  /** Days with delivery that were fitted. */
  days: number;
  /** The first day of the lower CTR (YYYY-MM-DD). */
  breakDate: string;
  /** Cumulative impressions per person reached before the break; null when reach is unknown. */
  breakFrequency: number | null;
  /** Cumulative impressions before the break. */
  breakImpressions: number;
  ctrBefore: number;
  ctrAfter: number;
  /** ctrAfter / ctrBefore (1 = no change). */
  ratio: number;
  /** Twice the log-likelihood gain of the break, divided by `dispersion`. */
  likelihoodRatio: number;
  /** Pearson χ² per degree of freedom of the break model, at least 1. */
  dispersion: number;
  /** One-sided p-value of the decline, Bonferroni-corrected over `breaksSearched`. */
  pValue: number;
  breaksSearched: number;
}

/** x·ln(y) with 0·ln(0) = 0: a side with no clicks (or only clicks) has a finite likelihood. */
function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

function binomialLogLikelihood(clicks: number, impressions: number): number {
  const p = clicks / impressions;
  return xlogy(clicks, p) + xlogy(impressions - clicks, 1 - p);
}

/**
 * Complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7 everywhere),
 * accurate in the far tail where the p-values of strong breaks live.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function upperNormalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The best single downward break in the segment's daily CTR, or null when there are too few days
 * or impressions for both sides. `days` must be in date order; days without impressions are skipped.
 */
export function fitChangePoint(days: readonly SegmentDay[]): ChangePointFit | null {
  const points = days.filter((d) => d.impressions > 0);
  const count = points.length;
  if (count < 2 * MIN_DAYS_PER_SIDE) return null;
  let totalImpressions = 0;
  let totalClicks = 0;
  let audience = 0;
  for (const d of points) {
    totalImpressions += d.impressions;
    totalClicks += Math.min(d.clicks, d.impressions);
    if (d.reach > audience) audience = d.reach;
  }
  const flat = binomialLogLikelihood(totalClicks, totalImpressions);

  // Break before day k: days [0, k) at one CTR, [k, count) at another.
  let best = -1;
  let bestGain = 0;
  let searched = 0;
  let beforeImpressions = 0;
  let beforeClicks = 0;
  for (let k = 1; k < count; k++) {
    const prev = points[k - 1]!;
    beforeImpressions += prev.impressions;
    beforeClicks += Math.min(prev.clicks, prev.impressions);
    if (k < MIN_DAYS_PER_SIDE || count - k < MIN_DAYS_PER_SIDE) continue;
    const afterImpressions = totalImpressions - beforeImpressions;
    if (beforeImpressions < MIN_IMPRESSIONS_PER_SIDE || afterImpressions < MIN_IMPRESSIONS_PER_SIDE) continue;
    searched++;
    const afterClicks = totalClicks - beforeClicks;
    // Only a decline is fatigue: a break up is not searched for, which makes the test one-sided.
    if (!(afterClicks / afterImpressions < beforeClicks / beforeImpressions)) continue;
    const gain = binomialLogLikelihood(beforeClicks, beforeImpressions) + binomialLogLikelihood(afterClicks, afterImpressions) - flat;
    if (gain > bestGain) {
      bestGain = gain;
      best = k;
    }
  }
  if (searched === 0 || best < 0) return null;

  let breakImpressions = 0;
  let breakClicks = 0;
  for (let i = 0; i < best; i++) {
    breakImpressions += points[i]!.impressions;
    breakClicks += Math.min(points[i]!.clicks, points[i]!.impressions);
  }
  const ctrBefore = breakClicks / breakImpressions;
  const ctrAfter = (totalClicks - breakClicks) / (totalImpressions - breakImpressions);

  // Overdispersion: the spread the two-CTR model leaves, in units of binomial variance.
  let pearson = 0;
  for (let i = 0; i < count; i++) {
    const d = points[i]!;
    const p = i < best ? ctrBefore : ctrAfter;
    const variance = d.impressions * p * (1 - p);
    if (variance > 0) pearson += (Math.min(d.clicks, d.impressions) - d.impressions * p) ** 2 / variance;
  }
  const dispersion = count > 2 ? Math.max(1, pearson / (count - 2)) : 1;
  const likelihoodRatio = (2 * bestGain) / dispersion;
  const pValue = Math.min(1, searched * upperNormalTail(Math.sqrt(likelihoodRatio)));
  return {
    days: count,
    breakDate: points[best]!.date,
    breakFrequency: audience > 0 ? breakImpressions / audience : null,
    breakImpressions,
    ctrBefore,
    ctrAfter,
    ratio: ctrBefore > 0 ? ctrAfter / ctrBefore : 1,
    likelihoodRatio,
    dispersion,
    pValue,
    breaksSearched: searched,
  };
}

/**
 * Fatigued by the fit: a significant decline (p ≤ FATIGUE_FIT_ALPHA after the search correction)
 * to at most `dropRatio` of the CTR before the break (TARGETING_FATIGUE_CTR_DROP, the seed's
 * "recent below this share of earlier", here "after the break below this share of before").
 */
export function isFatigueFit(fit: ChangePointFit | null, dropRatio: number): fit is ChangePointFit {
  return fit !== null && fit.pValue <= FATIGUE_FIT_ALPHA && fit.ratio < dropRatio;
}

/** Recent against earlier CTR this many standard errors down or more: worth a fit. */
export const CANDIDATE_Z = -1;

/**
 * The pre-screen that decides, from the totals alone, which segments the store loads daily points
 * for: z of the recent CTR against the earlier one (two proportions, pooled), or null when the
 * segment cannot be a candidate (too few impressions for both sides of a break, or no recent
 * drop of at least one standard error). A loose screen: about one segment in six passes by chance,
 * and the fit decides.
 */
export function fatigueCandidateZ(total: Metrics, recent: Metrics): number | null {
  const earlierImpressions = total.impressions - recent.impressions;
  if (total.impressions < 2 * MIN_IMPRESSIONS_PER_SIDE || !(recent.impressions > 0) || !(earlierImpressions > 0)) return null;
  const earlierCtr = (total.clicks - recent.clicks) / earlierImpressions;
  const recentCtr = recent.clicks / recent.impressions;
  if (!(recentCtr < earlierCtr)) return null;
  const pooled = total.clicks / total.impressions;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / recent.impressions + 1 / earlierImpressions));
  const z = se > 0 ? (recentCtr - earlierCtr) / se : 0;
  return z <= CANDIDATE_Z ? z : null;
}

/**
 * Days of daily points the fit reads back from the window's last day (all of a shorter window).
 * Fatigue is a recent break, and a month holds it with room on both sides; a longer window
 * (TARGETING_WINDOW_DAYS=90, say) would make the store scan three times the rows for it. Measured
 * on the benchmark's 90-day campaign: the daily points' query fell from about 250 ms to 70 ms.
 */
export const FATIGUE_FIT_DAYS = 30;

/** The first day of daily points the fit reads for a window (FATIGUE_FIT_DAYS). */
export function fatigueFitStart(windowStart: string, windowEnd: string): string {
  const start = addCalendarDays(windowEnd, -(FATIGUE_FIT_DAYS - 1));
  return start > windowStart ? start : windowStart;
}

/**
 * Daily points for the fit are given to at most this many segments per ad set, the clearest recent
 * drops first: about 30 days × 100 segments stays a small part of the stored snapshot, while the
 * 90 days × 2,500 segments of the benchmark would multiply it by 25 for segments with no drop.
 */
export const FATIGUE_FIT_CANDIDATES_PER_ADSET = 100;

/**
 * The segments of one ad set that get daily points (the store's snapshot, the backtest): the
 * candidates of fatigueCandidateZ, clearest drop first (ties by type and id), at most `limit`, and
 * every resting segment whatever its totals say.
 */
export function fatigueFitCandidates(segments: readonly SegmentHistory[], isResting: (s: SegmentHistory) => boolean, limit = FATIGUE_FIT_CANDIDATES_PER_ADSET): SegmentHistory[] {
  const keyOf = (s: SegmentHistory) => `${s.segmentType}\u0000${s.segmentId}`;
  const candidates: { s: SegmentHistory; z: number; key: string }[] = [];
  for (const s of segments) {
    const z = fatigueCandidateZ(s.total, s.recent);
    if (z !== null) candidates.push({ s, z, key: keyOf(s) });
  }
  candidates.sort((x, y) => x.z - y.z || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const chosen = new Set(candidates.slice(0, limit).map((c) => c.s));
  for (const s of segments) if (isResting(s)) chosen.add(s);
  return [...chosen];
}
