// Exploration for the `bayes` strategy: a share of the interest and
// behavior slots goes to segments whose posterior could still be the best, by Thompson sampling.
// Ranking by the shrunk mean alone starves a segment that was unlucky early: its estimate stays
// low because it is never shown again. Each draw takes a plausible value from the segment's
// posterior, so a small segment with a wide posterior wins a slot now and then, a large mediocre
// one almost never, and the next runs learn from what it delivers.
//
// The random source is a seeded Rng the caller derives per run (the seed is stored with the run),
// so a replay with the same seed explores the same segments.
import { conversionEvidence, shrunkOrderValue, valuePerImpression, valuePerSpend, type RatePrior } from './value-model.ts';
import { emptyMetrics } from './metrics.ts';
import type { Rng } from './random.ts';
import type { CampaignSnapshot, DiscoveredCandidate, EngineSettings, Metrics, SegmentHistory, SegmentScore, SegmentType } from './types.ts';

export interface ExploredSegment {
  score: SegmentScore;
  /** The posterior draw of revenue per impression (minor units) that won the slot. */
  draw: number;
  /** 1 = the best draw among the candidates. */
  drawRank: number;
  /** Candidates that were drawn (eligible, not already chosen by exploitation). */
  draws: number;
  /** The shrunk mean the exploitation ranking used, for comparison with the draw. */
  meanValue: number;
  impressions: number;
  /** Re-admitted after a rest (see isRecovering). */
  recovering: boolean;
  /** A discovered candidate with no delivery of its own (drawn from the type's prior), else null. */
  discovered: DiscoveredCandidate | null;
}

/**
 * A discovered candidate as the draws see it: no evidence, so its score says nothing (composite
 * 0, confidence 0) and its draw comes from the type's prior alone.
 */
function newcomerScore(c: DiscoveredCandidate, prior: RatePrior): SegmentScore {
  return { segmentType: c.segmentType, segmentId: c.segmentId, segmentName: c.segmentName, smoothedCtr: prior.ctr, smoothedCvr: prior.cvr, smoothedRoas: 0, confidence: 0, composite: 0, fatigue: { isFatigued: false, reason: null } };
}

/**
 * Slots out of `max` that exploration fills: floor(share × max), at least 1 when share > 0 and
 * max ≥ 2 (15 interests at 10 % would otherwise round to 1 anyway, 10 behaviors to 1, but 5 to 0).
 * With max = 1 the only slot stays with the best estimate.
 */
export function explorationSlots(share: number, max: number): number {
  if (!(share > 0) || !(max >= 2)) return 0;
  const m = Math.floor(max);
  return Math.min(m - 1, Math.max(1, Math.floor(share * m)));
}

/**
 * What exploration does in a run: with an exploration share, Thompson draws among every segment not
 * chosen (and discovered candidates) for that share of the slots; without one, the discovery share
 * of the interest slots, drawn among the discovered candidates only, where the snapshot has some
 * without delivery of their own; else nothing.
 */
export interface ExplorationPlan {
  share: number;
  discoveredOnly: boolean;
}

export function explorationPlan(settings: Pick<EngineSettings, 'explorationShare' | 'discoveryShare'>, snapshot: Pick<CampaignSnapshot, 'adsets' | 'candidates'>): ExplorationPlan {
  const share = settings.explorationShare ?? 0;
  if (share > 0) return { share, discoveredOnly: false };
  const discovery = settings.discoveryShare ?? 0;
  if (!(discovery > 0) || newDiscoveries(snapshot) === 0) return { share: 0, discoveredOnly: false };
  return { share: discovery, discoveredOnly: true };
}

/** Discovered candidates the snapshot has no rows of. */
function newDiscoveries(snapshot: Pick<CampaignSnapshot, 'adsets' | 'candidates'>): number {
  const candidates = snapshot.candidates ?? [];
  if (candidates.length === 0) return 0;
  const known = new Set(snapshot.adsets.flatMap((a) => a.segments.filter((h) => h.segmentType === 'interest').map((h) => h.segmentId)));
  return candidates.filter((c) => !known.has(c.segmentId)).length;
}

/** The slots out of `max` the plan takes from a type's ranking: discovery takes interest slots only. */
export function plannedSlots(plan: ExplorationPlan, type: 'interest' | 'behavior', max: number): number {
  return plan.discoveredOnly && type === 'behavior' ? 0 : explorationSlots(plan.share, max);
}

// A Beta shape of 0 is not a distribution: an empty pool (no clicks anywhere) keeps a sliver of mass.
const MIN_SHAPE = 1e-6;

function betaPosterior(rng: Rng, priorRate: number, strength: number, successes: number, trials: number): number {
  const s = Math.max(0, Math.min(successes, trials));
  const a = priorRate * strength + s;
  const b = (1 - priorRate) * strength + Math.max(0, trials - s);
  return rng.beta(Math.max(MIN_SHAPE, a), Math.max(MIN_SHAPE, b));
}

/**
 * One Thompson draw of revenue per impression: CTR and CVR from their Beta posteriors under the
 * prior the exploitation ranking shrinks toward (segment-value.ts: fitted by empirical Bayes, or
 * the pooled rates at the fixed strengths), times the shrunk mean order value (its spread matters
 * less than the two rates' and a mean keeps the draw cheap).
 */
