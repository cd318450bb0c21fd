import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_DIFFERS_EXIT_CODE } from '../src/cli/explain.ts';
import { createContext } from '../src/context.ts';
import { decideDocuments } from '../src/presentation/test-documents.ts';
import { deriveSeed } from '../src/engine/random.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { ENGINE_VERSION } from '../src/engine/version.ts';
import { InputError, NotFoundError, UnavailableError } from '../src/services/errors.ts';
import { diffJson, explainRecommendation, MAX_DIFFERENCES } from '../src/services/explain-recommendation.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getDecisionInputs, hashDecisionInputs } from '../src/store/decision-inputs.ts';
import { runCli } from './helpers/cli.ts';
import { openStubCampaignContext, testConfig, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`explain and replay on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaignId: string;
  /** A fresh run of the campaign (each test that tampers with the store gets its own). */
  const freshRun = async (): Promise<Recommendation[]> => (await runOptimization(ctx, { campaignId, budget: '1000', mode: 'stub' })).recommendations;
  const cli = (argv: string[]) => runCli(argv, { db: ctx.db, clock: ctx.clock, logger: ctx.logger });

  beforeAll(async () => {
    ({ ctx, campaignId } = await openStubCampaignContext());
    // Exploring (off by default): the runs below draw, so what their replay proves covers the seed.
    ctx.config.engine.explorationShare = 0.1;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stores one decision-inputs row per run, whose hash is that of the inputs read back', async () => {
    const recs = await freshRun();
    expect(recs.length).toBeGreaterThan(1); // the stub campaign has several ad sets sharing one snapshot
    const rows = await ctx.db.query<{ n: number }>('select count(*)::int as n from decision_inputs where run_id = $1', [recs[0]!.run_id]);
    expect(rows[0]!.n).toBe(1);
    const stored = (await getDecisionInputs(ctx.db, recs[0]!.run_id))!;
    // Exploring at 10 % of the slots: the run's seed, derived from its id, is stored.
    expect(stored).toMatchObject({ campaignId, totalBudgetMinor: 100_000, strategy: 'bayes', strategyVersion: ENGINE_VERSION, randomSeed: String(deriveSeed(recs[0]!.run_id, 'exploration')), settings: ctx.config.engine });
    expect(stored.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashDecisionInputs(stored)).toBe(stored.inputHash);
    expect(stored.snapshot.adsets.map((a) => a.adsetId)).toEqual(recs.map((r) => r.adset_id));
  });

  it('replays every ad set of a run identically, with the hash verified', async () => {
    const recs = await freshRun();
    for (const rec of recs) {
      const result = await explainRecommendation(ctx, rec.recommendation_id, { replay: true });
      expect(result.replay).toEqual({ same: true, engine_version_then: ENGINE_VERSION, engine_version_now: ENGINE_VERSION, hash_verified: true, differences: [], differences_total: 0, error: null });
      expect(result.recommendation.recommendation_id).toBe(rec.recommendation_id);
      expect(result.trace).toEqual(rec.reasoning.trace);
      expect(result.inputs).toMatchObject({
        run_id: rec.run_id,
        strategy: 'bayes',
        strategy_version: ENGINE_VERSION,
        random_seed: String(deriveSeed(rec.run_id, 'exploration')),
        window: rec.reasoning.window,
        budget: { currency: rec.reasoning.currency, run_total_budget: 1000, run_total_budget_minor: 100_000, adset_budget: rec.total_budget },
      });
    }
  });

  it('stores no seed when nothing explores: the decision is deterministic', async () => {
    const greedy = await createContext(testConfig({ TARGETING_EXPLORATION_SHARE: '0' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    const recs = (await runOptimization(greedy, { campaignId, budget: '1000', mode: 'stub' })).recommendations;
    expect((await getDecisionInputs(ctx.db, recs[0]!.run_id))!.randomSeed).toBeNull();
    for (const rec of recs) {
      expect(rec.reasoning.trace.some((t) => t.step === 'interests.explore')).toBe(false);
      expect((await explainRecommendation(ctx, rec.recommendation_id, { replay: true })).replay).toMatchObject({ same: true, hash_verified: true });
    }
  });

  it('stores the exploration seed and replays with it: identical, and another seed explores differently', async () => {
    const exploring = await createContext(testConfig({ TARGETING_EXPLORATION_SHARE: '0.1' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    const recs = (await runOptimization(exploring, { campaignId, budget: '1000', mode: 'stub' })).recommendations;
    // The run's seed is derived from its id and stored as text.
    expect((await getDecisionInputs(ctx.db, recs[0]!.run_id))!.randomSeed).toBe(String(deriveSeed(recs[0]!.run_id, 'exploration')));
    const explored = recs.flatMap((r) => r.reasoning.trace.filter((t) => t.step === 'interests.explore'));
    expect(explored.length).toBe(recs.length); // 10 % of 15 interests: one exploration slot per ad set
    for (const rec of recs) {
      const result = await explainRecommendation(ctx, rec.recommendation_id, { replay: true });
      expect(result.inputs!.random_seed).toBe(String(deriveSeed(rec.run_id, 'exploration')));
      expect(result.replay).toMatchObject({ same: true, hash_verified: true, differences_total: 0 });
    }
    // A different stored seed is a different decision: the replay says so (the hash covers the inputs, not the seed).
    await ctx.db.query(`update decision_inputs set random_seed = '12345' where run_id = $1`, [recs[0]!.run_id]);
    let changed = 0;
    for (const rec of recs) {
      const replay = (await explainRecommendation(ctx, rec.recommendation_id, { replay: true })).replay!;
      expect(replay.hash_verified).toBe(true);
      if (!replay.same) {
        changed++;
        expect(replay.differences.some((d) => d.path.startsWith('$.interests') || d.path.startsWith('$.behaviors') || d.path.startsWith('$.reasoning.trace'))).toBe(true);
      }
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('uses the stored settings, not the current configuration', async () => {
    const [rec] = await freshRun();
    const other = await createContext(testConfig({ TARGETING_STRATEGY: 'seed', TARGETING_SPAIN_MIN_PCT: '60', TARGETING_MAX_INTERESTS: '3' }), { db: ctx.db, clock: ctx.clock, logger: pino({ level: 'silent' }) });
    // The current settings would decide differently on the same snapshot…
    const stored = (await getDecisionInputs(ctx.db, rec!.run_id))!;
    const now = decideDocuments({ snapshot: stored.snapshot, totalBudgetMinor: stored.totalBudgetMinor, settings: other.config.engine });
    expect(now.find((d) => d.draft.adset_id === rec!.adset_id)!.draft.interests.length).toBe(3);
    // …but the replay decides with the ones the run used.
    const result = await explainRecommendation(other, rec!.recommendation_id, { replay: true });
    expect(result.replay).toMatchObject({ same: true, hash_verified: true, differences: [] });
  });

  it('detects a stored snapshot changed after the run: hash not verified, and the differences listed', async () => {
    const recs = await freshRun();
    const runId = recs[0]!.run_id;
    // Tripling the first ad set's spend in the window moves budget toward it (budgets follow spend).
    await ctx.db.query(
      `update decision_inputs set snapshot = jsonb_set(snapshot, '{adsets,0,total,spendMinor}', to_jsonb((snapshot #>> '{adsets,0,total,spendMinor}')::bigint * 3))
       where run_id = $1`,
      [runId],
    );
    const first = recs.find((r) => r.adset_id === recs[0]!.adset_id)!;
    const result = await explainRecommendation(ctx, first.recommendation_id, { replay: true });
    expect(result.replay!.hash_verified).toBe(false);
    expect(result.replay!.same).toBe(false);
    expect(result.replay!.error).toBeNull();
    const budget = result.replay!.differences.find((d) => d.path === '$.total_budget')!;
    expect(budget.stored).toBe(first.total_budget);
    expect(budget.replayed).toBeGreaterThan(first.total_budget);
    expect(result.replay!.differences_total).toBeGreaterThanOrEqual(result.replay!.differences.length);
    // The recommendation document is not what changed: it is still reported as stored.
    expect(result.recommendation.total_budget).toBe(first.total_budget);
  });

  it('detects a stored recommendation changed after the run, path by path', async () => {
    const [rec] = await freshRun();
    await ctx.db.query(`update recommendations set document = jsonb_set(document, '{expected_roas}', '99') where recommendation_id = $1`, [rec!.recommendation_id]);
    const result = await explainRecommendation(ctx, rec!.recommendation_id, { replay: true });
    expect(result.replay).toMatchObject({ same: false, hash_verified: true, differences_total: 1, differences: [{ path: '$.expected_roas', stored: 99, replayed: rec!.expected_roas }] });
  });

  it(`lists at most ${MAX_DIFFERENCES} differences and counts them all`, async () => {
    const [rec] = await freshRun();
    await ctx.db.query(
      `update recommendations set document = jsonb_set(document, '{interests}', (select jsonb_agg(g) from generate_series(1, 60) g)) where recommendation_id = $1`,
      [rec!.recommendation_id],
    );
    const replay = (await explainRecommendation(ctx, rec!.recommendation_id, { replay: true })).replay!;
    expect(replay.differences).toHaveLength(MAX_DIFFERENCES);
    expect(replay.differences_total).toBe(60);
    expect(replay.differences[0]).toEqual({ path: '$.interests[0]', stored: 1, replayed: rec!.interests[0] });
    expect(replay.differences.at(-1)).toEqual({ path: '$.interests[49]', stored: 50 });
  });

  it('says clearly that a recommendation stored before decision inputs were kept cannot be replayed', async () => {
    const [rec] = await freshRun();
    await ctx.db.query('delete from decision_inputs where run_id = $1', [rec!.run_id]);
    const plain = await explainRecommendation(ctx, rec!.recommendation_id, { replay: false });
    expect(plain.inputs).toBeNull();
    expect(plain.trace).toEqual(rec!.reasoning.trace);
    const error = await explainRecommendation(ctx, rec!.recommendation_id, { replay: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/cannot be replayed: it was stored .* before the inputs of each decision were kept/);
  });

  it('refuses unknown and malformed ids', async () => {
    await expect(explainRecommendation(ctx, '00000000-0000-4000-8000-000000000000', { replay: true })).rejects.toBeInstanceOf(NotFoundError);
    for (const bad of ['nope', '', '00000000-0000-4000-8000-00000000000', "1' or '1'='1"]) {
      const error = await explainRecommendation(ctx, bad, { replay: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe('recommendation_id');
    }
  });

  it('CLI: exit 0 and "replayed: identical" when the same, 3 with the differences when not, 2 for bad ids', async () => {
    const [rec, second] = await freshRun();
    const same = await cli(['explain', rec!.recommendation_id, '--replay']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('replayed: identical');
    expect(same.stdout).toContain(`input hash ${(await getDecisionInputs(ctx.db, rec!.run_id))!.inputHash}`);
    expect(same.stdout).toMatch(/^ {2}budget: ad set gets \d+ of 100000 minor units \[/m);

    const json = await cli(['explain', rec!.recommendation_id.toUpperCase(), '--replay', '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { replay: { same: boolean } }).replay.same).toBe(true);

    await ctx.db.query(`update recommendations set document = jsonb_set(document, '{frequency_cap}', '9') where recommendation_id = $1`, [second!.recommendation_id]);
    const differs = await cli(['explain', second!.recommendation_id, '--replay']);
    expect(differs.code).toBe(REPLAY_DIFFERS_EXIT_CODE);
    expect(REPLAY_DIFFERS_EXIT_CODE).toBe(3);
    expect(differs.stdout).toContain('replayed: DIFFERENT, 1 difference(s)');
    expect(differs.stdout).toContain(`$.frequency_cap: stored 9 → replayed ${second!.frequency_cap}`);
    const differsJson = await cli(['explain', second!.recommendation_id, '--replay', '--json']);
    expect(differsJson.code).toBe(3);
    expect((JSON.parse(differsJson.stdout) as { replay: { differences: unknown[] } }).replay.differences).toEqual([{ path: '$.frequency_cap', stored: 9, replayed: second!.frequency_cap }]);
    // Without --replay nothing is compared: explaining is not drift.
    expect((await cli(['explain', second!.recommendation_id])).code).toBe(0);

    const unknown = await cli(['explain', '00000000-0000-4000-8000-000000000000', '--replay']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('not found');
    const malformed = await cli(['explain', 'abc']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('recommendation_id: must be a UUID');
    expect((await cli(['explain'])).code).toBe(2);
    expect((await cli(['explain', rec!.recommendation_id, '--bogus'])).code).toBe(2);
  });
});

describe('diffJson', () => {
  it('finds nothing between equal values whatever their key order', () => {
    expect(diffJson({ a: [1, { b: 2, c: null }], d: 'x' }, { d: 'x', a: [1, { c: null, b: 2 }] })).toEqual([]);
  });

  it('names each differing path in the replayed order, keys only stored last, an absent side left out', () => {
    expect(diffJson({ a: [1, 2, 3], b: { 'x-y': 1 }, c: 1 }, { a: [1, 5], b: { 'x-y': 2 }, d: true })).toEqual([
      { path: '$.a[1]', stored: 2, replayed: 5 },
      { path: '$.a[2]', stored: 3 },
      { path: '$.b["x-y"]', stored: 1, replayed: 2 },
      { path: '$.d', replayed: true },
      { path: '$.c', stored: 1 },
    ]);
  });

  it('reports a change of kind at the path where it happens, and compares numbers exactly', () => {
    expect(diffJson({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: '$.a', stored: [1], replayed: { 0: 1 } }]);
    expect(diffJson({ r: 0.30000000000000004 }, { r: 0.3 })).toEqual([{ path: '$.r', stored: 0.30000000000000004, replayed: 0.3 }]);
    expect(diffJson(null, 0)).toEqual([{ path: '$', stored: null, replayed: 0 }]);
    // Own keys only: "constructor" is not taken from the prototype as present.
    expect(diffJson({ constructor: 1 }, {})).toEqual([{ path: '$.constructor', stored: 1 }]);
  });
});
