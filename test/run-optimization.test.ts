import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAllocation } from '../src/engine/geo.ts';
import type { InsightRow } from '../src/engine/types.ts';
import type { Db } from '../src/store/db.ts';
import { ConflictError, InputError, NotFoundError } from '../src/services/errors.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { dataSources, storeKind } from '../src/store/data-sources.ts';
import { upsertCampaigns, upsertInsights } from '../src/store/insights.ts';
import { getRun, latestRecommendations } from '../src/store/runs.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`demo and real stores on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('a store that holds imported data refuses synthetic rows (run --generate-stub and stub generate), writing nothing', async () => {
    const ctx = await openTestContext();
    try {
      expect(await storeKind(ctx.db)).toBe('empty');
      await importInsightsFile(ctx, 'test/fixtures/insights-valid.csv');
      expect(await storeKind(ctx.db)).toBe('real');
      const count = async (table: string) => (await ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;
      const before = { insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') };
      const viaRun = await runOptimization(ctx, { campaignId: '999', budget: '100', mode: 'stub', generateStub: true }).catch((e: unknown) => e);
      expect(viaRun).toBeInstanceOf(ConflictError);
      expect((viaRun as Error).message).toMatch(/real data \(sources: csv\).*no synthetic/);
      await expect(generateStubHistory(ctx, { campaigns: 1, days: 5, seed: 1 })).rejects.toBeInstanceOf(ConflictError);
      expect({ insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') }).toEqual(before);
    } finally {
      await ctx.close();
    }
  });

  it('the database itself refuses stub rows in a real store, whoever writes them, and an import committed while a generation runs wins', async () => {
    const ctx = await openTestContext();
    try {
      const row: InsightRow = { date: '2026-11-01', campaignId: 'c1', adsetId: '', segmentType: '', segmentId: '', segmentName: '', country: '', age: '', gender: '', impressions: 10, reach: null, clicks: 1, conversions: null, spendMinor: 100, revenueMinor: null, currency: 'EUR' };
      // A stub generation races an import that commits while it waits: either the service's check
      // or the trigger's lock refuses it; never a mixed store.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const importing = ctx.db.transaction(async (tx) => {
        await upsertCampaigns(tx, new Map([['c1', { currency: 'EUR' }]]), 'csv');
        await upsertInsights(tx, [row], 'csv');
        await gate;
      });
      const generating = generateStubHistory(ctx, { campaigns: 1, days: 3, seed: 9 }).then(() => null, (e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      release();
      await importing;
      expect(await generating).toBeInstanceOf(ConflictError);
      expect(await dataSources(ctx.db)).toEqual(['csv']);
      // A writer that skips the service's check is refused by the trigger.
      await expect(ctx.db.transaction((tx) => upsertInsights(tx, [{ ...row, campaignId: 'c2' }], 'stub'))).rejects.toThrow(/synthetic_into_real/);
      expect((await ctx.db.query<{ n: number }>("select count(*)::int as n from insights where source = 'stub'"))[0]!.n).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it('a store of synthetic rows only is a demo store, and takes more of them', async () => {
    const ctx = await openTestContext();
    try {
      await generateStubHistory(ctx, { campaigns: 1, days: 3, seed: 1 });
      expect(await storeKind(ctx.db)).toBe('demo');
      await generateStubHistory(ctx, { campaigns: 1, days: 3, seed: 2 });
      expect(await dataSources(ctx.db)).toEqual(['stub']);
    } finally {
      await ctx.close();
    }
  });
});

describe(`run optimization on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  beforeAll(async () => {
    ctx = await openTestContext();
    const report = await generateStubHistory(ctx, { campaigns: 2, days: 30, seed: 7 });
    campaignId = report.campaigns[0]!.campaign_id;
  });
  afterAll(async () => {
    await ctx.close();
  });

  const count = async (table: string) => (await ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;

  it('stores one valid recommendation per ad set and a completed run', async () => {
    const result = await runOptimization(ctx, { campaignId, budget: '1000', mode: 'stub' });
    expect(result.generatedHistory).toBe(false);
    expect(result.run).toMatchObject({ status: 'completed', mode: 'stub', strategy: 'bayes', campaignIds: [campaignId], recommendationsCount: 2, error: null });
    expect(result.recommendations).toHaveLength(2);

    const stored = await latestRecommendations(ctx.db, campaignId);
    expect(stored.map((r) => r.recommendation_id).sort()).toEqual(result.recommendations.map((r) => r.recommendation_id).sort());
    const budgetCents = stored.reduce((s, r) => s + Math.round(r.total_budget * 100), 0);
    expect(budgetCents).toBe(100_000);
    for (const r of stored) {
      expect(r.run_id).toBe(result.run.runId);
      const allocations = r.geo_allocations.map((g) => ({ countryCode: g.country_code, amountMinor: Math.round(g.budget_amount * 100) }));
      expect(validateAllocation(allocations, Math.round(r.total_budget * 100), 35)).toEqual({ valid: true });
      expect(r.interests.length).toBeGreaterThan(0);
      expect(r.interests.length).toBeLessThanOrEqual(15);
      expect(r.behaviors.length).toBeLessThanOrEqual(10);
      expect(r.lookalikes.length).toBeLessThanOrEqual(3);
      expect(r.confidence).toBeGreaterThan(0);
      expect(r.reasoning.trace.length).toBeGreaterThan(10);
    }
  });

  it('refuses a campaign without stored history (NotFoundError naming it), writing nothing', async () => {
    const before = { insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') };
    const error = await runOptimization(ctx, { campaignId: 'typo-999', budget: '100', mode: 'stub' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/"typo-999" has no stored history.*generate_stub/);
    expect({ insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') }).toEqual(before);
  });

  it('generates a synthetic history first for a campaign nobody imported, when asked explicitly', async () => {
    const result = await runOptimization(ctx, { campaignId: 'brand-new-42', budget: '250.50', mode: 'stub', generateStub: true });
    expect(result.generatedHistory).toBe(true);
    expect(result.run.status).toBe('completed');
    expect(result.recommendations.reduce((s, r) => s + Math.round(r.total_budget * 100), 0)).toBe(25_050);
    const again = await runOptimization(ctx, { campaignId: 'brand-new-42', budget: '250.50', mode: 'stub' });
    expect(again.generatedHistory).toBe(false);
  });

  it('refuses LIVE mode and bad budgets clearly, writing nothing', async () => {
    const runs = await count('runs');
    await expect(runOptimization(ctx, { campaignId, budget: '1000', mode: 'live' })).rejects.toThrow(/LIVE mode/);
    for (const budget of ['0', '-5', 'abc', '1,000', '', '0.001', '1000.005']) {
      const error = await runOptimization(ctx, { campaignId, budget, mode: 'stub' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe('budget');
    }
    // An amount below the currency's cent is refused as typed, not rounded to one.
    const subCent = await runOptimization(ctx, { campaignId, budget: '1000.005', mode: 'stub' }).catch((e: unknown) => e);
    expect((subCent as InputError).message).toBe('budget: has more decimals than EUR has (2), got 1000.005');
    expect(await count('runs')).toBe(runs);
  });

  it('refuses a budget that leaves an ad set with nothing, naming the ad set and an amount that funds each, writing nothing', async () => {
    const runs = await count('runs');
    const error = await runOptimization(ctx, { campaignId, budget: '0.01', mode: 'stub' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe('budget');
    const message = (error as InputError).message;
    expect(message).toMatch(/^budget: 0\.01 EUR a day leaves ad set\(s\) \d+ with nothing: the campaign's budget is shared among its 2 ad sets by what each spent in the window, and (\d+\.\d{2}) EUR a day funds each of them$/);
    expect(await count('runs')).toBe(runs);
    // The amount it names is enough: every ad set gets a share of it.
    const enough = /and (\d+\.\d{2}) EUR/.exec(message)![1]!;
    const result = await runOptimization(ctx, { campaignId, budget: enough, mode: 'stub' });
    expect(result.recommendations).toHaveLength(2);
    for (const r of result.recommendations) expect(r.total_budget).toBeGreaterThan(0);
  });

  it('leaves a failed run and no partial recommendations when storing fails', async () => {
    const recommendationsBefore = await count('recommendations');
    const failing: Db = {
      ...ctx.db,
      query: (sql, params) => ctx.db.query(sql, params),
      transaction: (work) =>
        ctx.db.transaction((tx) =>
          work({
            ...tx,
            query: async <T,>(sql: string, params?: Parameters<Db['query']>[1]) => {
              const result = await tx.query<T>(sql, params);
              // The recommendations are written, then the disk "fails" before the run is completed.
              if (sql.includes("set status = 'completed'")) throw new Error('disk full');
              return result;
            },
          }),
        ),
    };
    const error = await runOptimization({ ...ctx, db: failing }, { campaignId, budget: '1000', mode: 'stub' }).catch((e: unknown) => e);
    expect(String(error)).toContain('disk full');
    expect(await count('recommendations')).toBe(recommendationsBefore);
    const failed = await ctx.db.query<{ run_id: string }>(`select run_id from runs where status = 'failed'`);
    expect(failed).toHaveLength(1);
    const run = await getRun(ctx.db, failed[0]!.run_id);
    expect(run).toMatchObject({ status: 'failed', recommendationsCount: 0, error: 'disk full' });
  });

  it("when the failure cannot be recorded either, the caller gets the run's own error and no run is left running", async () => {
    const runsBefore = await count('runs');
    const broken = (sql: string) => sql.includes("set status = 'completed'") || sql.includes("set status = 'failed'");
    const wrap = (db: Db): Db => ({
      ...db,
      query: async <T,>(sql: string, params?: Parameters<Db['query']>[1]) => {
        if (broken(sql)) throw new Error(sql.includes("'completed'") ? 'disk full' : 'database gone');
        return db.query<T>(sql, params);
      },
      transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    });
    const error = await runOptimization({ ...ctx, db: wrap(ctx.db) }, { campaignId, budget: '1000', mode: 'stub' }).catch((e: unknown) => e);
    expect(String(error)).toContain('disk full');
    expect(await count('runs')).toBe(runsBefore);
    expect(await ctx.db.query(`select run_id from runs where status = 'running'`)).toEqual([]);
  });
});

describe('run without an explicit budget', () => {
  it("uses the campaign's stored daily budget, and refuses clearly when there is none", async () => {
    const ctx = await openTestContext();
    try {
      const report = await generateStubHistory(ctx, { campaigns: 1, days: 10, seed: 3 });
      const id = report.campaigns[0]!.campaign_id;
      const stored = (await ctx.db.query<{ b: number }>('select daily_budget_minor::float8 as b from campaigns where campaign_id = $1', [id]))[0]!.b;
      expect(stored).toBeGreaterThan(0);
      const result = await runOptimization(ctx, { campaignId: id, budget: null, mode: 'stub' });
      expect(result.recommendations.reduce((s, r) => s + Math.round(r.total_budget * 100), 0)).toBe(stored);

      await ctx.db.query(`insert into campaigns (campaign_id, currency, source) values ('no-budget', 'EUR', 'csv')`);
      await ctx.db.query(`insert into insights (date, campaign_id, impressions, clicks, spend_minor, currency, source) values ('2026-11-01', 'no-budget', 10, 1, 100, 'EUR', 'csv')`);
      await expect(runOptimization(ctx, { campaignId: 'no-budget', budget: null, mode: 'stub' })).rejects.toThrow(/no stored daily budget/);
    } finally {
      await ctx.close();
    }
  });
});

describe('concurrent and repeated runs', () => {
  it('optimizes a campaign once for simultaneous requests and reuses the run until the history, settings or engine change', async () => {
    const ctx = await openTestContext();
    try {
      const report = await generateStubHistory(ctx, { campaigns: 1, days: 14, seed: 11 });
      const id = report.campaigns[0]!.campaign_id;
      const results = await Promise.all(Array.from({ length: 8 }, () => runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })));
      expect(new Set(results.map((r) => r.run.runId)).size).toBe(1);
      expect(results.filter((r) => !r.reused)).toHaveLength(1);
      const runs = await ctx.db.query<{ n: number }>('select count(*)::int as n from runs');
      expect(runs[0]!.n).toBe(1);

      // A different budget, a forced refresh, or new history each compute a new run.
      expect((await runOptimization(ctx, { campaignId: id, budget: '600', mode: 'stub', forceRefresh: false })).reused).toBe(false);
      expect((await runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: true })).reused).toBe(false);
      expect((await runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(true);
      // Other engine settings or another window length decide under other rules: a new run, which
      // the same settings then reuse.
      const tuned = { ...ctx, config: { ...ctx.config, engine: { ...ctx.config.engine, sizeExponent: 0.5 } } };
      expect((await runOptimization(tuned, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(false);
      expect((await runOptimization(tuned, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(true);
      const longer = { ...ctx, config: { ...ctx.config, windowDays: ctx.config.windowDays + 7 } };
      expect((await runOptimization(longer, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(false);
      // A run decided by an older engine is not reused either.
      const latest = await runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false });
      expect(latest.reused).toBe(true);
      await ctx.db.query('update decision_inputs set strategy_version = strategy_version - 1');
      expect((await runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(false);
      await generateStubHistory(ctx, { campaigns: 1, days: 14, seed: 11, campaignIds: [id] });
      expect((await runOptimization(ctx, { campaignId: id, budget: '500', mode: 'stub', forceRefresh: false })).reused).toBe(false);
    } finally {
      await ctx.close();
    }
  });
});

describe('the split in force under a holdout experiment', () => {
  it('tells the next run a holdout ad set holds what it held before, not the recommendation withheld from it', async () => {
    const { applyRecommendation } = await import('../src/services/apply-recommendation.ts');
    const { startExperiment } = await import('../src/services/holdout-experiment.ts');
    const { loadEarlierRuns } = await import('../src/store/earlier-runs.ts');
    const ctx = await openTestContext({}, '2026-11-20T08:00:00Z');
    try {
      const id = '880101';
      await generateStubHistory(ctx, { campaigns: 1, seed: 77, campaignIds: [id], adsetsPerCampaign: 4, interestsPerCampaign: 20, behaviorsPerCampaign: 5, days: 30, endDate: '2026-11-19' });
      const first = await runOptimization(ctx, { campaignId: id, budget: null, mode: 'stub' });
      for (const r of first.recommendations) await applyRecommendation(ctx, { recommendationId: r.recommendation_id, mode: 'stub', dryRun: false });
      ctx.setNow('2026-11-20T09:00:00Z');
      const second = await runOptimization(ctx, { campaignId: id, budget: null, mode: 'stub' });
      const started = await startExperiment(ctx, { campaignId: id, mode: 'stub', holdoutShare: 0.5, dryRun: false });
      const arms = new Map(started.assignment.map((a) => [a.adset_id, a.arm]));
      expect([...arms.values()].filter((a) => a === 'holdout')).toHaveLength(2);

      const earlier = (await loadEarlierRuns(ctx.db, id))!;
      const recOf = (runRecs: typeof first.recommendations, adset: string | null) => runRecs.find((r) => r.adset_id === adset)!;
      for (const g of earlier.geo!) {
        // Holdout: the first run's split, applied and still in force; treatment: the second run's.
        const inForce = recOf(arms.get(g.adsetId) === 'holdout' ? first.recommendations : second.recommendations, g.adsetId);
        expect(g.allocations, `${arms.get(g.adsetId)} ${g.adsetId}`).toEqual(inForce.geo_allocations.map((a) => ({ countryCode: a.country_code, amountMinor: Math.round(a.budget_amount * 100) })));
      }
      for (const t of earlier.targeting!) {
        const inForce = recOf(arms.get(t.adsetId) === 'holdout' ? first.recommendations : second.recommendations, t.adsetId);
        expect(t.interests).toEqual(inForce.interests.map((i) => i.interest_id));
      }
    } finally {
      await ctx.close();
    }
  });
});
