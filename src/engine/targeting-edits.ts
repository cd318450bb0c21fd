// Whether the `bayes` strategy edits the interests (or behaviors) in force in an ad set. Adding or
// removing one is a significant edit to Meta: the ad set's learning phase restarts and, until it
// has had about 50 conversions since, it finds its buyers less well. A set chosen anew every day
// would keep an ad set learning for good, so the set in force is kept unless the new one is worth
// clearly more (settings.editMinGain), or one of its members can no longer be chosen.
import { adSetKeys } from './ad-set-groups.ts';
import { byCompositeThenId } from './audience.ts';
import { topK } from './top-k.ts';
import type { SplitLearning, TargetingEditEvent } from './trace-events.ts';
import type { EarlierTargeting, SegmentScore } from './types.ts';

type EditedType = 'interest' | 'behavior';

/** The gain a new set must bring by default (settings.editMinGain; docs/segment-choice.md). */
export const DEFAULT_EDIT_MIN_GAIN = 0.03;
/** Meta's learning phase ends after about this many optimization events (conversions) since the edit. */
export const LEARNING_CONVERSIONS = 50;
/** settings.editMinGain is the gain required where learning lasts at most this many days. */
const BASE_LEARNING_DAYS = 2;
/** Beyond this multiple of editMinGain the required gain grows no further. */
const MAX_GAIN_MULTIPLE = 5;

/**
 * The gain an edit must bring in an ad set that makes `conversionsPerDay`: settings.editMinGain
 * where Meta's learning phase would last two days or less, more in proportion to the days it would
 * last (an ad set with few conversions learns for longer after each edit), at most five times as
 * much; editMinGain itself where the conversion count is unknown. Where the split is applied one
 * ad set per country, the days learning lasts in those ad sets (splitLearning) instead.
 */
export function requiredGain(editMinGain: number, conversionsPerDay: number | null, countryAdSets?: SplitLearning): RequiredGain {
  if (conversionsPerDay === null) return { minGain: editMinGain, baseGain: editMinGain, conversionsPerDay: null };
  const learningDays = countryAdSets?.learningDays ?? (conversionsPerDay > 0 ? LEARNING_CONVERSIONS / conversionsPerDay : Number.POSITIVE_INFINITY);
  const multiple = Math.min(MAX_GAIN_MULTIPLE, Math.max(1, learningDays / BASE_LEARNING_DAYS));
  return { minGain: editMinGain * multiple, baseGain: editMinGain, conversionsPerDay, ...(countryAdSets === undefined ? {} : { countryAdSets }) };
}

/** A funded country of the split: its daily budget, and its conversions per minor unit of spend in the recent window. */
export interface CountryLearningInput {
  countryCode: string;
  amountMinor: number;
  conversionsPerMinor: number;
}

/**
 * How long learning lasts after an edit where the split is applied one ad set per country: the
 * countries grouped as LIVE apply groups them (hasOwnAdSet, `holding` the countries whose own ad
 * set already delivers), each ad set's conversions a day at its countries' budgets, its days
 * to LEARNING_CONVERSIONS (at most the days beyond which the gain required grows no further), and
 * their mean weighted by budget: an ad set holding a tenth of the budget costs a tenth of its days.
 */
export function splitLearning(countries: readonly CountryLearningInput[], minDailyBudgetMinor: number, floored: ReadonlySet<string>, holding: ReadonlySet<string> = new Set()): SplitLearning | undefined {
  const funded = countries.filter((c) => c.amountMinor > 0);
  const total = funded.reduce((s, c) => s + c.amountMinor, 0);
  if (total <= 0) return undefined;
  const keys = adSetKeys(funded, minDailyBudgetMinor, (c) => ({ holdsOne: holding.has(c), floored: floored.has(c) }));
  const adSets = new Map<string, { budget: number; conversions: number }>();
  for (const c of funded) {
    const key = keys.get(c.countryCode)!;
    const g = adSets.get(key) ?? { budget: 0, conversions: 0 };
    adSets.set(key, { budget: g.budget + c.amountMinor, conversions: g.conversions + c.amountMinor * c.conversionsPerMinor });
  }
  const maxDays = BASE_LEARNING_DAYS * MAX_GAIN_MULTIPLE;
  const days = [...adSets.values()].reduce((s, g) => s + g.budget * (g.conversions > 0 ? Math.min(maxDays, LEARNING_CONVERSIONS / g.conversions) : maxDays), 0) / total;
  return { adSets: adSets.size, learningDays: days };
}

