// Discovery in a LIVE sync: Meta's suggestions next to the campaign's best interests, kept when
// still valid and sized, reach a LIVE run as candidates that only exploration may choose.
import { describe, expect, it } from 'vitest';
import { explainRecommendation } from '../src/services/explain-recommendation.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { metaSync } from '../src/services/meta.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { usingPostgres } from './helpers/db.ts';
import { harness, TOKEN } from './helpers/meta-harness.ts';

describe(`discovered interests in LIVE runs (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('stores valid, sized suggestions per campaign, and a LIVE run explores them only in exploration slots, saying why', async () => {
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 3, days: 35 });
    const origin = await fake.listen();
    const h = await harness(fake, origin, { TARGETING_EXPLORATION_SHARE: '0.5' });
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const before = fake.requests.length;
      const report = await metaSync(h.ctx);
      const searches = fake.requests.slice(before).filter((r) => r.path.endsWith('/search')).map((r) => new URLSearchParams(r.query).get('type'));
      // Sizes of the targeted interests and behaviors, one suggestion call per campaign, one validity call for the suggestions.
      expect(searches).toEqual(['adinterestvalid', 'adTargetingCategory', 'adinterestsuggestion', 'adinterestvalid']);
      const stored = await h.db.query<{ interest_id: string; size_lower: number; size_upper: number; seeds: string[] }>('select interest_id, size_lower::float8 as size_lower, size_upper::float8 as size_upper, seeds from meta_interest_candidates where campaign_id = $1 order by interest_id', [campaignId]);
      expect(stored.length).toBe(report.campaigns[0]!.candidates);
      expect(stored.length).toBeGreaterThan(3);
      const targeted = new Set((await h.db.query<{ id: string }>(`select distinct e->>'id' as id from meta_adsets cross join lateral jsonb_array_elements(targeting->'flexible_spec'->0->'interests') as e where campaign_id = $1`, [campaignId])).map((r) => r.id));
      for (const c of stored) {
        expect(targeted.has(c.interest_id)).toBe(false);
        expect(Number(c.size_upper)).toBeGreaterThanOrEqual(Number(c.size_lower));
        expect(c.seeds.length).toBeGreaterThan(0);
      }

      // Exploration slots: 15 interests at share 0.5 → 7 explored, 8 ranked.
      let explored = 0;
      for (let run = 0; run < 2; run++) {
        // A LIVE run syncs first; its discovery is seeded by the latest run's best interests from the second run on.
        const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
        const now = await h.db.query<{ interest_id: string }>('select interest_id from meta_interest_candidates where campaign_id = $1', [campaignId]);
        const candidateIds = new Set(now.map((c) => c.interest_id));
        for (const rec of result.recommendations) {
          rec.interests.forEach((interest, i) => {
            if (!candidateIds.has(interest.interest_id)) return;
            explored++;
            expect(i).toBeGreaterThanOrEqual(8);
            const entry = rec.reasoning.trace.find((t) => t.step === 'interests.explore' && t.numbers.segment_id === interest.interest_id)!;
            expect(entry.decision).toMatch(/a discovered candidate \(suggested by Meta next to ".+"; Meta audience [\d,]+–[\d,]+\), drawn from the interest prior: no delivery of its own yet/);
          });
          expect(rec.reasoning.trace.find((t) => t.step === 'explore')!.numbers.discovered_candidates).toBe(candidateIds.size);
        }
        // The stored inputs include the candidates: the decision replays exactly.
        const replay = await explainRecommendation(h.ctx, result.recommendations[0]!.recommendation_id, { replay: true });
        expect(replay.replay!.same).toBe(true);
      }
      expect(explored).toBeGreaterThan(0);
      expect(fake.writes).toBe(0);
    } finally {
      await h.close();
      await fake.close();
    }
  });

  it('with the default settings (no exploration share), gives the discovered interests one slot of their own, drawn among them', async () => {
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 3, days: 35 });
    const origin = await fake.listen();
    const h = await harness(fake, origin, {});
    try {
      expect([h.ctx.config.engine.explorationShare, h.ctx.config.engine.discoveryShare]).toEqual([0, 0.1]);
      const campaignId = fake.market.campaigns[0]!.campaignId;
      await metaSync(h.ctx);
      const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      const candidateIds = new Set((await h.db.query<{ interest_id: string }>('select interest_id from meta_interest_candidates where campaign_id = $1', [campaignId])).map((c) => c.interest_id));
      expect(candidateIds.size).toBeGreaterThan(0);
      for (const rec of result.recommendations) {
        // 15 interests at a discovery share of 0.1: one slot, the last, always a discovered interest.
        const discovered = rec.interests.filter((i) => candidateIds.has(i.interest_id));
        expect(discovered).toHaveLength(1);
        expect(rec.interests.at(-1)!.interest_id).toBe(discovered[0]!.interest_id);
        expect(rec.reasoning.trace.find((t) => t.step === 'explore')!.numbers).toMatchObject({ exploration_share: 0, discovery_share: 0.1, interest_slots: 1, behavior_slots: 0 });
        expect(rec.reasoning.trace.some((t) => t.step === 'behaviors.explore')).toBe(false);
      }
      const replay = await explainRecommendation(h.ctx, result.recommendations[0]!.recommendation_id, { replay: true });
      expect(replay.replay!.same).toBe(true);
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
