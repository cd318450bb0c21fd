import { describe, it, expect } from 'vitest';
import {
  compositeScore,
  confidenceFromImpressions,
  detectFatigue,
  fatiguedCount,
  normalize,
  scoreAt,
  scoreSegment,
  scoreSegments,
  scoresOf,
  scoreTable,
  smooth,
  tableOf,
  smoothedRates,
} from './scoring.ts';
import type { EngineSettings, Metrics, Priors, SegmentHistory } from './types.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import { emptyMetrics } from './metrics.ts';

const priors: Priors = { ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 };

const settings: EngineSettings = SPEC_SETTINGS;

/** Metrics with every field 0 except those given. */
function metrics(fields: Partial<Metrics>): Metrics {
  return { ...emptyMetrics(), ...fields };
}

describe('smooth', () => {
  it('reproduces the seed example: 5 % CTR on 200 impressions, prior 1.5 % at strength 100 -> 3.83 %', () => {
    const smoothed = smooth(0.015, 100, 0.05, 200);
    expect(smoothed).toBeCloseTo(0.0383333, 6);
    expect((smoothed * 100).toFixed(2)).toBe('3.83');
  });

  it('returns the prior when there is no evidence', () => {
    expect(smooth(0.015, 100, 0.5, 0)).toBe(0.015);
    expect(smooth(0.015, 100, 0.5, -3)).toBe(0.015);
  });
});

describe('confidenceFromImpressions', () => {
  it('is 0 at 0 and for negative impressions', () => {
    expect(confidenceFromImpressions(0)).toBe(0);
    expect(confidenceFromImpressions(-50)).toBe(0);
  });

  it('branch 1 (< 100): impressions / 100 * 0.3', () => {
    expect(confidenceFromImpressions(50)).toBeCloseTo(0.15, 12);
    expect(confidenceFromImpressions(99)).toBeCloseTo(0.297, 12);
  });

  it('branch 2 (100..499): 0.3 + (impressions - 100) / 400 * 0.3', () => {
    expect(confidenceFromImpressions(100)).toBeCloseTo(0.3, 12);
    expect(confidenceFromImpressions(300)).toBeCloseTo(0.45, 12);
    expect(confidenceFromImpressions(499)).toBeCloseTo(0.59925, 12);
  });

  it('branch 3 (500..1999): 0.6 + (impressions - 500) / 1500 * 0.3', () => {
    expect(confidenceFromImpressions(500)).toBeCloseTo(0.6, 12);
    expect(confidenceFromImpressions(1250)).toBeCloseTo(0.75, 12);
    expect(confidenceFromImpressions(1999)).toBeCloseTo(0.8998, 12);
  });

  it('branch 4 (>= 2000): 0.9 + (impressions - 2000) / 5000 * 0.05, capped at 0.95', () => {
    expect(confidenceFromImpressions(2000)).toBeCloseTo(0.9, 12);
    expect(confidenceFromImpressions(4500)).toBeCloseTo(0.925, 12);
    expect(confidenceFromImpressions(7000)).toBeCloseTo(0.95, 12);
    expect(confidenceFromImpressions(7001)).toBe(0.95);
    expect(confidenceFromImpressions(10_000_000)).toBe(0.95);
  });
});

describe('normalize', () => {
  it('maps low..high linearly onto 0..1', () => {
    expect(normalize(0.015, 0.015, 0.045)).toBe(0);
    expect(normalize(0.03, 0.015, 0.045)).toBeCloseTo(0.5, 12);
    expect(normalize(0.045, 0.015, 0.045)).toBeCloseTo(1, 12);
  });

  it('clamps below low to 0 and above high to 1', () => {
    expect(normalize(0.001, 0.015, 0.045)).toBe(0);
    expect(normalize(-5, 0, 1)).toBe(0);
    expect(normalize(0.2, 0.015, 0.045)).toBe(1);
    expect(normalize(7, 0, 1)).toBe(1);
  });
});

describe('compositeScore', () => {
  it('is 0 for a segment exactly at the priors, whatever the confidence', () => {
    expect(compositeScore({ ctr: 0.015, cvr: 0.02, roas: 2.5 }, 1, priors)).toBe(0);
    expect(compositeScore({ ctr: 0.015, cvr: 0.02, roas: 2.5 }, 0.5, priors)).toBe(0);
  });

  it('is 1 at 3x the CTR and CVR priors and 2x the ROAS prior with confidence 1', () => {
    expect(compositeScore({ ctr: 0.045, cvr: 0.06, roas: 5 }, 1, priors)).toBeCloseTo(1, 12);
  });

  it('weighs CTR 0.25, CVR 0.40 and ROAS 0.35', () => {
    expect(compositeScore({ ctr: 0.045, cvr: 0.02, roas: 2.5 }, 1, priors)).toBeCloseTo(0.25, 12);
    expect(compositeScore({ ctr: 0.015, cvr: 0.06, roas: 2.5 }, 1, priors)).toBeCloseTo(0.4, 12);
    expect(compositeScore({ ctr: 0.015, cvr: 0.02, roas: 5 }, 1, priors)).toBeCloseTo(0.35, 12);
  });

  it('multiplies by confidence', () => {
    expect(compositeScore({ ctr: 0.045, cvr: 0.06, roas: 5 }, 0.6, priors)).toBeCloseTo(0.6, 12);
    // Halfway on CVR only: 0.5 * 0.40 = 0.2, times confidence 0.9.
    expect(compositeScore({ ctr: 0.015, cvr: 0.04, roas: 2.5 }, 0.9, priors)).toBeCloseTo(0.18, 12);
  });
});

