// Fatigue rests end to end: a bayes run stores the rests it begins (migration 008), the next run is
// told them as earlier runs, and `explain --replay` of a run with resting segments reproduces it.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { explainRecommendation } from '../src/services/explain-recommendation.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getDecisionInputs } from '../src/store/decision-inputs.ts';
import { segmentDocument } from '../src/services/segment-document.ts';
import { restsInForce } from '../src/store/resting-segments.ts';
import { listSegmentPerformance } from '../src/store/segments.ts';
import { openStubCampaignContext, testConfig, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`fatigue rests on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  const run = async (c: TestContext | Awaited<ReturnType<typeof createContext>> = ctx): Promise<Recommendation[]> =>
    (await runOptimization(c, { campaignId, budget: '1000', mode: 'stub' })).recommendations;
  const replaysIdentically = async (recs: Recommendation[]) => {
    for (const rec of recs) {
      const result = await explainRecommendation(ctx, rec.recommendation_id, { replay: true });
      expect(result.replay).toMatchObject({ same: true, hash_verified: true, differences_total: 0 });
    }
  };

  beforeAll(async () => {
    ({ ctx, campaignId } = await openStubCampaignContext());
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stores the rests a run begins, tells the next run, and replays both runs identically', async () => {
    const first = await run();
    const started = await restsInForce(ctx.db, campaignId);
    expect(started.length).toBeGreaterThan(0);
    const inputs = (await getDecisionInputs(ctx.db, first[0]!.run_id))!;
    expect(inputs.earlierRuns?.resting).toBeUndefined();
    // The fit's verdicts are decided from daily points the snapshot carries for the candidates only.
    const segments = inputs.snapshot.adsets.flatMap((a) => a.segments);
    const withDays = segments.filter((s) => s.daily !== undefined);
    expect(withDays.length).toBeGreaterThan(0);
    expect(withDays.length).toBeLessThan(segments.length / 2);
    const lastDay = inputs.snapshot.windowEnd;
    expect(started.every((r) => r.since === lastDay)).toBe(true);
    for (const r of started) {
      const rec = first.find((x) => x.adset_id === r.adsetId)!;
      expect(rec.reasoning.trace.some((t) => t.step === 'fatigue.rest' && t.numbers.segment_id === r.segmentId && t.decision.includes(`rests from ${lastDay}`))).toBe(true);
      expect(rec.interests.map((i) => i.interest_id)).not.toContain(r.segmentId);
    }
    await replaysIdentically(first);

    const second = await run();
    const secondInputs = (await getDecisionInputs(ctx.db, second[0]!.run_id))!;
    expect(secondInputs.earlierRuns!.resting).toEqual(started);
    // Resting segments get their daily points whatever their totals say: the fit after the rest needs them.
    for (const r of started) {
      const s = secondInputs.snapshot.adsets.find((a) => a.adsetId === r.adsetId)!.segments.find((x) => x.segmentType === r.segmentType && x.segmentId === r.segmentId)!;
      expect(s.daily!.length).toBeGreaterThan(0);
    }
    for (const r of started) {
      const rec = second.find((x) => x.adset_id === r.adsetId)!;
      expect(rec.reasoning.trace.some((t) => t.step === 'fatigue.rest' && t.numbers.segment_id === r.segmentId && t.decision.includes('is still resting'))).toBe(true);
    }
    // Still resting: nothing new begins, nothing ends.
    expect(await restsInForce(ctx.db, campaignId)).toEqual(started);
    await replaysIdentically(second);
  });

  it('lists the rests in force with the segments (API and CLI document), beside the cross-campaign verdict', async () => {
    const rests = await restsInForce(ctx.db, campaignId);
    expect(rests.length).toBeGreaterThan(0);
    const listed = (await listSegmentPerformance(ctx.db, { segmentType: null, limit: 10_000 })).map(segmentDocument);
    for (const r of rests) {
      const doc = listed.find((d) => d.segment_type === r.segmentType && d.segment_id === r.segmentId)!;
      expect(doc.rests_in_force).toContainEqual({ campaign_id: campaignId, adset_id: r.adsetId, since: r.since });
    }
    const resting = new Set(rests.map((r) => `${r.segmentType}/${r.segmentId}`));
    const others = listed.filter((d) => !resting.has(`${d.segment_type}/${d.segment_id}`));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((d) => d.rests_in_force.length === 0)).toBe(true);
    // One entry per resting ad set: a segment can rest in several of the campaign's ad sets.
    expect(listed.reduce((n, d) => n + d.rests_in_force.length, 0)).toBe(rests.length);
  });

  it('re-admits rested segments through exploration once the rest is over, and replays that too', async () => {
    const before = await restsInForce(ctx.db, campaignId);
    expect(before.length).toBeGreaterThan(0);
    // As if the rests had begun 20 days before the window's end: over by now.
    await ctx.db.query(`update segment_rests set since = since - 20 where campaign_id = $1 and ended_run_id is null`, [campaignId]);
    const exploring = await createContext(testConfig({ TARGETING_EXPLORATION_SHARE: '0.2' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    const recs = await run(exploring);
    const readmitted = recs.flatMap((r) => r.reasoning.trace.filter((t) => t.step === 'fatigue.rest' && /re-admitted to exploration after its rest|is back|fatigued again/.test(t.decision)));
    expect(readmitted.length).toBe(before.length);
    await replaysIdentically(recs);
  });
});