export function drawValuePerImpression(rng: Rng, m: Metrics, prior: RatePrior): number {
  const ctr = betaPosterior(rng, prior.ctr, prior.strengths.ctr, m.clicks, m.impressions);
  const order = shrunkOrderValue(m, prior);
  const conversions = conversionEvidence(m, prior.order === null ? null : order);
  const cvr = betaPosterior(rng, prior.cvr, prior.strengths.cvr, conversions.conversions, conversions.clicks);
  return ctr * cvr * order;
}

/**
 * Fills `slots` with the best posterior draws among the segments of `type` that are not fatigued
 * and not in `chosen`. Candidates are drawn in segment-id order, so the input order of the
 * snapshot does not change which segments a seed explores.
 */
export function exploreSegments(
  rng: Rng,
  scores: readonly SegmentScore[],
  histories: readonly SegmentHistory[],
  type: Extract<SegmentType, 'interest' | 'behavior'>,
  /** The prior the ranking shrank this type toward (ratePriorsByType in segment-value.ts). */
  prior: RatePrior,
  chosen: ReadonlySet<string>,
  slots: number,
  recovering: ReadonlySet<string>,
  /**
   * Discovered segments of `type` without delivery: they compete for these slots only, never for
   * the ranking's, drawn from the prior. Those that already have rows (scores) are left out here.
   */
  newcomers: readonly DiscoveredCandidate[] = [],
  /** Draw and compare value per unit of spend (settings.segmentValue 'per_spend'), as the ranking did. */
  perSpend = false,
): ExploredSegment[] {
  if (slots <= 0) return [];
  const totals = new Map<string, Metrics>();
  for (const h of histories) if (h.segmentType === type) totals.set(h.segmentId, h.total);
  const known = new Set(scores.filter((s) => s.segmentType === type).map((s) => s.segmentId));
  const discovered = new Map(newcomers.filter((c) => c.segmentType === type && !known.has(c.segmentId) && !chosen.has(c.segmentId)).map((c) => [c.segmentId, c]));
  const candidates = [...scores.filter((s) => s.segmentType === type && !s.fatigue.isFatigued && !chosen.has(s.segmentId)), ...[...discovered.values()].map((c) => newcomerScore(c, prior))]
    .sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
  const drawn = candidates.map((score) => {
    const m = totals.get(score.segmentId) ?? emptyMetrics();
    const draw = drawValuePerImpression(rng, m, prior);
    return { score, m, draw: perSpend ? valuePerSpend(draw, m, prior) : draw };
  });
  // Best draw first; equal draws (e.g. two empty pools) by id, already the order they were drawn in.
  const ranked = drawn.map((d, i) => ({ ...d, i })).sort((a, b) => b.draw - a.draw || a.i - b.i);
  return ranked.slice(0, slots).map((d, k) => ({
    score: d.score,
    draw: d.draw,
    drawRank: k + 1,
    draws: drawn.length,
    meanValue: perSpend ? valuePerSpend(valuePerImpression(d.m, prior), d.m, prior) : valuePerImpression(d.m, prior),
    impressions: d.m.impressions,
    recovering: recovering.has(d.score.segmentId),
    discovered: discovered.get(d.score.segmentId) ?? null,
  }));
}

// ---------------------------------------------------------------- rest and recovery

/** Below this share of its earlier daily pace, a segment's recent delivery counts as "not delivered". */
export const RESTED_DELIVERY_SHARE = 0.1;
/**
 * Impressions the earlier pace must have promised for the recent days before their absence means
 * anything (about 7 a day over a week). It was 1,000 earlier impressions until engine version 4:
 * a segment delivered on one day near the start of the window with a few hundred impressions then
 * stayed exploitable, its value at about the prior's and its size at that one day's, and the set
 * choice took such segments as cheap fillers. In bench:quality's loop that happened when the
 * stub's history left the window (days 27–30, regret 13–14 % of the oracle's that week instead of
 * 10–11 %).
 */
export const RESTED_MIN_EXPECTED_RECENT_IMPRESSIONS = 50;

/**
 * A segment back from a rest, which re-enters only through the exploration slots.
 *
 * For a segment with a stored fatigue rest (earlierRuns.resting), fatigue-rest.ts decides instead.
 * For the others, "resting" and "recovering" are read from the snapshot alone. A segment whose recent days show the fatigue drop
 * is resting (excluded, as before): the rest lasts as long as the recent period
 * (TARGETING_FATIGUE_RECENT_DAYS, 7 by default). A segment that delivered before its recent days
 * (at a pace promising ≥ 50 impressions in them) but under 10 % of that pace within them was taken out of the
 * targeting — rested after fatigue, or left out — and no longer shows the drop: it is recovering,
 * and competes only for exploration slots until it has recent delivery again. The recent-days
 * window stands in for a separate rest period.
 */
export function isRecovering(h: SegmentHistory, windowDays: number, recentDays: number): boolean {
  const earlierDays = windowDays - recentDays;
  if (earlierDays <= 0) return false;
  const earlier = h.total.impressions - h.recent.impressions;
  const expectedRecent = (earlier / earlierDays) * recentDays;
  if (expectedRecent < RESTED_MIN_EXPECTED_RECENT_IMPRESSIONS) return false;
  return h.recent.impressions < RESTED_DELIVERY_SHARE * expectedRecent;
}