export interface RequiredGain {
  /** The gain an edit must bring. */
  minGain: number;
  /** settings.editMinGain, what it grew from. */
  baseGain: number;
  /** The ad set's conversions a day it grew by; null = unknown (no row reports conversions). */
  conversionsPerDay: number | null;
  /** Where the split is applied one ad set per country: the learning it grew by instead. */
  countryAdSets?: SplitLearning;
}

export interface HeldTargeting {
  /** The ranking: where the set in force is kept, its members rank first, each group in its own order. */
  scores: SegmentScore[];
  trace: TargetingEditEvent[];
}

/**
 * `ranked` ranks the candidates (the top `slots` of a type by composite, then id, are chosen, as
 * the audience builder takes them); `valueOf` and `weightOf` give what a set is worth: the
 * weight-averaged value of its members, the measure the set was chosen by.
 */
export function holdTargeting(
  ranked: readonly SegmentScore[],
  slots: ReadonlyMap<EditedType, number>,
  inForce: EarlierTargeting,
  required: RequiredGain,
  valueOf: (s: SegmentScore) => number,
  weightOf: (s: SegmentScore) => number,
): HeldTargeting {
  let scores = [...ranked];
  const trace: TargetingEditEvent[] = [];
  for (const [type, k] of slots) {
    const ids = type === 'interest' ? inForce.interests : inForce.behaviors;
    if (ids.length === 0 || k <= 0) continue;
    const eligible = scores.filter((s) => s.segmentType === type && !s.fatigue.isFatigued);
    const byId = new Map(eligible.map((s) => [s.segmentId, s]));
    const chosen = topK(eligible, k, byCompositeThenId);
    const held = ids.map((id) => byId.get(id));
    const base = { kind: 'segments.edit' as const, segmentType: type, inForce: ids.length, chosen: chosen.length, ...required };
    const unavailable = ids.filter((_, i) => held[i] === undefined);
    if (unavailable.length > 0) {
      trace.push({ ...base, edited: true, reason: 'member_unavailable', unavailable });
      continue;
    }
    const members = held as SegmentScore[];
    const kept = new Set(ids);
    if (chosen.length === members.length && chosen.every((s) => kept.has(s.segmentId))) {
      trace.push({ ...base, edited: false, reason: 'unchanged' });
      continue;
    }
    if (chosen.length !== members.length) {
      trace.push({ ...base, edited: true, reason: 'size_changed' });
      continue;
    }
    const chosenValue = setValue(chosen, valueOf, weightOf);
    const inForceValue = setValue(members, valueOf, weightOf);
    const gain = inForceValue > 0 ? chosenValue / inForceValue - 1 : null;
    const values = { chosenValue, inForceValue, gain };
    if (gain !== null && gain < required.minGain) {
      trace.push({ ...base, edited: false, reason: 'gain_below', ...values });
      scores = rankFirst(scores, type, kept);
    } else {
      trace.push({ ...base, edited: true, reason: 'gain', ...values });
    }
  }
  return { scores, trace };
}

/** The weight-averaged value of a set; its plain mean where no member weighs anything. */
function setValue(set: readonly SegmentScore[], valueOf: (s: SegmentScore) => number, weightOf: (s: SegmentScore) => number): number {
  const weight = set.reduce((a, s) => a + weightOf(s), 0);
  if (weight > 0) return set.reduce((a, s) => a + weightOf(s) * valueOf(s), 0) / weight;
  return set.length === 0 ? 0 : set.reduce((a, s) => a + valueOf(s), 0) / set.length;
}

/** The type's composites moved so that `first` rank above the rest, each group keeping its order (0..1 still). */
function rankFirst(scores: readonly SegmentScore[], type: EditedType, first: ReadonlySet<string>): SegmentScore[] {
  return scores.map((s) => {
    if (s.segmentType !== type) return s;
    return { ...s, composite: first.has(s.segmentId) ? 0.5 + 0.5 * s.composite : 0.4999 * s.composite };
  });
}
