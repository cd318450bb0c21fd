import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inclusiveDays } from './calendar.ts';
import { drawValuePerImpression, exploreSegments, explorationSlots, isRecovering } from './exploration.ts';
import { pooledPrior } from './value-model.ts';
import { ratePriorsByType } from './segment-value.ts';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { createRng } from './random.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, SegmentHistory, SegmentType } from './types.ts';

const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', explorationShare: 0.1 };

function metrics(impressions: number, ctr: number, cvr: number, orderMinor = 5_000): Metrics {
  const clicks = Math.round(impressions * ctr);
  const conversions = Math.round(clicks * cvr);
  const spendMinor = clicks * 40;
  return { ...emptyMetrics(), impressions, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * orderMinor, spendWithRevenueMinor: spendMinor };
}

/** Recent = 7/30 of the total: steady delivery, no fatigue. */
function segment(type: SegmentType, id: string, total: Metrics, recent?: Metrics): SegmentHistory {
  const share = 7 / 30;
  const steady = recent ?? { ...total, impressions: Math.round(total.impressions * share), clicks: Math.round(total.clicks * share), conversions: Math.round(total.conversions * share), clicksWithConversions: Math.round(total.clicksWithConversions * share), spendMinor: Math.round(total.spendMinor * share), revenueMinor: Math.round(total.revenueMinor * share), spendWithRevenueMinor: Math.round(total.spendWithRevenueMinor * share) };
  return { segmentType: type, segmentId: id, segmentName: `${type} ${id}`, total, recent: steady };
}

/** 40 interests and 20 behaviors whose sizes differ by 100×, values spread so the top is clear. */
function segments(): SegmentHistory[] {
  const list: SegmentHistory[] = [];
  for (let i = 0; i < 40; i++) list.push(segment('interest', `i${String(i).padStart(2, '0')}`, metrics(i % 2 === 0 ? 200_000 : 2_000, 0.01 + 0.0005 * i, 0.02 + 0.0005 * i)));
  for (let i = 0; i < 20; i++) list.push(segment('behavior', `b${String(i).padStart(2, '0')}`, metrics(i % 2 === 0 ? 100_000 : 1_000, 0.01 + 0.0005 * i, 0.02)));
  return list;
}

function snapshot(segs: SegmentHistory[]): CampaignSnapshot {
  const adset: AdSetSnapshot = {
    adsetId: 'a1',
    segments: segs,
    countries: [{ countryCode: 'ES', total: metrics(200_000, 0.012, 0.02) }, { countryCode: 'MX', total: metrics(300_000, 0.025, 0.04) }],
    demographics: [],
    total: metrics(500_000, 0.02, 0.03),
    recent: metrics(120_000, 0.02, 0.03),
  };
  return { campaignId: 'c1', currency: 'EUR', windowStart: '2026-10-22', windowEnd: '2026-11-20', adsets: [adset], pixelEvents: [] };
}

const exploredIds = (draft: ReturnType<typeof decideDocuments>[number]['draft'], step: string) =>
  draft.reasoning.trace.filter((t) => t.step === step).map((t) => String(t.numbers.segment_id));

describe('explorationSlots', () => {
  it('is floor(share × max), at least 1 when share > 0 and max ≥ 2, none otherwise', () => {
    expect(explorationSlots(0.1, 15)).toBe(1);
    expect(explorationSlots(0.1, 10)).toBe(1);
    expect(explorationSlots(0.2, 15)).toBe(3);
    expect(explorationSlots(0.5, 10)).toBe(5);
    expect(explorationSlots(0.1, 5)).toBe(1);
    expect(explorationSlots(0.1, 1)).toBe(0);
    expect(explorationSlots(0, 15)).toBe(0);
    fc.assert(fc.property(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer({ min: 0, max: 100 }), (share, max) => {
      const slots = explorationSlots(share, max);
      if (share > 0 && max >= 2) expect(slots).toBe(Math.max(1, Math.floor(share * max)));
      else expect(slots).toBe(0);
      expect(slots).toBeLessThan(Math.max(1, max));
    }));
  });
});