describe('smoothedRates', () => {
  it('smooths CTR with impressions as the sample size', () => {
    const rates = smoothedRates(metrics({ impressions: 200, clicks: 10 }), priors, 100);
    expect(rates.ctr).toBeCloseTo(0.0383333, 6);
  });

  it('keeps the CVR prior when conversions are unknown on every row (unknown is not zero)', () => {
    const rates = smoothedRates(metrics({ impressions: 50_000, clicks: 1_000, clicksWithConversions: 0 }), priors, 100);
    expect(rates.cvr).toBe(0.02);
  });

  it('uses only the clicks whose conversions are known as the CVR sample', () => {
    // 10 conversions on the 200 clicks with known outcome: (0.02 * 100 + 10) / (100 + 200) = 0.04.
    // Dividing by all 1,000 clicks would give (2 + 10) / 1,100 = 0.0109.
    const m = metrics({ impressions: 50_000, clicks: 1_000, conversions: 10, clicksWithConversions: 200 });
    expect(smoothedRates(m, priors, 100).cvr).toBeCloseTo(0.04, 12);
  });

  it('keeps the ROAS prior when revenue is unknown on every row (unknown is not zero)', () => {
    const rates = smoothedRates(metrics({ impressions: 50_000, spendMinor: 100_000, spendWithRevenueMinor: 0 }), priors, 100);
    expect(rates.roas).toBe(2.5);
  });

  it('counts ROAS samples as spend in major currency units (EUR cents vs JPY yen)', () => {
    // EUR: 100.00 spent (10,000 cents), 500.00 returned -> observed 5x on 100 samples:
    // (2.5 * 100 + 5 * 100) / (100 + 100) = 3.75.
    const eur = metrics({ spendMinor: 10_000, spendWithRevenueMinor: 10_000, revenueMinor: 50_000 });
    expect(smoothedRates(eur, priors, 100).roas).toBeCloseTo(3.75, 12);
    // JPY: the same minor amounts are 10,000 yen = 10,000 samples: (250 + 50,000) / 10,100 = 4.9752.
    const jpy = metrics({ spendMinor: 10_000, spendWithRevenueMinor: 10_000, revenueMinor: 50_000 });
    expect(smoothedRates(jpy, priors, 1).roas).toBeCloseTo(50_250 / 10_100, 12);
    // 100 yen is as much evidence as 100 euros.
    const jpySmall = metrics({ spendMinor: 100, spendWithRevenueMinor: 100, revenueMinor: 500 });
    expect(smoothedRates(jpySmall, priors, 1).roas).toBeCloseTo(3.75, 12);
  });

  it('rejects a non-positive minorPerMajor', () => {
    expect(() => smoothedRates(metrics({}), priors, 0)).toThrow(RangeError);
  });
});

describe('detectFatigue', () => {
  it('flags a significant CTR drop, with the numbers in the reason', () => {
    // Earlier: 2,000 clicks on 100,000 impressions (2.00 %); recent: 120 on 10,000 (1.20 %).
    const recent = metrics({ impressions: 10_000, clicks: 120 });
    const total = metrics({ impressions: 110_000, clicks: 2_120 });
    const pooled = 2_120 / 110_000;
    const z = (0.012 - 0.02) / Math.sqrt(pooled * (1 - pooled) * (1 / 10_000 + 1 / 100_000));
    expect(z).toBeLessThan(-1.96);
    const verdict = detectFatigue(total, recent, settings);
    expect(verdict.isFatigued).toBe(true);
    expect(verdict.reason).toBe(`CTR fell 40% (1.20% in the last 7 days vs 2.00% before; z = ${z.toFixed(1)})`);
  });

  it('does not flag the same 40 % drop on samples too small to be significant', () => {
    // Earlier 40 clicks / 2,000 (2.00 %), recent 12 / 1,000 (1.20 %): same ratio, but z is about -1.6.
    const recent = metrics({ impressions: 1_000, clicks: 12 });
    const total = metrics({ impressions: 3_000, clicks: 52 });
    expect(detectFatigue(total, recent, settings)).toEqual({ isFatigued: false, reason: null });
  });

  it('does not judge a CTR drop when a period has fewer than 1,000 impressions', () => {
    // 0 clicks in 900 recent impressions vs 2 % before would give z about -4, but 900 < 1,000.
    const recent = metrics({ impressions: 900, clicks: 0 });
    const total = metrics({ impressions: 100_900, clicks: 2_000 });
    expect(detectFatigue(total, recent, settings).isFatigued).toBe(false);
  });

  it('flags a high recent frequency, with the numbers in the reason', () => {
    // 9,200 impressions over 2,000 summed daily reach = 4.6 impressions per person per day > 4.
    const recent = metrics({ impressions: 9_200, clicks: 184, reach: 2_000, impressionsWithReach: 9_200 });
    const total = metrics({ impressions: 40_000, clicks: 800 });
    const verdict = detectFatigue(total, recent, settings);
    expect(verdict).toEqual({
      isFatigued: true,
      reason: 'frequency 4.6 impressions per person per day in the last 7 days (limit 4)',
    });
  });

  it('joins both reasons with "; "', () => {
    const recent = metrics({ impressions: 10_000, clicks: 120, reach: 2_000, impressionsWithReach: 9_200 });
    const total = metrics({ impressions: 110_000, clicks: 2_120 });
    const reason = detectFatigue(total, recent, settings).reason;
    expect(reason).toMatch(/^CTR fell 40% .*; frequency 4\.6 impressions per person per day/);
  });

  it('does not flag a healthy segment', () => {
    // Steady 2 % CTR, frequency 2.
    const recent = metrics({ impressions: 10_000, clicks: 200, reach: 5_000, impressionsWithReach: 10_000 });
    const total = metrics({ impressions: 110_000, clicks: 2_200, reach: 55_000, impressionsWithReach: 110_000 });
    expect(detectFatigue(total, recent, settings)).toEqual({ isFatigued: false, reason: null });
  });
});

