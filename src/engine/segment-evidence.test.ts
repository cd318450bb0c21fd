// The interest and behavior ranking lines state the evidence each score rests on: the segment's
// delivery in the window and the `bayes` strategy's value per 1,000 impressions with its 90 %
// credible interval. The specification's lines stay as they were.
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, SegmentHistory, SegmentType } from './types.ts';
import type { TraceEntryDocument } from '../presentation/recommendation-document.ts';

const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', maxInterests: 2, maxBehaviors: 1 };
const EVIDENCE = ['segment_name', 'impressions', 'clicks', 'conversions', 'cost_per_1000', 'value_per_1000', 'value_low', 'value_high'];

/** Delivery with every row's conversions and revenue known, unless `known` says otherwise. */
function metrics(impressions: number, clicks: number, conversions: number, revenueMinor: number, known = { conversions: true, revenue: true }): Metrics {
  const spendMinor = clicks * 40;
  return {
    ...emptyMetrics(),
    impressions,
    clicks,
    spendMinor,
    conversions: known.conversions ? conversions : 0,
    clicksWithConversions: known.conversions ? clicks : 0,
    revenueMinor: known.revenue ? revenueMinor : 0,
    spendWithRevenueMinor: known.revenue ? spendMinor : 0,
  };
}

function segment(type: SegmentType, id: string, total: Metrics): SegmentHistory {
  return { segmentType: type, segmentId: id, segmentName: `${type} ${id}`, total, recent: emptyMetrics(), activeDays: 28 };
}

function snapshotOf(segments: SegmentHistory[], currency = 'EUR'): CampaignSnapshot {
  const total = segments.reduce((acc, s) => ({ ...acc, impressions: acc.impressions + s.total.impressions, clicks: acc.clicks + s.total.clicks, spendMinor: acc.spendMinor + s.total.spendMinor }), emptyMetrics());
  const adset: AdSetSnapshot = { adsetId: 'a1', segments, countries: [], demographics: [], total, recent: emptyMetrics() };
  return { campaignId: 'c1', currency, windowStart: '2026-10-24', windowEnd: '2026-11-20', adsets: [adset], pixelEvents: [] };
}

const SEGMENTS = [
  // 2 % CTR, 5 % CVR, 40 EUR per order: 40 EUR of revenue per 1,000 impressions, measured on 400,000.
  segment('interest', 'big', metrics(400_000, 8_000, 400, 1_600_000)),
  segment('interest', 'mid', metrics(50_000, 800, 30, 90_000)),
  segment('interest', 'small', metrics(4_000, 70, 2, 7_000)),
  segment('behavior', 'b1', metrics(120_000, 1_500, 60, 240_000)),
  segment('behavior', 'b2', metrics(30_000, 300, 9, 27_000)),
];

/** The value numbers of a ranking line, read as numbers (they are null only without revenue). */
const valueOf = (line: TraceEntryDocument) => ({ mean: line.numbers.value_per_1000 as number, low: line.numbers.value_low as number, high: line.numbers.value_high as number, impressions: line.numbers.impressions as number });

const ranking = (trace: TraceEntryDocument[]) => trace.filter((t) => (t.step === 'interests' || t.step === 'behaviors') && 'rank' in t.numbers);

