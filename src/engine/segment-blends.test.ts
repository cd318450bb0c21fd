import { describe, expect, it } from 'vitest';
import { equalShares } from './money.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { addBlendDay, conditionOnBlends, isEqualShareDay } from './segment-blends.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, SegmentHistory } from './types.ts';
import type { SegmentKey } from './segment-key.ts';

const key = (id: string) => `interest:${id}` as SegmentKey;

describe('conditioning segment values on blends', () => {
  it('moves equally known members together, so their order holds', () => {
    const estimates = new Map([[key('a'), { mean: 3, variance: 1 }], [key('b'), { mean: 1, variance: 1 }]]);
    const after = conditionOnBlends(estimates, [{ members: [key('a'), key('b')], weights: [1, 1], value: 4, variance: 0 }]);
    // Predicted 2, observed 4: both rise by 2, and the blend's mean is what was observed.
    expect(after.get(key('a'))!.mean).toBeCloseTo(5, 9);
    expect(after.get(key('b'))!.mean).toBeCloseTo(3, 9);
    // A noiseless blend of two equally known members leaves each half its variance: their sum is known, not their difference.
    expect(after.get(key('a'))!.variance).toBeCloseTo(0.5, 9);
  });

  it('lets the member its own rows know least take most of the surprise', () => {
    const estimates = new Map([[key('known'), { mean: 2, variance: 0.01 }], [key('new'), { mean: 2, variance: 4 }]]);
    const after = conditionOnBlends(estimates, [{ members: [key('known'), key('new')], weights: [1, 1], value: 1, variance: 0.1 }]);
    const moved = (k: string) => 2 - after.get(key(k))!.mean;
    expect(moved('new')).toBeGreaterThan(100 * moved('known'));
    expect(moved('known')).toBeGreaterThan(0);
  });

  it('moves nothing when a blend earns what its members predicted, and ignores a blend of unknown value', () => {
    const estimates = new Map([[key('a'), { mean: 3, variance: 1 }], [key('b'), { mean: 1, variance: 2 }]]);
    const asPredicted = conditionOnBlends(estimates, [{ members: [key('a'), key('b')], weights: [3, 1], value: 2.5, variance: 0.5 }]);
    expect(asPredicted.get(key('a'))!.mean).toBeCloseTo(3, 12);
    expect(asPredicted.get(key('b'))!.mean).toBeCloseTo(1, 12);
    const unknown = conditionOnBlends(estimates, [{ members: [key('a'), key('b')], weights: [1, 1], value: 100, variance: Number.POSITIVE_INFINITY }]);
    expect(unknown.get(key('a'))!.mean).toBe(3);
  });

  it('tells apart the members two sets do not share', () => {
    // b and c are alike by their own rows; the set with c earned more than the set with b.
    const estimates = new Map([[key('a'), { mean: 2, variance: 1 }], [key('b'), { mean: 2, variance: 1 }], [key('c'), { mean: 2, variance: 1 }]]);
    const after = conditionOnBlends(estimates, [
      { members: [key('a'), key('b')], weights: [1, 1], value: 1.5, variance: 0.01 },
      { members: [key('a'), key('c')], weights: [1, 1], value: 2.5, variance: 0.01 },
    ]);
    expect(after.get(key('c'))!.mean - after.get(key('b'))!.mean).toBeGreaterThan(1.5);
  });

  it('conditions blends that share no member apart, as if each were alone', () => {
    const estimates = new Map([[key('a'), { mean: 3, variance: 1 }], [key('b'), { mean: 1, variance: 2 }], [key('c'), { mean: 2, variance: 1 }], [key('d'), { mean: 2, variance: 3 }], [key('e'), { mean: 5, variance: 1 }]]);
    const first = { members: [key('a'), key('b')], weights: [2, 1], value: 1, variance: 0.2 };
    const second = { members: [key('c'), key('d')], weights: [1, 1], value: 4, variance: 0.3 };
    const both = conditionOnBlends(estimates, [first, second]);
    const alone = new Map([...conditionOnBlends(estimates, [first])].filter(([k]) => k === key('a') || k === key('b')).concat([...conditionOnBlends(estimates, [second])].filter(([k]) => k === key('c') || k === key('d'))));
    for (const [k, v] of alone) {
      expect(both.get(k)!.mean).toBeCloseTo(v.mean, 12);
      expect(both.get(k)!.variance).toBeCloseTo(v.variance, 12);
    }
    expect(both.get(key('e'))!.mean).toBe(5);
  });

  it('gives a member without an estimate the blend\'s other members\' mean, and the surprise mostly to it', () => {
    const estimates = new Map([[key('a'), { mean: 2, variance: 0.01 }]]);
    const after = conditionOnBlends(estimates, [{ members: [key('a'), 'custom_audience:x' as SegmentKey], weights: [1, 1], value: 3, variance: 0.01 }]);
    expect([...after.keys()]).toEqual([key('a')]);
    expect(after.get(key('a'))!.mean - 2).toBeLessThan(0.05);
  });
});

