// Discovered candidates (interests with no delivery, e.g. Meta's suggestions) enter a decision only
// through the exploration slots of the `bayes` strategy, and a snapshot without them decides as before.
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, DiscoveredCandidate, EngineSettings, Metrics, SegmentHistory } from './types.ts';

const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', explorationShare: 0.2, segmentPool: 'campaign' };

function metrics(impressions: number, ctr: number, cvr: number): Metrics {
  const clicks = Math.round(impressions * ctr);
  const conversions = Math.round(clicks * cvr);
  const spendMinor = clicks * 40;
  return { ...emptyMetrics(), impressions, clicks, spendMinor, conversions, clicksWithConversions: clicks, revenueMinor: conversions * 5_000, spendWithRevenueMinor: spendMinor };
}

function segment(id: string, total: Metrics): SegmentHistory {
  const k = 7 / 30;
  const recent = { ...total, impressions: Math.round(total.impressions * k), clicks: Math.round(total.clicks * k), conversions: Math.round(total.conversions * k), clicksWithConversions: Math.round(total.clicksWithConversions * k), spendMinor: Math.round(total.spendMinor * k), revenueMinor: Math.round(total.revenueMinor * k), spendWithRevenueMinor: Math.round(total.spendWithRevenueMinor * k) };
  return { segmentType: 'interest', segmentId: id, segmentName: `interest ${id}`, total, recent };
}

function snapshot(candidates?: DiscoveredCandidate[]): CampaignSnapshot {
  const adset: AdSetSnapshot = {
    adsetId: 'a1',
    segments: Array.from({ length: 12 }, (_, i) => segment(`i${String(i).padStart(2, '0')}`, metrics(50_000, 0.01 + 0.001 * i, 0.02 + 0.001 * i))),
    countries: [{ countryCode: 'ES', total: metrics(200_000, 0.012, 0.02) }, { countryCode: 'MX', total: metrics(300_000, 0.025, 0.04) }],
    demographics: [],
    total: metrics(500_000, 0.02, 0.03),
    recent: metrics(120_000, 0.02, 0.03),
  };
  return { campaignId: 'c1', currency: 'EUR', windowStart: '2026-10-22', windowEnd: '2026-11-20', adsets: [adset], pixelEvents: [], ...(candidates === undefined ? {} : { candidates }) };
}

const discovered: DiscoveredCandidate[] = Array.from({ length: 8 }, (_, i) => ({
  segmentType: 'interest',
  segmentId: `n${i}`,
  segmentName: `new interest ${i}`,
  size: { lower: 1_000_000 + i, upper: 1_500_000 + i, source: 'meta' },
  reason: 'suggested by Meta next to "interest i11"',
}));
const maxInterests = 5;
const settings: EngineSettings = { ...BAYES, maxInterests };
const decide = (candidates: DiscoveredCandidate[] | undefined, randomSeed: number | undefined, s: EngineSettings = settings) =>
  decideDocuments({ snapshot: snapshot(candidates), totalBudgetMinor: 100_000, settings: s, ...(randomSeed === undefined ? {} : { randomSeed }) })[0]!.draft;

describe('discovered candidates', () => {
  it('take exploration slots only: never a ranked pick, and the trace says why they are there', () => {
    const exploitSlots = maxInterests - 1; // explorationSlots(0.2, 5) = 1
    let explored = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const draft = decide(discovered, seed);
      draft.interests.forEach((interest, i) => {
        if (!interest.interest_id.startsWith('n')) return;
        explored++;
        expect(i, `seed ${seed}`).toBeGreaterThanOrEqual(exploitSlots);
        expect(interest.score).toBe(0);
        const entry = draft.reasoning.trace.find((t) => t.step === 'interests.explore' && t.numbers.segment_id === interest.interest_id)!;
        expect(entry.decision).toMatch(/a discovered candidate \(suggested by Meta next to "interest i11"; Meta audience 1,00\d,00\d–1,50\d,00\d\), drawn from the interest prior: no delivery of its own yet/);
        expect(entry.numbers).toMatchObject({ discovered: true, impressions: 0 });
      });
      // The ranked picks are those of a decision without candidates.
      expect(draft.interests.slice(0, exploitSlots)).toEqual(decide(undefined, seed).interests.slice(0, exploitSlots));
    }
    // Eight candidates beside eight unchosen segments with evidence: drawn from the prior, they win the slot now and then.
    expect(explored).toBeGreaterThan(0);
    expect(explored).toBeLessThan(60);
  });

  it('are never chosen without exploration: the seed strategy, no random seed, or a share of 0', () => {
    for (const draft of [decide(discovered, 7, { ...settings, strategy: 'seed' }), decide(discovered, undefined), decide(discovered, 7, { ...settings, explorationShare: 0 })]) {
      expect(draft.interests.some((i) => i.interest_id.startsWith('n'))).toBe(false);
    }
  });

  it('with no exploration share, get the discovery share\'s slots, drawn among them only; the rest is the decision without them', () => {
    const discovery: EngineSettings = { ...settings, explorationShare: 0, discoveryShare: 0.2 };
    for (let seed = 1; seed <= 10; seed++) {
      const draft = decide(discovered, seed, discovery);
      const ids = draft.interests.map((i) => i.interest_id);
      // One slot of five (explorationSlots(0.2, 5)), always a discovered candidate: nothing else is drawn.
      expect(ids.filter((id) => id.startsWith('n'))).toHaveLength(1);
      expect(ids.at(-1)!.startsWith('n')).toBe(true);
      expect(draft.interests.slice(0, 4)).toEqual(decide(undefined, seed, discovery).interests.slice(0, 4));
      const line = draft.reasoning.trace.find((t) => t.step === 'explore')!;
      expect(line.numbers).toMatchObject({ exploration_share: 0, discovery_share: 0.2, interest_slots: 1, behavior_slots: 0, discovered_candidates: 8 });
      expect(line.decision).toMatch(/^discovery: 1 of 5 interest slots for the 8 interests targeting discovery found/);
      // Behaviors keep every slot.
      expect(draft.behaviors).toEqual(decide(undefined, seed, discovery).behaviors);
    }
    // Without candidates (or with candidates that already have rows), the discovery share takes nothing.
    const without = decide(undefined, 5, discovery);
    expect(without.interests).toHaveLength(maxInterests);
    expect(without.reasoning.trace.some((t) => t.step === 'explore')).toBe(false);
    expect(decide([{ ...discovered[0]!, segmentId: 'i03' }], 5, discovery).interests).toEqual(without.interests);
  });

  it('absent or empty, the decision is the one without them, byte for byte', () => {
    for (const seed of [3, 11]) {
      expect(JSON.stringify(decide([], seed))).toBe(JSON.stringify(decide(undefined, seed)));
    }
  });

  it('a candidate that already has rows is judged on them, not as a newcomer', () => {
    const already: DiscoveredCandidate = { ...discovered[0]!, segmentId: 'i03' };
    for (let seed = 1; seed <= 20; seed++) {
      const draft = decide([already], seed);
      expect(draft.reasoning.trace.some((t) => t.numbers.discovered === true)).toBe(false);
    }
  });
});
