import { describe, expect, it } from 'vitest';
import { holdTargeting, requiredGain, splitLearning } from './targeting-edits.ts';
import type { SegmentScore } from './types.ts';

function score(id: string, composite: number, fatigued = false): SegmentScore {
  return {
    segmentType: 'interest', segmentId: id, segmentName: id, smoothedCtr: 0.01, smoothedCvr: 0.02, smoothedRoas: 2,
    confidence: 1, composite, fatigue: { isFatigued: fatigued, reason: fatigued ? 'tiring' : null },
  };
}

const slots = new Map([['interest', 2], ['behavior', 0]] as const);
const top = (scores: readonly SegmentScore[], k: number) => [...scores].sort((a, b) => b.composite - a.composite || (a.segmentId < b.segmentId ? -1 : 1)).slice(0, k).map((s) => s.segmentId).sort();
// The ranking key is the value here, every segment weighing alike.
const valueOf = (s: SegmentScore) => s.composite;
const alike = () => 1;
const gainOf = (minGain: number) => ({ minGain, baseGain: minGain, conversionsPerDay: null });

describe('holdTargeting', () => {
  const ranked = [score('a', 1), score('b', 0.9), score('c', 0.85), score('d', 0.5)];

  it('keeps the set in force when the best set is worth less than the gain an edit must bring', () => {
    // In force: b and c (0.875); best: a and b (0.95), 8.6 % more.
    const held = holdTargeting(ranked, slots, { adsetId: null, interests: ['b', 'c'], behaviors: [] }, gainOf(0.1), valueOf, alike);
    expect(top(held.scores, 2)).toEqual(['b', 'c']);
    expect(held.trace).toEqual([expect.objectContaining({ kind: 'segments.edit', segmentType: 'interest', edited: false, reason: 'gain_below', inForce: 2, chosen: 2, minGain: 0.1, baseGain: 0.1, conversionsPerDay: null })]);
    expect(held.trace[0]!.gain).toBeCloseTo(0.95 / 0.875 - 1, 10);
    // Each group keeps its order, every composite stays within 0..1, every other field as it was.
    const composite = (id: string) => held.scores.find((s) => s.segmentId === id)!.composite;
    expect(composite('b')).toBeGreaterThan(composite('c'));
    expect(composite('c')).toBeGreaterThan(composite('a'));
    expect(composite('a')).toBeGreaterThan(composite('d'));
    expect(held.scores.every((s) => s.composite >= 0 && s.composite <= 1)).toBe(true);
    held.scores.forEach((s, i) => expect({ ...s, composite: 0 }).toEqual({ ...ranked[i]!, composite: 0 }));
  });

  it('edits when the best set gains at least that much', () => {
    const held = holdTargeting(ranked, slots, { adsetId: null, interests: ['b', 'd'], behaviors: [] }, gainOf(0.1), valueOf, alike);
    expect(top(held.scores, 2)).toEqual(['a', 'b']);
    expect(held.scores).toEqual(ranked);
    expect(held.trace[0]).toMatchObject({ edited: true, reason: 'gain' });
    expect(held.trace[0]!.gain).toBeCloseTo(0.95 / 0.7 - 1, 10);
  });

  it('weighs the sets as the choice weighed them', () => {
    // d weighs nothing: the set in force {b, d} is worth b's 0.9 against {a, b}'s 0.95.
    const held = holdTargeting(ranked, slots, { adsetId: null, interests: ['b', 'd'], behaviors: [] }, gainOf(0.1), valueOf, (s) => (s.segmentId === 'd' ? 0 : 1));
    expect(held.trace[0]).toMatchObject({ edited: false, reason: 'gain_below' });
    expect(top(held.scores, 2)).toEqual(['b', 'd']);
  });

  it('edits when a member in force can no longer be chosen, whatever the gain', () => {
    const tiring = [score('a', 1), score('b', 0.9, true), score('c', 0.85), score('d', 0.5)];
    const held = holdTargeting(tiring, slots, { adsetId: null, interests: ['b', 'c'], behaviors: [] }, gainOf(0.5), valueOf, alike);
    expect(held.scores).toEqual(tiring);
    expect(held.trace[0]).toMatchObject({ edited: true, reason: 'member_unavailable', unavailable: ['b'] });
    const gone = holdTargeting(ranked, slots, { adsetId: null, interests: ['b', 'x'], behaviors: [] }, gainOf(0.5), valueOf, alike);
    expect(gone.trace[0]).toMatchObject({ edited: true, reason: 'member_unavailable', unavailable: ['x'] });
  });

  it('says so when the best set is the one in force, and when the sets differ in size', () => {
    expect(holdTargeting(ranked, slots, { adsetId: null, interests: ['b', 'a'], behaviors: [] }, gainOf(0.1), valueOf, alike).trace[0]).toMatchObject({ edited: false, reason: 'unchanged' });
    const wider = holdTargeting(ranked, slots, { adsetId: null, interests: ['b'], behaviors: [] }, gainOf(0.5), valueOf, alike);
    expect(wider.trace[0]).toMatchObject({ edited: true, reason: 'size_changed', inForce: 1, chosen: 2 });
    expect(wider.scores).toEqual(ranked);
  });

  it('leaves a type with nothing in force, or no slots, alone', () => {
    const held = holdTargeting(ranked, new Map([['interest', 2], ['behavior', 0]] as const), { adsetId: null, interests: [], behaviors: ['x'] }, gainOf(0.1), valueOf, alike);
    expect(held).toEqual({ scores: ranked, trace: [] });
    // With slots, a behavior in force that is no candidate any more is an edit.
    const behaviors = holdTargeting(ranked, new Map([['behavior', 3]] as const), { adsetId: null, interests: [], behaviors: ['x'] }, gainOf(0.1), valueOf, alike);
    expect(behaviors.trace).toEqual([expect.objectContaining({ segmentType: 'behavior', edited: true, reason: 'member_unavailable', chosen: 0 })]);
  });
});