describe('scoreSegment / scoreSegments', () => {
  const segment: SegmentHistory = {
    segmentType: 'interest',
    segmentId: '6003139266461',
    segmentName: 'Movies',
    total: metrics({
      impressions: 4_500,
      clicks: 90,
      conversions: 3,
      clicksWithConversions: 90,
      spendMinor: 9_000,
      revenueMinor: 30_000,
      spendWithRevenueMinor: 9_000,
    }),
    recent: metrics({ impressions: 1_000, clicks: 20 }),
  };

  it('combines the smoothed rates, confidence from total impressions, composite and fatigue', () => {
    const score = scoreSegment(segment, settings, 100);
    const rates = smoothedRates(segment.total, priors, 100);
    expect(score).toEqual({
      segmentType: 'interest',
      segmentId: '6003139266461',
      segmentName: 'Movies',
      smoothedCtr: rates.ctr,
      smoothedCvr: rates.cvr,
      smoothedRoas: rates.roas,
      confidence: confidenceFromImpressions(4_500),
      composite: compositeScore(rates, confidenceFromImpressions(4_500), priors),
      fatigue: { isFatigued: false, reason: null },
    });
    expect(score.confidence).toBeCloseTo(0.925, 12);
    expect(score.composite).toBeGreaterThan(0);
  });

  it('scores every segment in input order', () => {
    const other: SegmentHistory = { ...segment, segmentId: 'empty', segmentName: 'No data', total: metrics({}) };
    const scores = scoreSegments([segment, other], settings, 100);
    expect(scores.map((s) => s.segmentId)).toEqual(['6003139266461', 'empty']);
    expect(scores[0]).toEqual(scoreSegment(segment, settings, 100));
    expect(scores[1]).toMatchObject({ smoothedCtr: 0.015, smoothedCvr: 0.02, smoothedRoas: 2.5, confidence: 0, composite: 0 });
  });

  it('scores into columns whose rows read back as scoreSegment scores, keeping only the fatigued verdicts', () => {
    const tired: SegmentHistory = {
      ...segment,
      segmentId: 'tired',
      total: metrics({ impressions: 20_000, clicks: 500 }),
      recent: metrics({ impressions: 5_000, clicks: 50 }),
    };
    const other: SegmentHistory = { ...segment, segmentType: 'behavior', segmentId: 'empty', segmentName: 'No data', total: metrics({}) };
    const histories = [segment, tired, other];
    const table = scoreTable(histories, settings, 100);
    expect(table.rows).toBe(histories);
    expect([...table.fatigue.keys()]).toEqual([1]);
    expect(fatiguedCount(table)).toBe(1);
    expect(table.composite[0]).toBe(scoreSegment(segment, settings, 100).composite);
    histories.forEach((h, i) => expect(scoreAt(table, i)).toEqual(scoreSegment(h, settings, 100)));
    expect(scoreAt(table, 1).fatigue.reason).toMatch(/^CTR fell 67%/);
    expect(scoresOf(table)).toEqual(scoreSegments(histories, settings, 100));
  });

  it('makes a table of score objects that reads back as those objects, their composites in the column', () => {
    const scores = scoreSegments([segment], settings, 100).map((s) => ({ ...s, composite: 0.5, fatigue: { isFatigued: true, reason: 'resting' } }));
    const table = tableOf(scores);
    expect(table.composite[0]).toBe(0.5);
    expect(fatiguedCount(table)).toBe(1);
    expect(scoresOf(table)).toEqual(scores);
  });
});