describe('Thompson draws', () => {
  it('center on the shrunk value and spread less for a large sample than for a small one', () => {
    const pooled = metrics(1_000_000, 0.01, 0.02);
    const spread = (m: Metrics) => {
      const rng = createRng(5);
      const xs = Array.from({ length: 2_000 }, () => drawValuePerImpression(rng, m, pooledPrior(pooled)));
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
    };
    const big = spread(metrics(500_000, 0.01, 0.02));
    const small = spread(metrics(2_000, 0.01, 0.02));
    // True value 0.01 × 0.02 × 5,000 = 1 minor unit per impression.
    expect(big.mean).toBeGreaterThan(0.95);
    expect(big.mean).toBeLessThan(1.05);
    expect(small.sd).toBeGreaterThan(3 * big.sd);
  });

  it('never explore a fatigued segment or one already chosen', () => {
    const list = segments().filter((s) => s.segmentType === 'interest');
    const scores = list.map((h) => ({ segmentType: h.segmentType, segmentId: h.segmentId, segmentName: h.segmentName, smoothedCtr: 0, smoothedCvr: 0, smoothedRoas: 0, confidence: 1, composite: 0.5, fatigue: { isFatigued: h.segmentId < 'i20', reason: h.segmentId < 'i20' ? 'test' : null } }));
    const chosen = new Set(['i20', 'i21']);
    const picked = exploreSegments(createRng(1), scores, list, 'interest', ratePriorsByType(list, null).get('interest')!, chosen, 10, new Set());
    expect(picked).toHaveLength(10);
    for (const p of picked) {
      expect(p.score.segmentId >= 'i22').toBe(true);
      expect(p.draws).toBe(18);
    }
    expect(picked.map((p) => p.drawRank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('optimizeCampaign with exploration (bayes)', () => {
  it('is deterministic for a seed, and different seeds explore different segments', () => {
    const snap = snapshot(segments());
    const a = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: BAYES, randomSeed: 42 })[0]!.draft;
    const b = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: BAYES, randomSeed: 42 })[0]!.draft;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const explored = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const d = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: BAYES, randomSeed: seed })[0]!.draft;
      for (const id of exploredIds(d, 'interests.explore')) explored.add(id);
    }
    expect(explored.size).toBeGreaterThan(2);
  });

  it('fills floor(share × max) slots by exploration, marks each in the trace, and keeps the limits', () => {
    for (const [share, interests, behaviors] of [[0.1, 1, 1], [0.2, 3, 2], [0.5, 7, 5]] as const) {
      const d = decideDocuments({ snapshot: snapshot(segments()), totalBudgetMinor: 100_000, settings: { ...BAYES, explorationShare: share }, randomSeed: 7 })[0]!.draft;
      expect(d.interests).toHaveLength(15);
      expect(d.behaviors).toHaveLength(10);
      expect(exploredIds(d, 'interests.explore')).toHaveLength(interests);
      expect(exploredIds(d, 'behaviors.explore')).toHaveLength(behaviors);
      expect(new Set(d.interests.map((i) => i.interest_id)).size).toBe(15);
      // Explored segments take the last ranks, after the best estimates.
      expect(d.interests.slice(15 - interests).map((i) => i.interest_id)).toEqual(exploredIds(d, 'interests.explore'));
      const line = d.reasoning.trace.find((t) => t.step === 'interests.explore')!;
      expect(line.decision).toMatch(/^explored ".+": posterior draw [\d.e-]+ per impression, rank \d+ among \d+ draws; sample [\d,]+ impressions/);
    }
  });

  it('does not explore without a seed, with a share of 0, or with the seed strategy', () => {
    const snap = snapshot(segments());
    const plain = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: { ...BAYES, explorationShare: 0 } })[0]!.draft;
    const noSeed = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: BAYES })[0]!.draft;
    const zero = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: { ...BAYES, explorationShare: 0 }, randomSeed: 3 })[0]!.draft;
    expect(noSeed.interests).toEqual(plain.interests);
    expect(zero.interests).toEqual(plain.interests);
    expect(exploredIds(noSeed, 'interests.explore')).toEqual([]);
    const seedA = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: { ...SPEC_SETTINGS, explorationShare: 0.5 }, randomSeed: 1 })[0]!.draft;
    const seedB = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: { ...SPEC_SETTINGS, explorationShare: 0 } })[0]!.draft;
    expect(seedA).toEqual(seedB);
  });

  it('keeps a fatigued segment out, and re-admits one back from a rest only through exploration', () => {
    const list = segments();
    // i38 is the best large interest; its recent CTR fell to a third of its earlier one: fatigued (resting).
    const i38 = list.findIndex((s) => s.segmentId === 'i38');
    list[i38] = segment('interest', 'i38', list[i38]!.total, metrics(40_000, 0.01, 0.03));
    // i36, the next one, delivered before its recent days and nothing within them: back from a rest.
    const i36 = list.findIndex((s) => s.segmentId === 'i36');
    list[i36] = segment('interest', 'i36', list[i36]!.total, emptyMetrics());
    const snap = snapshot(list);
    const withoutExploration = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: BAYES })[0]!.draft;
    expect(withoutExploration.interests.map((i) => i.interest_id)).not.toContain('i38');
    // Without exploration there is no slot to re-admit it through: it ranks as before.
    expect(withoutExploration.interests.map((i) => i.interest_id)).toContain('i36');
    let admitted = 0;
    for (let seed = 0; seed < 40; seed++) {
      const d = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: { ...BAYES, explorationShare: 0.2 }, randomSeed: seed })[0]!.draft;
      const ids = d.interests.map((i) => i.interest_id);
      expect(ids).not.toContain('i38');
      const explored = exploredIds(d, 'interests.explore');
      if (ids.includes('i36')) {
        expect(explored).toContain('i36');
        admitted++;
      }
      expect(d.reasoning.trace.some((t) => t.step === 'interests' && t.decision.includes('back from a rest') && t.numbers.segment_id === 'i36')).toBe(true);
    }
    // i36's posterior is among the best, so its draws win an exploration slot on some seeds.
    expect(admitted).toBeGreaterThan(0);
  });
});