describe('requiredGain', () => {
  it('asks the base gain where learning lasts two days or less, more in proportion beyond, at most five times', () => {
    expect(requiredGain(0.03, 25)).toEqual({ minGain: 0.03, baseGain: 0.03, conversionsPerDay: 25 });
    expect(requiredGain(0.03, 100).minGain).toBe(0.03);
    // 5 conversions a day: 10 days of learning after an edit, five times two.
    expect(requiredGain(0.03, 5).minGain).toBeCloseTo(0.15, 12);
    expect(requiredGain(0.03, 10).minGain).toBeCloseTo(0.075, 12);
    expect(requiredGain(0.03, 1).minGain).toBeCloseTo(0.15, 12);
    expect(requiredGain(0.03, 0).minGain).toBeCloseTo(0.15, 12);
    // Unknown conversions: the base gain.
    expect(requiredGain(0.03, null)).toEqual({ minGain: 0.03, baseGain: 0.03, conversionsPerDay: null });
  });
});

describe('learning where the split is applied one ad set per country', () => {
  // Conversions per minor unit: ES 1 per 20.00, MX 1 per 10.00, AR and CL 1 per 5.00.
  const countries = [
    { countryCode: 'ES', amountMinor: 40_000, conversionsPerMinor: 1 / 2_000 },
    { countryCode: 'MX', amountMinor: 30_000, conversionsPerMinor: 1 / 1_000 },
    { countryCode: 'AR', amountMinor: 600, conversionsPerMinor: 1 / 500 },
    { countryCode: 'CL', amountMinor: 400, conversionsPerMinor: 1 / 500 },
  ];

  it('groups the countries as LIVE apply does and weighs each ad set\'s days to 50 conversions by its budget', () => {
    const learning = splitLearning(countries, 1_000, new Set(['ES']))!;
    // ES 20 a day (2.5 days), MX 30 a day (1.67 days), the pool of AR and CL 2 a day (25 days, counted as 10).
    expect(learning.adSets).toBe(3);
    expect(learning.learningDays).toBeCloseTo((40_000 * 2.5 + 30_000 * (50 / 30) + 1_000 * 10) / 71_000, 10);
    // The ad set's own 52 conversions a day would say one day: per country it is about two.
    expect(requiredGain(0.03, 52, learning)).toEqual({ minGain: 0.03 * (learning.learningDays / 2), baseGain: 0.03, conversionsPerDay: 52, countryAdSets: learning });
  });

  it('a country that holds a delivering ad set of its own keeps it down to half the minimum, as LIVE apply lets it', () => {
    // AR (6.00) holds its own ad set: it keeps it, and CL (4.00, under half the minimum) is pooled alone.
    const learning = splitLearning(countries, 1_000, new Set(['ES']), new Set(['AR', 'CL']))!;
    expect(learning.adSets).toBe(4);
    // AR 1.2 a day and CL 0.8 a day: each capped at 10 days, as the pool of both was.
    expect(learning.learningDays).toBeCloseTo((40_000 * 2.5 + 30_000 * (50 / 30) + 600 * 10 + 400 * 10) / 71_000, 10);
    // MX at 8.00 (under the minimum) converting 20 a day: pooled with AR and CL unless it holds its own ad set.
    const smaller = countries.map((c) => (c.countryCode === 'MX' ? { ...c, amountMinor: 800, conversionsPerMinor: 1 / 40 } : c));
    const pooled = splitLearning(smaller, 1_000, new Set(['ES']))!;
    const holding = splitLearning(smaller, 1_000, new Set(['ES']), new Set(['MX']))!;
    expect([pooled.adSets, holding.adSets]).toEqual([2, 3]);
    // Pooled, MX's conversions end the pool's learning in 50 / 22 days; on its own, AR and CL's pool (2 a day) needs 25 (capped at 10).
    expect(pooled.learningDays).toBeCloseTo((40_000 * 2.5 + 1_800 * (50 / 22)) / 41_800, 10);
    expect(holding.learningDays).toBeCloseTo((40_000 * 2.5 + 800 * 2.5 + 1_000 * 10) / 41_800, 10);
  });

  it('a country whose share has a floor learns in its own ad set whatever its budget', () => {
    const small = [{ countryCode: 'ES', amountMinor: 700, conversionsPerMinor: 1 / 500 }, { countryCode: 'MX', amountMinor: 800, conversionsPerMinor: 1 / 500 }];
    expect(splitLearning(small, 1_000, new Set(['ES']))!.adSets).toBe(2);
    expect(splitLearning(small, 1_000, new Set())).toEqual({ adSets: 1, learningDays: 10 });
    // One country is one ad set; nothing funded, nothing to learn.
    expect(splitLearning([small[1]!], 1_000, new Set())).toEqual({ adSets: 1, learningDays: 10 });
    expect(splitLearning([], 1_000, new Set())).toBeUndefined();
  });
});