describe('telling shares of one delivery from per-segment figures', () => {
  const shares = (k: number, day: string) => {
    const part = (total: number, metric: string) => equalShares(total, k, `a1|${day}|${metric}`);
    const [impressions, clicks, spend, conversions, revenue] = [part(10_007, 'i'), part(203, 'c'), part(45_001, 's'), part(5, 'v'), part(20_003, 'r')];
    return Array.from({ length: k }, (_, i) => ({ impressions: impressions[i]!, clicks: clicks[i]!, spendMinor: spend[i]!, conversions: conversions[i]!, revenueMinor: revenue[i]! }));
  };

  it('takes rows that agree within one unit on every count for shares', () => {
    expect(isEqualShareDay(shares(6, '2026-11-01'))).toBe(true);
    expect(isEqualShareDay(shares(2, '2026-11-02'))).toBe(true);
  });

  it('leaves out unknown counts, and takes one row or differing rows for a segment\'s own figures', () => {
    const rows = shares(3, '2026-11-03');
    expect(isEqualShareDay(rows.map((r, i) => ({ ...r, conversions: i === 0 ? null : r.conversions })))).toBe(true);
    expect(isEqualShareDay(rows.slice(0, 1))).toBe(false);
    expect(isEqualShareDay(rows.map((r, i) => ({ ...r, impressions: r.impressions + i * 40 })))).toBe(false);
    expect(isEqualShareDay(rows.map((r, i) => (i === 2 ? { ...r, revenueMinor: r.revenueMinor + 2 } : r)))).toBe(false);
  });

  it('keeps one blend per set of segments, whatever order the rows came in', () => {
    const adset: Pick<AdSetSnapshot, 'blends'> = {};
    const day = { ...emptyMetrics(), impressions: 100, clicks: 2 };
    addBlendDay(adset, [{ segmentType: 'interest', segmentId: 'b' }, { segmentType: 'behavior', segmentId: 'z' }, { segmentType: 'interest', segmentId: 'a' }], day);
    addBlendDay(adset, [{ segmentType: 'interest', segmentId: 'a' }, { segmentType: 'interest', segmentId: 'b' }, { segmentType: 'behavior', segmentId: 'z' }], day);
    addBlendDay(adset, [{ segmentType: 'interest', segmentId: 'a' }, { segmentType: 'interest', segmentId: 'b' }], day);
    expect(adset.blends!.map((b) => [b.segments.map((s) => s.segmentId), b.days, b.total.impressions])).toEqual([[['z', 'a', 'b'], 2, 200], [['a', 'b'], 1, 100]]);
  });
});

describe('the bayes choice on an ad set whose rows are shares of a blend', () => {
  const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', sizeExponent: 0.75, segmentPool: 'campaign', maxInterests: 1 };
  const metrics = (impressions: number, ctr: number, cvr: number): Metrics => {
    const clicks = Math.round(impressions * ctr);
    const conversions = Math.round(clicks * cvr);
    const spendMinor = impressions / 10;
    return { ...emptyMetrics(), impressions, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * 4_000, spendWithRevenueMinor: spendMinor };
  };
  // Before the blend, each interest ran on its own: a converts best, c well, b poorly. Then a and b
  // ran together in one ad set, credited in equal shares: a month of their mean.
  const ownA = metrics(200_000, 0.02, 0.05);
  const ownB = metrics(200_000, 0.01, 0.02);
  const ownC = metrics(200_000, 0.016, 0.04);
  const blendTotal = metrics(2_000_000, 0.015, 0.035);
  const half = { ...emptyMetrics(), impressions: 1_000_000, clicks: blendTotal.clicks / 2, spendMinor: blendTotal.spendMinor / 2, conversions: blendTotal.conversions / 2, clicksWithConversions: blendTotal.clicks / 2, revenueMinor: blendTotal.revenueMinor / 2, spendWithRevenueMinor: blendTotal.spendMinor / 2 };
  const interest = (id: string, total: Metrics, shared?: Metrics): SegmentHistory => ({ segmentType: 'interest', segmentId: id, segmentName: id, total, recent: emptyMetrics(), activeDays: 30, ...(shared ? { shared } : {}) });
  const snapshot = (withBlend: boolean): CampaignSnapshot => ({
    campaignId: 'c1',
    currency: 'EUR',
    windowStart: '2026-10-22',
    windowEnd: '2026-11-20',
    pixelEvents: [],
    adsets: [{
      adsetId: 'A',
      segments: [
        interest('a', addMetrics(addMetrics(emptyMetrics(), ownA), half), withBlend ? half : undefined),
        interest('b', addMetrics(addMetrics(emptyMetrics(), ownB), half), withBlend ? half : undefined),
        interest('c', ownC),
      ],
      countries: [],
      demographics: [],
      total: emptyMetrics(),
      recent: emptyMetrics(),
      ...(withBlend ? { blends: [{ segments: [{ segmentType: 'interest' as const, segmentId: 'a' }, { segmentType: 'interest' as const, segmentId: 'b' }], days: 30, total: blendTotal }] } : {}),
    }],
  });

  it('keeps the best member, which reading the shares as its own would drop', () => {
    const read = decideDocuments({ snapshot: snapshot(true), totalBudgetMinor: 100_000, settings: BAYES });
    expect(read[0]!.draft.interests.map((i) => i.interest_id)).toEqual(['a']);
    const trace = read[0]!.draft.reasoning.trace.find((t) => t.step === 'segments.pool')!;
    expect(trace.numbers).toMatchObject({ blends: 1, blended_segments: 2 });
    // What each value rests on says how far the blend moved it: a and b were in it, c was not.
    const all = decideDocuments({ snapshot: snapshot(true), totalBudgetMinor: 100_000, settings: { ...BAYES, maxInterests: 3 } });
    const ranked = (id: string) => all[0]!.draft.reasoning.trace.find((t) => t.step === 'interests' && t.numbers.segment_id === id)!;
    expect(typeof ranked('a').numbers.value_from_blends).toBe('number');
    expect(typeof ranked('b').numbers.value_from_blends).toBe('number');
    expect(ranked('c').numbers.value_from_blends).toBeUndefined();
    // The same rows without saying which are shares: a and b both look like their mean, and c wins.
    const naive = decideDocuments({ snapshot: snapshot(false), totalBudgetMinor: 100_000, settings: BAYES });
    expect(naive[0]!.draft.interests.map((i) => i.interest_id)).toEqual(['c']);
  });
});
