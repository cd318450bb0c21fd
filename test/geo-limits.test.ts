// The change-per-run limit end to end: the second run of a campaign reads the split in force (the
// first run's, applied) from the store, stays within ±20 % of it (as applied, or rescaled to the new budget),
// stores it with its decision inputs, and `explain --replay` of the second run decides the same
// again. A recommendation nobody applied does not move the limit.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { explainRecommendation } from '../src/services/explain-recommendation.ts';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getDecisionInputs } from '../src/store/decision-inputs.ts';
import { openTestContext, testConfig, type TestContext, usingPostgres } from './helpers/db.ts';

const cents = (rec: Recommendation) => new Map(rec.geo_allocations.map((g) => [g.country_code, Math.round(g.budget_amount * 100)]));

describe(`the change-per-run limit of the bayes split on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  let first: Recommendation[];
  let second: Recommendation[];

  beforeAll(async () => {
    ctx = await openTestContext();
    campaignId = (await generateStubHistory(ctx, { campaigns: 1, days: 30, seed: 23 })).campaigns[0]!.campaign_id;
    // The first run splits by the specification's formulas, far from the bayes optimum, so that the
    // second (bayes, ±20 % by default) has to hold back.
    const seed = await createContext(testConfig({ TARGETING_STRATEGY: 'seed' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    first = (await runOptimization(seed, { campaignId, budget: '1000', mode: 'stub' })).recommendations;
    // Applied (STUB): the first run's split is in force. The guardrails are not what this test is about.
    const applying = await createContext(testConfig({ META_TARGETING_MIN_CONFIDENCE: '0', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    for (const rec of first) await applyRecommendation(applying, { recommendationId: rec.recommendation_id, mode: 'stub', dryRun: false });
    ctx.setNow('2026-11-21T08:00:00Z');
    // The trust region outranks the change limit; set wide here so that the change limit is what holds.
    const wide = await createContext(testConfig({ TARGETING_TRUST_MULTIPLE: '100' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    second = (await runOptimization(wide, { campaignId, budget: '1500', mode: 'stub' })).recommendations;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('tells the second run the split in force (the first run\'s, applied), in minor units, and the first run nothing', async () => {
    expect((await getDecisionInputs(ctx.db, first[0]!.run_id))!.earlierRuns).toBeNull();
    const earlier = (await getDecisionInputs(ctx.db, second[0]!.run_id))!.earlierRuns!;
    expect(earlier.geo).toEqual(first.map((r) => ({
      adsetId: r.adset_id,
      totalBudgetMinor: Math.round(r.total_budget * 100),
      allocations: r.geo_allocations.map((g) => ({ countryCode: g.country_code, amountMinor: Math.round(g.budget_amount * 100) })),
    })));
  });

  it('keeps every country of the second run within ±20 % of the first run\'s amount as applied, or rescaled to the new budget where the limits cannot fit around those', () => {
    expect(second.length).toBe(first.length);
    let held = 0;
    for (const rec of second) {
      const before = cents(first.find((r) => r.adset_id === rec.adset_id)!);
      const after = cents(rec);
      const total = Math.round(rec.total_budget * 100);
      expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(total);
      expect(after.get('ES')!).toBeGreaterThanOrEqual(Math.ceil(total * 0.35));
      const offered = new Set(rec.reasoning.trace.filter((t) => t.step === 'geo.response').map((t) => String(t.numbers.country)));
      const beforeTotal = [...before].filter(([c]) => offered.has(c)).reduce((s, [, a]) => s + a, 0);
      const limits = rec.reasoning.trace.find((t) => t.step === 'geo.limits')!;
      const asApplied = limits.numbers.change_limit_against === 'as_applied';
      expect(limits.decision).toMatch(asApplied ? /±20 % of the previous split as applied/ : /±20 % of the previous split rescaled to this budget/);
      for (const code of offered) {
        const p = asApplied ? (before.get(code) ?? 0) : ((before.get(code) ?? 0) * total) / beforeTotal;
        const amount = after.get(code) ?? 0;
        if (p > 0) expect(amount).toBeGreaterThanOrEqual(Math.floor(p * 0.8 + 1e-9));
        expect(amount).toBeLessThanOrEqual(Math.ceil((p > 0 ? p * 1.2 : total * 0.2) - 1e-9));
      }
      expect(rec.reasoning.trace.some((t) => t.step === 'geo.relaxed')).toBe(false);
      expect(rec.reasoning.trace.find((t) => t.step === 'geo.limits')!.numbers).toMatchObject({ change_pct_in_force: 20, previous_total_minor: Math.round(first.find((r) => r.adset_id === rec.adset_id)!.total_budget * 100) });
      held += rec.reasoning.trace.filter((t) => t.step === 'geo.response' && String(t.numbers.binding).startsWith('change_')).length;
    }
    // The limit did hold some country back: the test would otherwise prove nothing.
    expect(held).toBeGreaterThan(0);
  });

  it('with the default trust region, keeps every country under twice its highest daily spend, over the change limit where they conflict', async () => {
    const third = (await runOptimization(ctx, { campaignId, budget: '1500', mode: 'stub' })).recommendations;
    let bounded = 0;
    for (const rec of third) {
      const trust = rec.reasoning.trace.find((t) => t.step === 'geo.trust')!;
      expect(trust.numbers.trust_multiple).toBe(2);
      for (const [code, amount] of cents(rec)) {
        const ceiling = Number(trust.numbers[`${code}_ceiling_minor`]);
        expect(amount).toBeLessThanOrEqual(code === 'ES' ? Math.max(ceiling, Math.ceil(Math.round(rec.total_budget * 100) * 0.35)) : ceiling);
      }
      bounded += rec.reasoning.trace.filter((t) => t.step === 'geo.response' && String(t.numbers.binding).startsWith('trust_')).length;
      // Where the trust ceiling and the change limit conflict, the trace says the change limit gave way.
      for (const t of rec.reasoning.trace.filter((e) => e.step === 'geo.relaxed')) expect(t.numbers.relaxed).toBe('change');
    }
    expect(bounded).toBeGreaterThan(0);
  });

  it('measures from the split in force, not from a later recommendation nobody applied', async () => {
    const fourth = (await runOptimization(ctx, { campaignId, budget: '1500', mode: 'stub' })).recommendations;
    const earlier = (await getDecisionInputs(ctx.db, fourth[0]!.run_id))!.earlierRuns!;
    // The second and third runs were not applied: the first run's split is still the one in force.
    expect(earlier.geo!.map((g) => g.totalBudgetMinor)).toEqual(first.map((r) => Math.round(r.total_budget * 100)));
  });

  it('replays the second run identically from its stored inputs', async () => {
    for (const rec of second) {
      const result = await explainRecommendation(ctx, rec.recommendation_id, { replay: true });
      expect(result.replay).toMatchObject({ same: true, hash_verified: true, differences_total: 0 });
    }
  });
});
