import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { scoreSegments } from './scoring.ts';
import { rescoreByValue } from './segment-value.ts';
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
