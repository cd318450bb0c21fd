import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { scoreSegments } from './scoring.ts';
import { rescoreByValue, SIZE_EXPONENT, weighBySize } from './segment-value.ts';
import { SEED_SETTINGS } from './test-settings.ts';
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
  const seed = scoreSegments(segments, SEED_SETTINGS, 100);
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
    score: { ...scoreSegments([history(id, perDay * days, 0.01, 0.02, 4000)], SEED_SETTINGS, 100)[0]!, composite: value },
    history: { ...history(id, perDay * days, 0.01, 0.02, 4000), activeDays: days },
  });
  const units = [unit('tiny-best', 1, 10), unit('big-good', 0.8, 100_000), unit('big-fair', 0.6, 100_000), unit('mid-poor', 0.3, 1_000), unit('big-poor', 0.2, 100_000, 3)];
  const run = (k: number) => weighBySize(units.map((u) => u.score), units.map((u) => u.history), new Map([['interest', k]]), 10);
  const top = (k: number) => [...run(k).scores].sort((a, b) => b.composite - a.composite).slice(0, k).map((s) => s.segmentId);
  const weight = (id: string) => {
    const h = units.find((u) => u.score.segmentId === id)!.history;
    return (h.total.impressions / h.activeDays) ** SIZE_EXPONENT;
  };
  const weighedMean = (ids: string[]) => ids.reduce((a, id) => a + weight(id) * units.find((u) => u.score.segmentId === id)!.score.composite, 0) / ids.reduce((a, id) => a + weight(id), 0);

  it('takes the set with the highest weighted mean value: no other set of the same size beats it', () => {
    const ids = units.map((u) => u.score.segmentId);
    for (const k of [1, 2, 3, 4]) {
      const chosen = top(k);
      const subsets = (from: string[], n: number): string[][] => (n === 0 ? [[]] : from.flatMap((id, i) => subsets(from.slice(i + 1), n - 1).map((rest) => [id, ...rest])));
      for (const other of subsets(ids, k)) expect(weighedMean(chosen)).toBeGreaterThanOrEqual(weighedMean(other) - 1e-12);
      expect(run(k).choices[0]!.setValue).toBeCloseTo(weighedMean(chosen), 9);
    }
  });

  it('sizes a segment by its impressions per day of delivery, not over the window', () => {
    // big-poor delivered 3 days at 100,000 a day: as big as the others, so it is weighed as one.
    expect(weight('big-poor')).toBeCloseTo(weight('big-good'), 9);
  });

  it('leaves fatigued segments out of the set and keeps scores within 0..1', () => {
    const tired = units.map((u) => (u.score.segmentId === 'big-good' ? { ...u.score, fatigue: { isFatigued: true, reason: 'test' } } : u.score));
    const out = weighBySize(tired, units.map((u) => u.history), new Map([['interest', 2]]), 10);
    expect(out.choices[0]!.candidates).toBe(4);
    expect(out.scores.every((s) => s.composite >= 0 && s.composite <= 1)).toBe(true);
  });
});
