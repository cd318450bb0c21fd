import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { scoreSegments } from './scoring.ts';
import { DEFAULT_SIZE_EXPONENT, rescoreByValue, SIZE_EXPONENT_BEFORE_SETTING, sizeExponentOf, weighBySize } from './segment-value.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { Metrics, SegmentHistory } from './types.ts';

function history(id: string, impressions: number, ctr: number, cvr: number, order: number): SegmentHistory {
  const clicks = Math.round(impressions * ctr);
  const conversions = Math.round(clicks * cvr);
  const spendMinor = clicks * 50;
  const total: Metrics = { ...emptyMetrics(), impressions, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * order, spendWithRevenueMinor: spendMinor };
  return { segmentType: 'interest', segmentId: id, segmentName: id, total, recent: emptyMetrics() };
}

describe('rescoreByValue', () => {
  const segments = [
    history('big-mediocre', 2_000_000, 0.01, 0.02, 4000),
    history('small-excellent', 40_000, 0.03, 0.06, 4000),
    history('tiny-lucky', 300, 0.02, 0.5, 4000),
    ...Array.from({ length: 20 }, (_, i) => history(`filler-${i}`, 200_000, 0.012, 0.02, 4000)),
  ];
  const seed = scoreSegments(segments, SPEC_SETTINGS, 100);
  const bayes = rescoreByValue(seed, segments);
  const scoreOf = (list: typeof seed, id: string) => list.find((s) => s.segmentId === id)!.composite;

  it('ranks a small segment that earns well above a big mediocre one, by how much data it has', () => {
    expect(scoreOf(bayes, 'small-excellent')).toBe(1);
    expect(scoreOf(bayes, 'small-excellent')).toBeGreaterThan(scoreOf(bayes, 'big-mediocre'));
  });

  it('does not let 3 conversions on 6 clicks win: thin data is pulled toward the pool', () => {
    expect(scoreOf(bayes, 'tiny-lucky')).toBeLessThan(scoreOf(bayes, 'small-excellent'));
  });

  it('keeps every other field of the score, fatigue included', () => {
    bayes.forEach((b, i) => expect({ ...b, composite: 0 }).toEqual({ ...seed[i]!, composite: 0 }));
    expect(bayes.every((b) => b.composite >= 0 && b.composite <= 1)).toBe(true);
  });
});

describe('weighBySize', () => {
  // Values relative to the best, as rescoreByValue leaves them; sizes in impressions per day of delivery.
  const unit = (id: string, value: number, perDay: number, days = 10) => ({
    score: { ...scoreSegments([history(id, perDay * days, 0.01, 0.02, 4000)], SPEC_SETTINGS, 100)[0]!, composite: value },
    history: { ...history(id, perDay * days, 0.01, 0.02, 4000), activeDays: days },
  });
  const units = [unit('tiny-best', 1, 10), unit('big-good', 0.8, 100_000), unit('big-fair', 0.6, 100_000), unit('mid-poor', 0.3, 1_000), unit('big-poor', 0.2, 100_000, 3)];
  const run = (k: number, exponent: number) => weighBySize(units.map((u) => u.score), units.map((u) => u.history), new Map([['interest', k]]), 10, exponent);
  const top = (k: number, exponent: number) => [...run(k, exponent).scores].sort((a, b) => b.composite - a.composite).slice(0, k).map((s) => s.segmentId);
  const weighedMean = (ids: string[], exponent: number) => {
    const weight = (id: string) => {
      const h = units.find((u) => u.score.segmentId === id)!.history;
      return (h.total.impressions / h.activeDays) ** exponent;
    };
    return ids.reduce((a, id) => a + weight(id) * units.find((u) => u.score.segmentId === id)!.score.composite, 0) / ids.reduce((a, id) => a + weight(id), 0);
  };

  it('takes the set with the highest weighted mean value: no other set of the same size beats it', () => {
    const ids = units.map((u) => u.score.segmentId);
    const subsets = (from: string[], n: number): string[][] => (n === 0 ? [[]] : from.flatMap((id, i) => subsets(from.slice(i + 1), n - 1).map((rest) => [id, ...rest])));
    for (const exponent of [0, 0.25, 0.75, 1]) {
      for (const k of [1, 2, 3, 4]) {
        const chosen = top(k, exponent);
        for (const other of subsets(ids, k)) expect(weighedMean(chosen, exponent)).toBeGreaterThanOrEqual(weighedMean(other, exponent) - 1e-12);
        expect(run(k, exponent).choices[0]!.setValue).toBeCloseTo(weighedMean(chosen, exponent), 9);
      }
    }
  });

  it('chooses by value alone at exponent 0 and gives up value for size as the exponent grows', () => {
    expect(top(3, 0).sort()).toEqual(['big-fair', 'big-good', 'tiny-best']);
    // At 1 the third slot goes to mid-poor (0.3, 1,000 a day), which dilutes big-good's 100,000 a
    // day far less than big-fair (0.6, 100,000 a day) would: 0.795 against 0.700.
    expect(top(3, 1).sort()).toEqual(['big-good', 'mid-poor', 'tiny-best']);
    expect(run(3, 1).choices[0]!.setValue).toBeCloseTo((10 * 1 + 100_000 * 0.8 + 1_000 * 0.3) / 101_010, 9);
  });

  it('sizes a segment by its impressions per day of delivery, not over the window', () => {
    // Both below the set's value, so the one that dilutes it less (the smaller) joins the best.
    // few-days delivered 300,000 impressions in 3 days, many-days 400,000 in 10: per day,
    // many-days is the smaller (40,000 against 100,000); over the window it would be few-days.
    const pair = [unit('best', 1, 50_000), unit('few-days', 0.5, 100_000, 3), unit('many-days', 0.5, 40_000, 10)];
    const out = weighBySize(pair.map((u) => u.score), pair.map((u) => u.history), new Map([['interest', 2]]), 10, 1);
    const chosen = [...out.scores].sort((a, b) => b.composite - a.composite).slice(0, 2).map((s) => s.segmentId);
    expect(chosen).toEqual(['best', 'many-days']);
  });

  it('reads settings stored before TARGETING_SIZE_EXPONENT existed with engine version 3\'s exponent', () => {
    expect(sizeExponentOf({})).toBe(SIZE_EXPONENT_BEFORE_SETTING);
    expect(SIZE_EXPONENT_BEFORE_SETTING).toBe(0.25);
    expect(sizeExponentOf({ sizeExponent: DEFAULT_SIZE_EXPONENT })).toBe(0.75);
    expect(sizeExponentOf({ sizeExponent: 0 })).toBe(0);
  });

  it('leaves fatigued segments out of the set and keeps scores within 0..1', () => {
    const tired = units.map((u) => (u.score.segmentId === 'big-good' ? { ...u.score, fatigue: { isFatigued: true, reason: 'test' } } : u.score));
    const out = weighBySize(tired, units.map((u) => u.history), new Map([['interest', 2]]), 10, DEFAULT_SIZE_EXPONENT);
    expect(out.choices[0]!.candidates).toBe(4);
    expect(out.scores.every((s) => s.composite >= 0 && s.composite <= 1)).toBe(true);
  });
});
