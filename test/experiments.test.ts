// Holdout experiments end to end on the STUB market: start on a campaign with
// 5 ad sets, the report's "not enough data" states, then later stub history and a report with
// intervals; the CLI's experiment start / report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignArms } from '../src/engine/holdout.ts';
import { deriveSeed } from '../src/engine/random.ts';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { InputError, NotFoundError } from '../src/services/errors.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { experimentReport, startExperiment } from '../src/services/holdout-experiment.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { listTargetingHistory } from '../src/store/history.ts';
import { runCli } from './helpers/cli.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

const CAMPAIGN = '880001';
const SINGLE = '880002';
const STUB = { campaigns: 1, seed: 77, campaignIds: [CAMPAIGN], adsetsPerCampaign: 5, interestsPerCampaign: 20, behaviorsPerCampaign: 5 };

describe(`holdout experiments on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let runId: string;
  let experimentId: string;

  beforeAll(async () => {
    ctx = await openTestContext({}, '2026-11-20T08:00:00Z');
    await generateStubHistory(ctx, { ...STUB, days: 30, endDate: '2026-11-19' });
    runId = (await runOptimization(ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub' })).run.runId;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('a dry run draws the assignment and stores nothing', async () => {
    const dry = await startExperiment(ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.4, dryRun: true });
    expect(dry).toMatchObject({ experiment_id: null, campaign_id: CAMPAIGN, run_id: runId, holdout_share: 0.4, dry_run: true });
    expect(dry.assignment).toHaveLength(5);
    expect(dry.assignment.filter((a) => a.arm === 'holdout')).toHaveLength(2); // round(0.4 × 5)
    expect(dry.assignment.every((a) => a.history_id === null)).toBe(true);
    expect(await listTargetingHistory(ctx.db, { campaignId: CAMPAIGN, adsetId: null, limit: 50 })).toEqual([]);
  });

  it('starts: treatment ad sets get the recommendation, holdout ad sets keep their targeting, all recorded', async () => {
    const dry = await startExperiment(ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.4, dryRun: true });
    const started = await startExperiment(ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.4, dryRun: false });
    experimentId = started.experiment_id!;
    expect(experimentId).toMatch(/^[0-9a-f-]{36}$/);
    // The seed is the run id's, so the draw is the dry run's and anyone can recompute it.
    expect(started.seed).toBe(deriveSeed(runId, 'holdout'));
    expect(started.assignment.map(({ adset_id, arm }) => ({ adset_id, arm }))).toEqual(dry.assignment.map(({ adset_id, arm }) => ({ adset_id, arm })));
    expect(assignArms(started.assignment.map((a) => a.adset_id), 0.4, started.seed).map((a) => a.arm)).toEqual(started.assignment.map((a) => a.arm));

    const history = await listTargetingHistory(ctx.db, { campaignId: CAMPAIGN, adsetId: null, limit: 50 });
    expect(history).toHaveLength(5);
    for (const a of started.assignment) {
      const row = history.find((h) => h.id === a.history_id)!;
      expect(row).toMatchObject({ adset_id: a.adset_id, experiment_id: experimentId, experiment_arm: a.arm, recommendation_id: a.recommendation_id, run_id: runId, dry_run: false, success: true });
      // First change of these ad sets: the old targeting is unknown; the holdout keeps it (null).
      expect(row.old_targeting).toBeNull();
      if (a.arm === 'holdout') expect(row.new_targeting).toBeNull();
      else expect(row.new_targeting).toMatchObject({ geo_locations: { countries: expect.any(Array) } });
    }
  });

  it('refuses a second experiment on the same run, a holdout on one ad set, and unknown campaigns', async () => {
    await expect(startExperiment(ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.2, dryRun: false })).rejects.toThrow(new RegExp(`already in experiment ${experimentId}`));
    await expect(startExperiment(ctx, { campaignId: 'nope-1', mode: 'stub', holdoutShare: 0.2, dryRun: false })).rejects.toBeInstanceOf(NotFoundError);
    await expect(startExperiment(ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.7, dryRun: true })).rejects.toThrow(/holdout_share: must be a number from 0 to 0.5/);

    await generateStubHistory(ctx, { campaigns: 1, days: 10, seed: 5, campaignIds: [SINGLE], adsetsPerCampaign: 1, endDate: '2026-11-19' });
    await runOptimization(ctx, { campaignId: SINGLE, budget: null, mode: 'stub' });
    const one = startExperiment(ctx, { campaignId: SINGLE, mode: 'stub', holdoutShare: 0.2, dryRun: false });
    await expect(one).rejects.toBeInstanceOf(InputError);
    await expect(one).rejects.toThrow(/at least 2 ad sets.*has 1/);
    // Without a holdout it is a plain apply with an experiment id, and the report says there is nothing to compare.
    const all = await startExperiment(ctx, { campaignId: SINGLE, mode: 'stub', holdoutShare: 0, dryRun: false });
    expect(all.assignment).toEqual([expect.objectContaining({ arm: 'treatment' })]);
    const report = await experimentReport(ctx, all.experiment_id!);
    expect(report).toMatchObject({ status: 'no_holdout', lift: { ctr: { state: 'not_enough_data', lift: null, ci95: null } } });
    expect(report.reason).toMatch(/no holdout/);
  });

  it('reports "not enough data" before delivery, and with only two days after the start', async () => {
    const before = await experimentReport(ctx, experimentId);
    expect(before).toMatchObject({ status: 'not_enough_data', period: { start: '2026-11-21', end: null }, currency: 'EUR' });
    expect(before.arms.treatment).toMatchObject({ adset_ids: expect.any(Array), days: 0, impressions: 0, ctr: null });
    expect(before.arms.treatment.adset_ids).toHaveLength(3);
    expect(before.arms.holdout.adset_ids).toHaveLength(2);
    for (const k of ['ctr', 'cvr', 'roas'] as const) expect(before.lift[k]).toMatchObject({ state: 'not_enough_data', lift: null, ci95: null });
    expect(before.reason).toMatch(/0 day\(s\) with delivery since the start; at least 3/);
    for (const k of ['ctr', 'cvr', 'roas'] as const) expect(before.lift[k].adjusted).toBeNull();

    // The start day (Nov 20) mixes old and new targeting and is not counted: 2 days remain.
    await generateStubHistory(ctx, { ...STUB, days: 3, endDate: '2026-11-22' });
    const early = await experimentReport(ctx, experimentId);
    expect(early.status).toBe('not_enough_data');
    expect(early.period).toEqual({ start: '2026-11-21', end: '2026-11-22' });
    expect(early.arms.treatment.days).toBe(2);
    expect(early.arms.treatment.impressions).toBeGreaterThan(0);
    expect(early.lift.roas.reason).toMatch(/2 day\(s\)/);
  });

  it('reports lifts with 95 % intervals once two weeks of delivery exist', async () => {
    await generateStubHistory(ctx, { ...STUB, days: 14, endDate: '2026-12-04' });
    const report = await experimentReport(ctx, experimentId);
    expect(report.status).toBe('ready');
    expect(report.period).toEqual({ start: '2026-11-21', end: '2026-12-04' });
    expect(report.arms.treatment).toMatchObject({ days: 14, adsets_with_delivery: 3 });
    expect(report.arms.holdout).toMatchObject({ days: 14, adsets_with_delivery: 2 });
    for (const k of ['ctr', 'cvr', 'roas'] as const) {
      const l = report.lift[k];
      expect(l.state).toBe('ok');
      expect(l.lift!).toBeCloseTo(l.treatment! / l.holdout! - 1, 12);
      expect(l.ci95!.low).toBeLessThan(l.lift!);
      expect(l.ci95!.high).toBeGreaterThan(l.lift!);
      expect(l.ci95!.low).toBeGreaterThan(-1);
      expect(Number.isFinite(l.ci95!.high)).toBe(true);
      // The 30 days before the start give the arms' baseline ratio, which the adjusted lift divides out.
      const adjusted = l.adjusted!;
      expect(adjusted.ci95.low).toBeLessThan(adjusted.lift);
      expect(adjusted.ci95.high).toBeGreaterThan(adjusted.lift);
      expect(adjusted.lift).not.toBeCloseTo(l.lift!, 6);
    }
    expect(report.baseline_period).toEqual({ start: '2026-10-21', end: '2026-11-19' });
    expect(report.lift.ctr.treatment).toBeCloseTo(report.arms.treatment.ctr!, 12);

    // The arms' sums are the ad sets' country rows (one breakdown) after the start day, nothing else.
    const sums = await ctx.db.query<{ arm: string; impressions: number; spend_minor: number }>(
      `select case when adset_id = any($2::text[]) then 'holdout' else 'treatment' end as arm,
         sum(impressions)::float8 as impressions, sum(spend_minor)::float8 as spend_minor
       from insights where campaign_id = $1 and country <> '' and date >= '2026-11-21' group by 1`,
      [CAMPAIGN, report.arms.holdout.adset_ids],
    );
    for (const s of sums) {
      const arm = report.arms[s.arm as 'treatment' | 'holdout'];
      expect(arm.impressions).toBe(Number(s.impressions));
      expect(arm.spend).toBeCloseTo(Number(s.spend_minor) / 100, 6);
    }
  });

  it('rejects a malformed experiment id and an unknown one', async () => {
    await expect(experimentReport(ctx, 'abc')).rejects.toThrow(/experiment_id: must be a UUID/);
    await expect(experimentReport(ctx, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the CLI starts and reports experiments (text and --json), with usage errors as exit code 2', async () => {
    const overrides = { db: ctx.db, clock: { now: () => new Date('2026-12-05T09:00:00Z') } };
    // A new run, so that the campaign's latest run is not in an experiment yet.
    await runOptimization({ ...ctx, clock: overrides.clock }, { campaignId: CAMPAIGN, budget: null, mode: 'stub' });
    const dry = await runCli(['experiment', 'start', '--campaign', CAMPAIGN, '--holdout', '0.2', '--dry-run'], overrides);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run in STUB mode: nothing applied; 4 ad set\(s\) in treatment, 1 in holdout/);
    const started = await runCli(['experiment', 'start', '--campaign', CAMPAIGN, '--holdout', '0.2', '--json'], overrides);
    expect(started.code).toBe(0);
    const doc = JSON.parse(started.stdout) as { experiment_id: string; assignment: { arm: string }[] };
    expect(doc.assignment.filter((a) => a.arm === 'holdout')).toHaveLength(1);

    const json = await runCli(['experiment', 'report', doc.experiment_id, '--json'], overrides);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ experiment_id: doc.experiment_id, status: 'not_enough_data', period: { start: '2026-12-06', end: null } });

    const text = await runCli(['experiment', 'report', experimentId], overrides);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/status ready/);
    expect(text.stdout).toMatch(/CTR +[+-]\d+\.\d % {2}\(95 % interval [+-]\d+\.\d % to [+-]\d+\.\d %\)/);

    for (const argv of [['experiment'], ['experiment', 'stop'], ['experiment', 'start'], ['experiment', 'start', '--campaign', CAMPAIGN, '--holdout', '0.6'], ['experiment', 'start', '--campaign', CAMPAIGN, '--holdout', 'abc'], ['experiment', 'report'], ['experiment', 'report', 'not-a-uuid']]) {
      const r = await runCli(argv, overrides);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});

describe(`a holdout experiment whose ad sets change later (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  const LATER = '880003';
  const MARKET = { ...STUB, campaignIds: [LATER], seed: 78 };
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await openTestContext({}, '2026-11-20T08:00:00Z');
    await generateStubHistory(ctx, { ...MARKET, days: 30, endDate: '2026-11-19' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('counts no day from the day a later apply changes one of its ad sets: the holdout is no longer held out', async () => {
    await runOptimization(ctx, { campaignId: LATER, budget: null, mode: 'stub' });
    const started = await startExperiment(ctx, { campaignId: LATER, mode: 'stub', holdoutShare: 0.4, dryRun: false });
    const holdout = started.assignment.find((a) => a.arm === 'holdout')!;
    await generateStubHistory(ctx, { ...MARKET, days: 5, endDate: '2026-11-24' });
    const before = await experimentReport(ctx, started.experiment_id!);
    expect(before.period).toEqual({ start: '2026-11-21', end: '2026-11-24' });

    // Five days in, a newer run's recommendation is applied to a holdout ad set.
    ctx.setNow('2026-11-25T08:00:00Z');
    const newer = (await runOptimization(ctx, { campaignId: LATER, budget: null, mode: 'stub' })).recommendations.find((r) => r.adset_id === holdout.adset_id)!;
    expect((await applyRecommendation(ctx, { recommendationId: newer.recommendation_id, mode: 'stub', dryRun: false })).history_id).not.toBeNull();
    await generateStubHistory(ctx, { ...MARKET, days: 10, endDate: '2026-12-05' });
    // The apply's campaign day (2026-11-25) mixes both targetings: the period ends the day before.
    const report = await experimentReport(ctx, started.experiment_id!);
    expect(report.period).toEqual({ start: '2026-11-21', end: '2026-11-24' });
    expect(report.arms).toEqual(before.arms);
    expect(report.lift).toEqual(before.lift);
  });
});