describe('the ranking lines of the bayes strategy', () => {
  const [decided] = decideDocuments({ snapshot: snapshotOf(SEGMENTS), totalBudgetMinor: 100_000, settings: BAYES });
  const lines = ranking(decided!.draft.reasoning.trace);

  it('give each ranked segment its name and its delivery in the window, as whole numbers', () => {
    expect(lines.map((t) => t.step)).toEqual(['interests', 'interests', 'behaviors']);
    for (const line of lines) {
      const history = SEGMENTS.find((s) => s.segmentId === line.numbers.segment_id)!;
      expect(line.numbers).toMatchObject({ segment_name: history.segmentName, impressions: history.total.impressions, clicks: history.total.clicks, conversions: history.total.conversions });
      expect(Number.isInteger(line.numbers.impressions)).toBe(true);
      expect(Number.isInteger(line.numbers.clicks)).toBe(true);
      // What 1,000 of its impressions cost, in euros: the spend the ranking per unit of spend divides by.
      expect(line.numbers.cost_per_1000).toBeCloseTo((history.total.spendMinor / history.total.impressions) * 10, 4);
    }
  });

  it('give the value per 1,000 impressions in major units inside its 90 % interval, narrower with more evidence', () => {
    for (const line of lines) {
      const { mean, low, high } = valueOf(line);
      expect(low).toBeLessThanOrEqual(mean);
      expect(mean).toBeLessThanOrEqual(high);
      expect(high).toBeGreaterThan(low);
    }
    const big = valueOf(lines.find((t) => t.numbers.segment_id === 'big')!);
    const other = valueOf(lines.find((t) => t.step === 'interests' && t.numbers.segment_id !== 'big')!);
    // 400,000 impressions leave the shrinkage little to move: close to the observed 40 EUR (not 4,000 cents).
    expect(big.mean).toBeGreaterThan(36);
    expect(big.mean).toBeLessThan(44);
    expect(other.impressions).toBeLessThan(big.impressions);
    expect((big.high - big.low) / big.mean).toBeLessThan((other.high - other.low) / other.mean);
  });

  it('name the segments the ranking excludes for fatigue', () => {
    // Ten impressions per person a day in the recent days: over the limit of 4.
    const tired = { ...SEGMENTS[1]!, recent: { ...emptyMetrics(), impressions: 20_000, impressionsWithReach: 20_000, reach: 2_000 } };
    const [d] = decideDocuments({ snapshot: snapshotOf([SEGMENTS[0]!, tired, SEGMENTS[2]!]), totalBudgetMinor: 100_000, settings: BAYES });
    const excluded = d!.draft.reasoning.trace.find((t) => t.step === 'interests' && t.decision.startsWith('excluded'));
    expect(excluded?.numbers).toMatchObject({ segment_id: 'mid', segment_name: 'interest mid' });
  });

  it('have no conversions where the window does not know them, and no value in money without revenue', () => {
    const unknown = [
      segment('interest', 'x', metrics(200_000, 3_000, 0, 0, { conversions: false, revenue: false })),
      segment('interest', 'y', metrics(100_000, 1_000, 0, 0, { conversions: false, revenue: false })),
    ];
    const [d] = decideDocuments({ snapshot: snapshotOf(unknown), totalBudgetMinor: 100_000, settings: BAYES });
    const [first] = ranking(d!.draft.reasoning.trace);
    expect(first!.numbers).toMatchObject({ impressions: 200_000, clicks: 3_000, conversions: null, value_per_1000: null, value_low: null, value_high: null });
  });
});

describe('the ranking lines of the bayes strategy with the campaign segment pool', () => {
  it('give the campaign\'s delivery of the segment, every ad set\'s rows included', () => {
    const a = snapshotOf([SEGMENTS[0]!, SEGMENTS[1]!]).adsets[0]!;
    const b: AdSetSnapshot = { ...snapshotOf([segment('interest', 'mid', metrics(10_000, 200, 10, 30_000))]).adsets[0]!, adsetId: 'a2' };
    const [first] = decideDocuments({ snapshot: { ...snapshotOf([]), adsets: [a, b] }, totalBudgetMinor: 100_000, settings: { ...BAYES, segmentPool: 'campaign' } });
    const mid = ranking(first!.draft.reasoning.trace).find((t) => t.numbers.segment_id === 'mid')!;
    expect(mid.numbers).toMatchObject({ impressions: 60_000, clicks: 1_000, conversions: 40 });
    const { mean, low, high } = valueOf(mid);
    expect(low).toBeLessThanOrEqual(mean);
    expect(mean).toBeLessThanOrEqual(high);
  });
});

describe('the ranking lines of the spec strategy', () => {
  it('stay the specification\'s: no evidence numbers', () => {
    const [decided] = decideDocuments({ snapshot: snapshotOf(SEGMENTS), totalBudgetMinor: 100_000, settings: { ...BAYES, strategy: 'spec' } });
    const lines = ranking(decided!.draft.reasoning.trace);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) for (const key of EVIDENCE) expect(line.numbers).not.toHaveProperty(key);
  });
});