describe('rest and recovery from the snapshot', () => {
  it('counts days inclusively across months and leap days', () => {
    expect(inclusiveDays('2026-10-22', '2026-11-20')).toBe(30);
    expect(inclusiveDays('2024-02-28', '2024-03-01')).toBe(3);
    expect(inclusiveDays('2026-01-01', '2026-01-01')).toBe(1);
  });

  it('calls a segment recovering when it delivered before its recent days and under 10 % of that pace within them', () => {
    const total = metrics(23_000, 0.01, 0.02);
    expect(isRecovering(segment('interest', 'x', total, metrics(500, 0.01, 0.02)), 30, 7)).toBe(true);
    expect(isRecovering(segment('interest', 'x', total, metrics(5_000, 0.01, 0.02)), 30, 7)).toBe(false);
    // 900 impressions over the 23 earlier days promised about 274 in the recent 7: none is a signal.
    expect(isRecovering(segment('interest', 'x', metrics(900, 0.01, 0.02), emptyMetrics()), 30, 7)).toBe(true);
    // 150 over 23 days promised about 46 (under 50): their absence can be chance.
    expect(isRecovering(segment('interest', 'x', metrics(150, 0.01, 0.02), emptyMetrics()), 30, 7)).toBe(false);
    expect(isRecovering(segment('interest', 'x', metrics(170, 0.01, 0.02), emptyMetrics()), 30, 7)).toBe(true);
    expect(isRecovering(segment('interest', 'x', total, emptyMetrics()), 7, 7)).toBe(false);
  });
});
