// Edits weighed against the targeting in force, end to end: the next run is told the interests and
// behaviors of each ad set's applied recommendation, keeps them when the best set gains less than
// TARGETING_EDIT_MIN_GAIN (an edit restarts Meta's learning phase), says so in the reasoning, and
// `explain --replay` decides the same again.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { explainRecommendation } from '../src/services/explain-recommendation.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getDecisionInputs } from '../src/store/decision-inputs.ts';
import { openStubCampaignContext, testConfig, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`edits weighed against the targeting in force on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  let first: Recommendation[];
  const contextWith = (env: Record<string, string>) => createContext(testConfig(env), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
  const run = async (env: Record<string, string>) => (await runOptimization(await contextWith(env), { campaignId, budget: '1000', mode: 'stub' })).recommendations;
  const idsOf = (rec: Recommendation) => rec.interests.map((i) => i.interest_id).sort();
  const editLines = (rec: Recommendation) => rec.reasoning.trace.filter((t) => t.step === 'segments.edit');

  beforeAll(async () => {
    ({ ctx, campaignId } = await openStubCampaignContext());
    // The first run is the specification's: its interests are far from the ones bayes would choose.
    first = await run({ TARGETING_STRATEGY: 'seed' });
    const applying = await contextWith({ META_TARGETING_MIN_CONFIDENCE: '0', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' });
    for (const rec of first) await applyRecommendation(applying, { recommendationId: rec.recommendation_id, mode: 'stub', dryRun: false });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('tells the next run the interests and behaviors in force, the applied recommendation\'s', async () => {
    const next = await run({});
    const earlier = (await getDecisionInputs(ctx.db, next[0]!.run_id))!.earlierRuns!;
    expect(earlier.targeting).toEqual(first.map((r) => ({ adsetId: r.adset_id, interests: r.interests.map((i) => i.interest_id), behaviors: r.behaviors.map((b) => b.behavior_id) })));
  });

  it('with no gain required (0), chooses the best set whatever is in force, and says nothing of edits', async () => {
    const free = await run({ TARGETING_EDIT_MIN_GAIN: '0' });
    for (const rec of free) expect(editLines(rec)).toEqual([]);
    // The best set is not the specification's: otherwise keeping it would prove nothing below.
    expect(free.some((rec) => idsOf(rec).join() !== idsOf(first.find((f) => f.adset_id === rec.adset_id)!).join())).toBe(true);
  });

  it('keeps the interests in force when the best set gains less than required, unless one of them can no longer be chosen', async () => {
    const held = await run({ TARGETING_EDIT_MIN_GAIN: '1' });
    let kept = 0;
    for (const rec of held) {
      const before = first.find((f) => f.adset_id === rec.adset_id)!;
      const line = editLines(rec).find((t) => t.numbers.segment_type === 'interest')!;
      expect(line.numbers).toMatchObject({ base_gain: 1, in_force: before.interests.length });
      // An ad set with few conversions a day learns longer after an edit: it must gain more.
      expect(Number(line.numbers.min_gain)).toBeGreaterThanOrEqual(1);
      expect(Number(line.numbers.conversions_per_day)).toBeGreaterThan(0);
      if (line.numbers.edited === false) {
        expect(idsOf(rec)).toEqual(idsOf(before));
        expect(line.decision).toMatch(/^kept the \d+ interests in force/);
        kept++;
      } else {
        expect(line.decision).toMatch(/can no longer be chosen|are chosen now/);
      }
    }
    expect(kept).toBeGreaterThan(0);
    for (const rec of held) {
      const result = await explainRecommendation(ctx, rec.recommendation_id, { replay: true });
      expect(result.replay).toMatchObject({ same: true, hash_verified: true, differences_total: 0 });
    }
  });
});
