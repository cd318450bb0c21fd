// LIVE apply against the project's fake Graph API: sync → run → dry run → apply → apply again →
// days of delivery and a sync that fills the after-metrics → rollback, a fault in the middle of a
// multi-ad-set apply, a special-category campaign, a crash between the record and the answer, the
// token's absence from everything written or printed, the guardrails, lookalikes, and days read again
// after the interests changed. A geo split's apply is meta-apply-split.test.ts.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { GuardrailBlockedError } from '../src/services/apply-guardrails.ts';
import { applyRecommendation, type ApplyResult } from '../src/services/apply-recommendation.ts';
import { planLiveApply } from '../src/services/live-apply.ts';
import { sendChange } from '../src/services/live-changes.ts';
import { metaClientFor, metaSync } from '../src/services/meta.ts';
import { PENDING_GRACE_MS } from '../src/services/reconcile-changes.ts';
import { rollbackChange } from '../src/services/rollback-change.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getStoredChange } from '../src/store/history.ts';
import { buildApp } from '../src/api/app.ts';
import { auth, testKeys, token } from './api/helpers.ts';
import { addDays, isoDate } from '../src/services/dates.ts';
import { countryGroups, decisionForGroup, POOL_KEY } from '../src/meta/adset-split.ts';
import { adSetUpdateFor, type TargetingDecision } from '../src/meta/targeting-spec.ts';
import { ConflictError } from '../src/services/errors.ts';
import { targetingDecisionOf } from '../src/services/targeting-decision.ts';
import { metaCampaignOf } from '../src/store/meta.ts';
import { getDecisionInputs } from '../src/store/decision-inputs.ts';
import { getRecommendationDecision } from '../src/store/runs.ts';
import { documentDecisionOf } from './helpers/document-decision.ts';
import { runCli } from './helpers/cli.ts';
import { usingPostgres } from './helpers/db.ts';
import { TOKEN, type Harness } from './helpers/meta-harness.ts';
import { END, LIVE_APPLY_ENV, harness, openAccount, closeAccount, deliverAndSync, recordPending, liveRecommendation, snapshot, minor, writesTo } from './helpers/live-apply.ts';

describe(`LIVE apply against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let h: Harness;
  let campaignId: string;
  let specialId: string;
  let recs: Recommendation[];
  let original: string[];
  let originalIds: string[];
  const outputs: unknown[] = [];

  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 2, adsetsPerCampaign: 3, days: 40, pageSize: 200 });
    const origin = await fake.listen();
    h = await harness(fake, origin);
    campaignId = fake.market.campaigns[0]!.campaignId;
    specialId = fake.market.campaigns[1]!.campaignId;
    outputs.push(await metaSync(h.ctx));
    const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
    outputs.push(run);
    recs = run.recommendations;
    originalIds = fake.adSetsOf(campaignId).map((a) => a.id);
    original = snapshot(fake, originalIds);
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('the stored typed decision maps to exactly the Meta requests the document did; a recommendation stored without one is refused', async () => {
    const special = (await runOptimization(h.ctx, { campaignId: specialId, budget: null, mode: 'live' })).recommendations;
    const minBudget = h.ctx.config.meta.splitMinDailyBudgetMinor;
    let compared = 0;
    for (const rec of [...recs, ...special]) {
      const stored = (await getRecommendationDecision(h.db, rec.recommendation_id))!;
      expect(stored).toMatchObject({ adsetId: rec.adset_id, campaignId: rec.campaign_id, budgetMinor: expect.any(Number) });
      const lookalikes = [{ id: '23870000000042', name: 'Lookalike 1% - ES' }];
      const fromDecision = targetingDecisionOf(stored, 0, lookalikes);
      const fromDocument = documentDecisionOf(rec, 0, lookalikes);
      expect(fromDecision).toEqual(fromDocument);
      const campaign = (await metaCampaignOf(h.db, rec.campaign_id))!;
      const rules = { specialAdCategories: campaign.specialAdCategories, budgetMode: campaign.budgetMode };
      const current = fake.adSet(rec.adset_id!)!;
      const adset = { id: current.id, optimizationGoal: current.optimization_goal ?? null, targeting: current.targeting!, dailyBudgetMinor: Number(current.daily_budget), lifetimeBudgetMinor: null };
      const requests = (d: TargetingDecision) => countryGroups(d, minBudget).map((g) => adSetUpdateFor(decisionForGroup(d, g), adset, rules));
      const expected = requests(fromDocument);
      expect(JSON.stringify(requests(fromDecision))).toBe(JSON.stringify(expected));
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(recs.length);

    // A recommendation stored before decisions were kept with recommendations: refused clearly, nothing read or sent.
    const old = recs[1]!;
    const kept = await getRecommendationDecision(h.db, old.recommendation_id);
    await h.db.query('update recommendations set decision = null where recommendation_id = $1', [old.recommendation_id]);
    const before = fake.requests.length;
    const error = await applyRecommendation(h.ctx, { recommendationId: old.recommendation_id, mode: 'live', dryRun: true }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(`recommendation ${old.recommendation_id} predates the engine's decisions being stored with recommendations, and a LIVE apply maps that decision (not the document) to Meta's requests; run the campaign again (run --campaign ${campaignId} --mode live) and apply its new recommendation for ad set ${old.adset_id}`);
    expect(fake.requests.slice(before).filter((r) => r.kind !== 'read')).toEqual([]);
    const overrides = { db: h.db, clock: h.ctx.clock, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async () => {}, random: () => 0.5 } };
    const cli = await runCli(['apply', old.recommendation_id, '--mode', 'live', '--yes'], overrides, { META_GRAPH_URL: h.ctx.config.meta.graphUrl, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, ...LIVE_APPLY_ENV });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/predates the engine's decisions being stored with recommendations.*run the campaign again \(run --campaign \d+ --mode live\)/);
    const app = await buildApp(h.ctx, { keys: testKeys() });
    try {
      const api = await app.inject({ method: 'POST', url: `/meta/targeting/apply/${old.recommendation_id}`, headers: auth(await token('admin', { sub: 'ada', expiresIn: 7 * 86_400 })), payload: { recommendation_id: old.recommendation_id, mode: 'live', dry_run: true } });
      expect(api.statusCode).toBe(409);
      expect(api.json().error.message).toMatch(/predates the engine's decisions/);
    } finally {
      await app.close();
    }
    expect(fake.requests.slice(before).filter((r) => r.kind !== 'read')).toEqual([]);
    await h.db.query('update recommendations set decision = $2::jsonb where recommendation_id = $1', [old.recommendation_id, JSON.stringify(kept)]);
  });

  it('dry run: the exact requests, validated by Meta (validate_only), a diff, and nothing changes', async () => {
    const rec = recs[0]!;
    const before = fake.requests.length;
    const historyBefore = await h.db.query('select count(*)::int as n from targeting_history');
    const dry = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true });
    outputs.push(dry);
    expect(dry).toMatchObject({ success: true, dry_run: true, history_id: null, state: null, mode: 'live', validation: { validated_by_meta: true, errors: [] } });
    expect(writesTo(fake, before)).toEqual([]);
    expect(fake.requests.slice(before).filter((r) => r.kind === 'validate').length).toBeGreaterThan(0);
    expect(fake.requests.slice(before).filter((r) => r.kind === 'validate').every((r) => r.status === 200)).toBe(true);
    expect(snapshot(fake, originalIds)).toEqual(original);
    expect(await h.db.query('select count(*)::int as n from targeting_history')).toEqual(historyBefore);
    // The budgets are the recommendation's, in minor units, country by country.
    const byCountry = new Map(rec.geo_allocations.map((g) => [g.country_code, minor(g.budget_amount)]));
    for (const a of dry.adsets) expect(a.daily_budget_minor).toBe(a.countries.reduce((s, c) => s + byCountry.get(c)!, 0));
    expect(dry.adsets.flatMap((a) => a.countries).sort()).toEqual([...rec.countries].sort());
    expect(dry.adsets.find((a) => a.adset_id === rec.adset_id)!.diff.length).toBeGreaterThan(0);
    expect(dry.requests.length).toBeGreaterThan(0);
    // Copies are never sent for validation, and each one says what was validated instead.
    expect(fake.requests.slice(before).filter((r) => r.kind === 'validate' && r.path.endsWith('/copies'))).toEqual([]);
    const created = dry.adsets.filter((a) => a.step === 'create');
    expect(created.length).toBeGreaterThan(0);
    expect(dry.notes.filter((n) => n.field === 'copy')).toHaveLength(created.length);
    expect(dry.notes.find((n) => n.field === 'copy')!.message).toMatch(/Meta cannot validate a copy without making it .* validated as an update of the original/);
    // The frequency cap is advisory for a conversions goal, and said so.
    expect(dry.notes).toContainEqual(expect.objectContaining({ kind: 'advisory', field: 'frequency_control_specs' }));
    // Each ad set expected under 50 conversions a week at its budget is said to stay in learning, and only those.
    const decided = (await getRecommendationDecision(h.db, rec.recommendation_id))!;
    const cpc = new Map(decided.countries.map((c) => [c.countryCode, c.averageCpcMinor]));
    const budgets = new Map(decided.countries.map((c) => [c.countryCode, c.amountMinor]));
    const expectedWeekly = (countries: string[]) => countries.reduce((s, c) => s + budgets.get(c)! / cpc.get(c)!, 0) * decided.expected.cvr * 7;
    const learning = dry.adsets.filter((a) => a.step !== 'retire' && expectedWeekly(a.countries) < 50);
    expect(learning.length).toBeGreaterThan(0);
    const noted = dry.notes.filter((n) => n.kind === 'learning');
    expect(noted.map((n) => n.adset_id).sort()).toEqual(learning.map((a) => a.adset_id).sort());
    for (const n of noted) expect(n.message).toMatch(/^about \d+ conversions a week expected at this budget .* under the 50 that end Meta's learning phase/);
  });

  let applied: ApplyResult;
  it('apply: records pending first, sends specs that match the recommendation in minor units, creates the geo split paused until it completes', async () => {
    const rec = recs[0]!;
    // The run's first split is held to the change limit against the history's split, so the
    // guardrail at its default (±20 %) lets it through.
    const atDefaults = await createContext({ ...h.ctx.config, guardrails: { ...h.ctx.config.guardrails, maxBudgetChangePct: 20 } }, { db: h.db, clock: h.ctx.clock, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async () => {}, random: () => 0.5 } });
    const preview = await applyRecommendation(atDefaults, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true });
    expect(preview.guardrails).toMatchObject({ allowed: true, blocked_by: null });
    const before = fake.requests.length;
    applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    outputs.push(applied);
    expect(applied).toMatchObject({ success: true, state: 'applied', dry_run: false, rolled_back: [], meta_error: null });
    const row = (await getStoredChange(h.db, applied.history_id!))!;
    expect(row.state).toBe('applied');
    const writes = writesTo(fake, before);
    expect(writes.every((w) => w.status === 200)).toBe(true);
    const byCountry = new Map(rec.geo_allocations.map((g) => [g.country_code, minor(g.budget_amount)]));
    const now = fake.adSetsOf(campaignId);
    for (const a of applied.adsets) {
      const adset = now.find((x) => x.id === a.adset_id)!;
      expect(adset.targeting!.geo_locations!.countries).toEqual(a.countries);
      expect(Number(adset.daily_budget)).toBe(a.countries.reduce((s, c) => s + byCountry.get(c)!, 0));
      expect([adset.targeting!.age_min, adset.targeting!.age_max]).toEqual([rec.age_min, rec.age_max]);
      expect(adset.targeting!.flexible_spec![0]!.interests!.map((i) => i.id)).toEqual(rec.interests.map((i) => i.interest_id));
      expect(adset.targeting!.targeting_automation).toEqual({ advantage_audience: 0 });
      expect(adset.status).toBe('ACTIVE');
    }
    const created = applied.adsets.filter((a) => a.step === 'create');
    if (created.length > 0) {
      // Copies are made PAUSED and activated only after every other write.
      const copies = writes.filter((w) => w.path.endsWith(`/${rec.adset_id}/copies`));
      expect(copies).toHaveLength(created.length);
      for (const c of copies) expect(Object.fromEntries(new URLSearchParams(c.body))).toMatchObject({ status_option: 'PAUSED', deep_copy: 'false' });
      // The original's ads are more than Meta copies with their ad set in one request: each is copied
      // into each copy, and keeps its status (one of them is off).
      const ads = fake.adsOf(rec.adset_id!);
      expect(ads.length).toBeGreaterThan(2);
      expect(ads.some((a) => a.status === 'PAUSED')).toBe(true);
      expect(writes.filter((w) => w.path.endsWith('/copies') && !w.path.endsWith(`/${rec.adset_id}/copies`))).toHaveLength(created.length * ads.length);
      for (const c of created) expect(fake.adsOf(c.adset_id!).map((a) => [a.name, a.status])).toEqual(ads.map((a) => [a.name, a.status]));
      const activations = writes.filter((w) => new URLSearchParams(w.body).get('status') === 'ACTIVE');
      expect(writes.slice(-activations.length)).toEqual(activations);
      for (const c of created) expect(now.find((x) => x.id === c.adset_id)!.name).toMatch(/ \[geo [A-Z]{2}|pool\]$/);
    }
  });

  it('applying the same recommendation again sends nothing', async () => {
    const before = fake.requests.length;
    const again = await applyRecommendation(h.ctx, { recommendationId: recs[0]!.recommendation_id, mode: 'live', dryRun: false });
    outputs.push(again);
    expect(again).toMatchObject({ success: true, already_in_force: true, history_id: applied.history_id });
    expect(writesTo(fake, before)).toEqual([]);
    expect(fake.requests.slice(before).filter((r) => r.kind === 'validate')).toEqual([]);
  });

  it('after-metrics: the fake delivers days after the change, meta sync fills the history row with the rates of that delivery', async () => {
    const rec = recs[0]!;
    const metrics = async () => (await h.db.query<{ after_ctr: number | null; after_cvr: number | null; after_roas: number | null; before_roas: number | null }>('select after_ctr, after_cvr, after_roas, before_roas from targeting_history where id = $1', [applied.history_id]))[0]!;
    const row = (await getStoredChange(h.db, applied.history_id!))!;
    expect(await metrics()).toMatchObject({ after_ctr: null, after_cvr: null, after_roas: null });
    const end = fake.advanceDays(5);
    // The next morning, the sync reads the new days up to the account's last complete day.
    h.setNow(`${addDays(end, 1)}T08:00:00Z`);
    outputs.push(await metaSync(h.ctx, { campaignId }));
    // The split's delivery (the original and its copies) from the day after the change (that day
    // mixes old and new targeting), as the fake served it.
    const ids = [...new Set(applied.adsets.filter((a) => a.step !== 'retire').map((a) => a.adset_id!))];
    expect(ids.length).toBeGreaterThan(1);
    const after = ids.flatMap((id) => fake.countryDelivery(id, addDays(isoDate(row.appliedAt), 1)));
    expect(new Set(after.map((r) => r.date)).size).toBe(4);
    expect(new Set(after.map((r) => r.country)).size).toBe(rec.geo_allocations.length);
    const sum = (k: 'impressions' | 'clicks' | 'conversions' | 'spendMinor' | 'revenueMinor') => after.reduce((s, r) => s + r[k], 0);
    expect(sum('conversions')).toBeGreaterThan(0);
    const settled = await metrics();
    expect(settled.after_ctr).toBeCloseTo(sum('clicks') / sum('impressions'), 12);
    expect(settled.after_cvr).toBeCloseTo(sum('conversions') / sum('clicks'), 12);
    expect(settled.after_roas).toBeCloseTo(sum('revenueMinor') / sum('spendMinor'), 12);
    // Delivered at the new targeting's countries and budget: not the rates from before the change.
    expect(settled.after_roas).not.toBeCloseTo(settled.before_roas!, 6);
  });

  it('rollback: a dry run changes nothing; confirmed, it restores the original ad sets byte for byte and pauses the copies', async () => {
    const before = fake.requests.length;
    const dry = await rollbackChange(h.ctx, { historyId: applied.history_id!, dryRun: true });
    outputs.push(dry);
    expect(dry).toMatchObject({ success: true, dry_run: true, history_id: null, rolled_back_history_id: applied.history_id });
    expect(writesTo(fake, before)).toEqual([]);
    const done = await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: false });
    outputs.push(done);
    expect(done).toMatchObject({ success: true, dry_run: false, rolled_back_history_id: applied.history_id });
    expect(done.changes.length).toBe(applied.adsets.length);
    expect(snapshot(fake, originalIds)).toEqual(original);
    for (const a of applied.adsets.filter((x) => x.step === 'create')) expect(fake.adSet(a.adset_id!)!.status).toBe('PAUSED');
    const row = (await getStoredChange(h.db, done.history_id!))!;
    expect([row.state, row.rollsBackHistoryId]).toEqual(['applied', applied.history_id]);
    // Rolled back once: a second rollback is refused, and the recommendation may be applied again.
    await expect(rollbackChange(h.ctx, { historyId: applied.history_id!, dryRun: false })).rejects.toThrow(/already rolled back/);
  });

  it('a fault in the middle of a multi-ad-set apply leaves nothing half-applied, and the answer says what was rolled back', async () => {
    const rec = recs[1]!;
    const plan = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true });
    expect(plan.requests.length).toBeGreaterThan(1);
    const before = fake.requests.length;
    fake.inject({ kind: 'invalid-parameter', on: 'write', after: 1 });
    const failed = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    outputs.push(failed);
    expect(failed).toMatchObject({ success: false, state: 'failed', meta_error: { code: 100, subcode: 1487390, fbtrace_id: 'Fake1001487390' } });
    expect(failed.rolled_back.length).toBeGreaterThan(0);
    expect(failed.rolled_back.every((r) => r.restored)).toBe(true);
    expect(failed.message).toMatch(/Rolled back: /);
    expect(snapshot(fake, originalIds)).toEqual(original);
    for (const a of fake.adSetsOf(campaignId)) if (!originalIds.includes(a.id)) expect(a.status).toBe('PAUSED');
    const row = (await getStoredChange(h.db, failed.history_id!))!;
    expect(row.state).toBe('failed');
    expect(row.metaError).toMatchObject({ code: 100, fbtrace_id: 'Fake1001487390' });
    expect(writesTo(fake, before).some((w) => w.status === 400)).toBe(true);
  });

  it('a special-category campaign gets nothing its category forbids', async () => {
    const run = await runOptimization(h.ctx, { campaignId: specialId, budget: null, mode: 'live' });
    outputs.push(run);
    const ids = new Set(fake.adSetsOf(specialId).map((a) => a.id));
    const before = fake.requests.length;
    for (const rec of run.recommendations) {
      const r = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      outputs.push(r);
      expect(r.validation.errors).toEqual([]);
      expect(r.success).toBe(true);
    }
    const bodies = fake.requests.slice(before).filter((q) => q.method === 'POST' && q.body.includes('targeting=')).map((q) => JSON.parse(new URLSearchParams(q.body).get('targeting')!));
    expect(bodies.length).toBeGreaterThan(0);
    for (const t of bodies) {
      expect([t.age_min, t.age_max]).toEqual([18, 65]);
      expect(t.genders).toBeUndefined();
      expect(JSON.stringify(t.flexible_spec ?? [])).not.toContain('behaviors');
      expect(t.excluded_custom_audiences).toBeUndefined();
      expect(t.excluded_geo_locations).toBeUndefined();
    }
    for (const a of fake.adSetsOf(specialId)) if (ids.has(a.id)) expect(a.targeting!.genders).toBeUndefined();
  });

  it('a crash between the record and the answer leaves a pending row that the next apply settles by reading the ad sets back', async () => {
    const rec = recs[1]!;
    const { client } = metaClientFor(h.ctx);
    const plan = await planLiveApply(h.ctx, client, rec);
    const id = await recordPending(h, rec, plan, false);
    // The first change lands at Meta, then the process "dies" before recording it.
    const first = plan.doc.adsets.find((c) => c.step === 'update' && c.diff.length > 0 && originalIds.includes(c.adset_id!))!;
    await sendChange(client, first, async () => {});
    expect(snapshot(fake, originalIds)).not.toEqual(original);
    // Another apply within the grace period is refused: that row may be an apply still at work.
    await expect(applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false })).rejects.toThrow(/in progress/);
    h.setNow(new Date(h.ctx.clock.now().getTime() + PENDING_GRACE_MS + 60_000).toISOString());
    const dry = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true });
    outputs.push(dry);
    const row = (await getStoredChange(h.db, id))!;
    expect(row.state).toBe('failed');
    expect(snapshot(fake, originalIds)).toEqual(original);
  });

  it('the CLI: apply is a dry run unless --yes, rollback is a dry run unless --yes', async () => {
    const overrides = { db: h.db, clock: h.ctx.clock, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async () => {}, random: () => 0.5 } };
    const env = { META_GRAPH_URL: h.ctx.config.meta.graphUrl, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, ...LIVE_APPLY_ENV };
    const before = fake.writes;
    const dry = await runCli(['apply', recs[0]!.recommendation_id, '--mode', 'live'], overrides, env);
    outputs.push(dry.stdout, dry.stderr);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run in LIVE mode/);
    expect(dry.stdout).toMatch(/POST \//);
    expect(fake.writes).toBe(before);
    const yes = await runCli(['apply', recs[0]!.recommendation_id, '--mode', 'live', '--yes', '--json'], overrides, env);
    outputs.push(yes.stdout, yes.stderr);
    expect(yes.code).toBe(0);
    const result = JSON.parse(yes.stdout) as ApplyResult;
    expect(result.state).toBe('applied');
    const rb = await runCli(['rollback', String(result.history_id), '--mode', 'live'], overrides, env);
    outputs.push(rb.stdout, rb.stderr);
    expect(rb.stdout).toMatch(/Dry run in LIVE mode/);
    const rbYes = await runCli(['rollback', String(result.history_id), '--mode', 'live', '--yes', '--json'], overrides, env);
    outputs.push(rbYes.stdout, rbYes.stderr);
    expect(JSON.parse(rbYes.stdout)).toMatchObject({ success: true, rolled_back_history_id: result.history_id });
    expect(snapshot(fake, originalIds)).toEqual(original);
    const bad = await runCli(['rollback', 'abc'], overrides, env);
    expect(bad.code).toBe(2);
  });

  it('a crash after every change had landed: the next LIVE run settles the row as applied, and it rolls back like any other', async () => {
    const rec = recs[1]!;
    const { client } = metaClientFor(h.ctx);
    const plan = await planLiveApply(h.ctx, client, rec);
    const id = await recordPending(h, rec, plan, true);
    // Every change lands (the copies' ids are not recorded: they are found again by name), then the process dies.
    for (const c of plan.doc.adsets) if (c.diff.length > 0) await sendChange(client, c, async () => {});
    for (const c of plan.doc.adsets) if (c.activate) await sendChange(client, { ...c, step: 'update', update: { method: 'POST', path: c.adset_id!, params: { status: 'ACTIVE' } } }, async () => {});
    const stored = (await getStoredChange(h.db, id))!;
    expect((stored.changes as { adsets: { adset_id: string | null }[] }).adsets.some((c) => c.adset_id === null)).toBe(plan.doc.adsets.some((c) => c.step === 'create'));
    h.setNow(new Date(h.ctx.clock.now().getTime() + PENDING_GRACE_MS + 60_000).toISOString());
    const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
    outputs.push(run);
    const settled = (await getStoredChange(h.db, id))!;
    expect(settled.state).toBe('applied');
    const back = await rollbackChange(h.ctx, { historyId: id, dryRun: false });
    outputs.push(back);
    expect(back.success).toBe(true);
    expect(snapshot(fake, originalIds)).toEqual(original);
  });

  it('a LIVE run under ad set budgets is decided knowing its split is applied one ad set per country: an edit\'s learning is counted in those ad sets', async () => {
    expect((await metaCampaignOf(h.db, campaignId))!.budgetMode).toBe('adset');
    // An applied recommendation puts its interests in force, which the next run weighs an edit against.
    h.setNow(new Date(h.ctx.clock.now().getTime() + 3_600_001).toISOString());
    const applied = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true })).recommendations[0]!;
    expect(await applyRecommendation(h.ctx, { recommendationId: applied.recommendation_id, mode: 'live', dryRun: false })).toMatchObject({ success: true, state: 'applied' });
    const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
    outputs.push(run);
    // The apply split the ad set: the countries of its own ad sets are known to the next run.
    // So is the split the interrupted apply above made, settled when the run found it and rolled back: its copies paused, its original holds its own group.
    const own = async (source: string) => (await h.db.query<{ group_key: string; adset_id: string }>('select group_key, adset_id from meta_adset_splits where source_adset_id = $1 and group_key <> $2 order by group_key', [source, POOL_KEY])).filter((r) => fake.adSet(r.adset_id)!.status === 'ACTIVE').map((r) => r.group_key);
    const sources = [applied.adset_id!, recs[1]!.adset_id!].sort();
    expect(sources[0]).not.toBe(sources[1]);
    expect((await own(recs[1]!.adset_id!)).length).toBe(1);
    expect((await getDecisionInputs(h.db, run.run.runId))!.settings.countryAdSets).toEqual({ minDailyBudgetMinor: h.ctx.config.meta.splitMinDailyBudgetMinor, holding: await Promise.all(sources.map(async (adsetId) => ({ adsetId, countries: await own(adsetId) }))) });
    const lines = run.recommendations.flatMap((r) => r.reasoning.trace.filter((t) => t.step === 'segments.edit' && t.numbers.conversions_per_day !== null));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(Number(line.numbers.country_ad_sets)).toBeGreaterThanOrEqual(1);
      expect(Number(line.numbers.learning_days)).toBeGreaterThan(0);
      // A line that weighs the gain says why it must gain that much.
      if (/must gain/.test(line.decision)) expect(line.decision).toMatch(/applied as \d+ ad sets by country, each learning on its own conversions, learning lasts about [\d.]+ days/);
    }
    // A STUB run of the same campaign is applied as one ad set: nothing of it in its settings.
    const stub = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'stub', forceRefresh: true });
    expect((await getDecisionInputs(h.db, stub.run.runId))!.settings.countryAdSets).toBeUndefined();
  });

  it('a LIVE run weighs an edit of an ad set with a lifetime budget as one ad set\'s: LIVE apply does not split it', async () => {
    const lifetime = fake.adSetsOf(campaignId).find((a) => a.status === 'ACTIVE' && a.daily_budget !== undefined && !/\[geo /.test(a.name ?? ''))!.id;
    fake.setLifetimeBudget(lifetime, 300_000);
    await metaSync(h.ctx);
    h.setNow(new Date(h.ctx.clock.now().getTime() + 3_600_001).toISOString());
    const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
    outputs.push(run);
    expect((await getDecisionInputs(h.db, run.run.runId))!.settings.countryAdSets).toMatchObject({ minDailyBudgetMinor: h.ctx.config.meta.splitMinDailyBudgetMinor, unsplitAdSets: [lifetime] });
    // Its interests in force (an earlier apply put them there) are weighed against an edit as one ad set's.
    const lines = run.recommendations.find((r) => r.adset_id === lifetime)!.reasoning.trace.filter((t) => t.step === 'segments.edit');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.numbers.country_ad_sets).toBeUndefined();
  });

  it('the token appears in no answer, log line, stored row or request other than its header', async () => {
    const rows = await h.db.query<{ t: string }>('select row_to_json(h)::text as t from targeting_history h union all select row_to_json(a)::text from audit_log a union all select row_to_json(s)::text from meta_adset_splits s');
    const everything = [JSON.stringify(outputs), ...h.logs, ...rows.map((r) => r.t), ...fake.requests.map((r) => `${r.path}?${r.query} ${r.body}`)].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(TOKEN);
    expect(fake.requests.some((r) => r.tokenInQuery)).toBe(false);
  });
});

describe(`LIVE apply under the guardrails, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let h: Harness;
  let campaignId: string;
  let adsetId: string;
  const ledger = (outcome: string) => h.db.query<{ adset_id: string; rule: string | null; mode: string; budget_change: boolean }>('select adset_id, rule, mode, budget_change from apply_guardrail_events where outcome = $1 order by id', [outcome]);
  const historyCount = async () => (await h.db.query<{ n: number }>('select count(*)::int as n from targeting_history'))[0]!.n;
  /** A recommendation for the ad set from a run with this campaign budget: each budget is a different ad set budget. */
  const recFor = async (budget: number) => (await runOptimization(h.ctx, { campaignId, budget: String(budget), mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
  const apply = (rec: Recommendation, dryRun = false) => applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun });

  beforeAll(async () => {
    // One ad set per recommendation (no geo split: every country pools, Spain too without a floor), so each apply changes one ad set's budget.
    // The per-apply limit is raised: this is about the hourly count, and the budgets below move more than 20 %.
    ({ fake, h, campaignId, adsetId } = await openAccount({ META_SPLIT_MIN_DAILY_BUDGET_MINOR: '100000000', TARGETING_SPAIN_MIN_PCT: '0', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' }));
  });
  afterAll(() => closeAccount(fake, h));

  it('the fifth budget change of an ad set within an hour is refused by the guardrail before any write reaches Meta, and recorded', async () => {
    for (const budget of [300, 330, 360, 390]) {
      const done = await apply(await recFor(budget));
      expect(done).toMatchObject({ success: true, state: 'applied' });
      expect(done.guardrails).toMatchObject({ allowed: true, current_budget_source: 'meta_read' });
      expect(done.adsets).toHaveLength(1);
    }
    expect((await ledger('passed')).filter((e) => e.adset_id === adsetId && e.mode === 'live' && e.budget_change)).toHaveLength(4);
    const fifth = await recFor(420);
    // A dry run reports every rule's verdict (the hourly one refusing) and records nothing.
    const dry = await apply(fifth, true);
    expect(dry.guardrails).toMatchObject({ allowed: false, blocked_by: 'hourly_budget_changes' });
    expect(dry.guardrails!.checks.map((c) => c.rule)).toEqual(['apply_disabled', 'approval_required', 'min_confidence', 'max_budget_change', 'hourly_budget_changes', 'daily_budget_moved']);
    expect(await ledger('blocked')).toEqual([]);
    const history = await historyCount();
    const before = fake.requests.length;
    const adsetBefore = JSON.stringify(fake.adSet(adsetId));
    const error = await apply(fifth).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailBlockedError);
    expect((error as GuardrailBlockedError).rule).toBe('hourly_budget_changes');
    // The apply read the ad set to plan; no write, not even a validate_only one, reached the fake.
    const sent = fake.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.kind !== 'read')).toEqual([]);
    expect(JSON.stringify(fake.adSet(adsetId))).toBe(adsetBefore);
    expect(await historyCount()).toBe(history);
    expect(await ledger('blocked')).toEqual([{ adset_id: adsetId, rule: 'hourly_budget_changes', mode: 'live', budget_change: true }]);
    // An hour later the same change passes.
    h.setNow(new Date(h.ctx.clock.now().getTime() + 3_600_001).toISOString());
    const passed = await apply(fifth);
    expect(passed).toMatchObject({ success: true, state: 'applied' });
    fifthHistoryId = passed.history_id!;
  });

  it('the kill switch refuses a LIVE apply unless META_TARGETING_APPLY_ENABLED is true: recorded, nothing sent', async () => {
    const off = await harness(fake, h.ctx.config.meta.graphUrl, { META_TARGETING_APPLY_ENABLED: '' });
    try {
      await metaSync(off.ctx);
      const rec = (await runOptimization(off.ctx, { campaignId, budget: '450', mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
      const before = fake.requests.length;
      const error = await applyRecommendation(off.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false }).then(() => null, (e: unknown) => e);
      expect((error as GuardrailBlockedError).rule).toBe('apply_disabled');
      expect(fake.requests.slice(before).filter((r) => r.kind !== 'read')).toEqual([]);
      const blocked = await off.db.query<{ rule: string; mode: string }>(`select rule, mode from apply_guardrail_events where outcome = 'blocked'`);
      expect(blocked).toEqual([{ rule: 'apply_disabled', mode: 'live' }]);
      expect((await off.db.query<{ n: number }>('select count(*)::int as n from targeting_history'))[0]!.n).toBe(0);
    } finally {
      await off.close();
    }
  });

  let fifthHistoryId: number;
  it('a change Meta refuses withdraws its guardrail pass: it no longer counts against the hour', async () => {
    const rec = await recFor(480);
    fake.inject({ kind: 'invalid-parameter', on: 'write', path: adsetId });
    const failed = await apply(rec);
    expect(failed).toMatchObject({ success: false, state: 'failed' });
    expect(await ledger('withdrawn')).toEqual([{ adset_id: adsetId, rule: null, mode: 'live', budget_change: true }]);
  });

  it('a rollback works with LIVE applies switched off, and its budget change is recorded against the hour', async () => {
    const off = { ...h.ctx, config: { ...h.ctx.config, guardrails: { ...h.ctx.config.guardrails, applyEnabled: { stub: true, live: false } } } };
    const rec = await recFor(510);
    expect((await applyRecommendation(off, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false }).then(() => null, (e: unknown) => e) as GuardrailBlockedError).rule).toBe('apply_disabled');
    const passesBefore = (await ledger('passed')).length;
    // The change in force: the last one applied.
    const inForce = (await h.db.query<{ id: number }>(`select max(id)::int as id from targeting_history where state = 'applied' and mode = 'live'`))[0]!.id;
    expect(inForce).toBeGreaterThanOrEqual(fifthHistoryId);
    const back = await rollbackChange(off, { historyId: inForce, dryRun: false });
    expect(back.success).toBe(true);
    expect((await ledger('passed')).slice(passesBefore)).toEqual([{ adset_id: adsetId, rule: null, mode: 'live', budget_change: true }]);
  });
});

describe(`Lookalikes in a LIVE apply, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  // An account of its own: the applies of the other tests would have made (and populated) the
  // lookalikes this one expects to be new.
  let fake: FakeGraphApi;
  let h: Harness;
  let campaignId: string;
  let adsetId: string;
  const recFor = async (budget: number) => (await runOptimization(h.ctx, { campaignId, budget: String(budget), mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
  const apply = (rec: Recommendation, dryRun = false) => applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun });

  beforeAll(async () => {
    ({ fake, h, campaignId, adsetId } = await openAccount({ META_SPLIT_MIN_DAILY_BUDGET_MINOR: '100000000' }));
  });
  afterAll(() => closeAccount(fake, h));

  it('lookalikes: a dry run says which it would make and makes none; a confirmed apply makes them and, while they populate, goes ahead without them', async () => {
    const rec = await recFor(540);
    expect(rec.lookalikes.length).toBeGreaterThan(0);
    const before = fake.lookalikes.created.length;
    const dry = await apply(rec, true);
    expect(dry.lookalikes!.included).toBe(false);
    expect(dry.lookalikes!.audiences.map((a) => [a.action, a.state, a.audience_id])).toEqual(rec.lookalikes.map(() => ['create', 'planned', null]));
    expect(dry.lookalikes!.message).toMatch(/would be created.*The apply goes ahead without them/);
    expect(fake.lookalikes.created.length).toBe(before);
    const done = await apply(rec);
    expect(done).toMatchObject({ success: true, state: 'applied', lookalikes: { included: false } });
    expect(done.lookalikes!.audiences.map((a) => [a.action, a.state])).toEqual(rec.lookalikes.map(() => ['created', 'populating']));
    expect(fake.lookalikes.created.length).toBe(before + rec.lookalikes.length);
    const made = new Set(done.lookalikes!.audiences.map((a) => a.audience_id!));
    const sent = (fake.adSet(adsetId)!.targeting!.custom_audiences ?? []).map((a) => String(a.id));
    expect(sent.filter((id) => made.has(id))).toEqual([]);
  });

});

describe(`A LIVE rollback at Meta's hourly limit, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let h: Harness;
  let campaignId: string;
  let adsetId: string;

  beforeAll(async () => {
    // One ad set per recommendation (no geo split: Spain without a floor pools too), each apply a budget change of that ad set.
    ({ fake, h, campaignId, adsetId } = await openAccount({ META_SPLIT_MIN_DAILY_BUDGET_MINOR: '100000000', TARGETING_SPAIN_MIN_PCT: '0' }));
  });
  afterAll(() => closeAccount(fake, h));

  it('the rollback that would be the fifth budget change of the ad set within the hour is refused (409, CLI exit 4); nothing reaches Meta', async () => {
    let last: ApplyResult | null = null;
    for (const budget of [300, 330, 360, 390]) {
      const rec = (await runOptimization(h.ctx, { campaignId, budget: String(budget), mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
      last = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(last).toMatchObject({ success: true, state: 'applied', adsets: [{ adset_id: adsetId }] });
    }
    const passes = await h.db.query<{ n: number }>(`select count(*)::int as n from apply_guardrail_events where outcome = 'passed' and adset_id = $1 and budget_change`, [adsetId]);
    expect(passes[0]!.n).toBe(4);
    const historyBefore = (await h.db.query<{ n: number }>('select count(*)::int as n from targeting_history'))[0]!.n;
    const adsetBefore = JSON.stringify(fake.adSet(adsetId));
    const before = fake.requests.length;

    const error = await rollbackChange(h.ctx, { historyId: last!.history_id!, mode: 'live', dryRun: false }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailBlockedError);
    expect(error).toMatchObject({ rule: 'hourly_budget_changes', kind: 'state' });
    expect((error as Error).message).toMatch(/^guardrail hourly_budget_changes: 4 budget change\(s\) of this ad set in the last hour; another would exceed the limit of 4 an hour/);

    const overrides = { db: h.db, clock: h.ctx.clock, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async () => {}, random: () => 0.5 } };
    const env = { META_GRAPH_URL: h.ctx.config.meta.graphUrl, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, ...LIVE_APPLY_ENV, META_SPLIT_MIN_DAILY_BUDGET_MINOR: '100000000' };
    const cli = await runCli(['rollback', String(last!.history_id), '--mode', 'live', '--yes'], overrides, env);
    expect(cli.code).toBe(4);
    expect(cli.stderr).toMatch(/guardrail hourly_budget_changes: .*Meta refuses a fifth with code 17/);

    const app = await buildApp(h.ctx, { keys: testKeys() });
    try {
      const admin = auth(await token('admin', { sub: 'ada', expiresIn: 7 * 86_400 }));
      const api = await app.inject({ method: 'POST', url: `/meta/targeting/rollback/${last!.history_id}`, headers: admin, payload: { mode: 'live', dry_run: false } });
      expect(api.statusCode).toBe(409);
      expect(api.json()).toMatchObject({ error: { code: 'conflict', rule: 'hourly_budget_changes' } });
    } finally {
      await app.close();
    }

    // Read to plan, never written to: no update and no validate_only call reached the fake.
    const sent = fake.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.kind !== 'read')).toEqual([]);
    expect(JSON.stringify(fake.adSet(adsetId))).toBe(adsetBefore);
    expect((await h.db.query<{ n: number }>('select count(*)::int as n from targeting_history'))[0]!.n).toBe(historyBefore);
    const blocked = await h.db.query<{ rule: string; adset_id: string }>(`select rule, adset_id from apply_guardrail_events where outcome = 'blocked'`);
    expect(blocked).toEqual([0, 1, 2].map(() => ({ rule: 'hourly_budget_changes', adset_id: adsetId })));
    // An hour later it goes through.
    h.setNow(new Date(h.ctx.clock.now().getTime() + 3_600_001).toISOString());
    expect(await rollbackChange(h.ctx, { historyId: last!.history_id!, mode: 'live', dryRun: false })).toMatchObject({ success: true });
  });
});

describe(`Days read again after the optimizer changed the interests, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a day before the change is credited to the interests it replaced, a day after to the new ones', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const interestsOf = (t: { flexible_spec?: { interests?: { id: string }[] }[] } | undefined) => (t?.flexible_spec ?? []).flatMap((f) => (f.interests ?? []).map((i) => i.id)).sort();
      const old = interestsOf(fake.adSet(adsetId)!.targeting as never);
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      const now = interestsOf(fake.adSet(adsetId)!.targeting as never);
      expect(now).not.toEqual(old);
      // The next morning's sync reads the last week again, the days before the change among them.
      await deliverAndSync(fake, h, campaignId, 1);
      const credited = async (date: string) => (await h.db.query<{ segment_id: string }>("select segment_id from insights where adset_id = $1 and date = $2::date and segment_type = 'interest' order by segment_id", [adsetId, date])).map((r) => r.segment_id);
      expect(await credited(END)).toEqual(old);
      expect(await credited(addDays(END, 1))).toEqual(now);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`Days read again after the interests were changed in Ads Manager, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a day before the last sync that saw the old interests is credited to them, the days the change may have fallen on to no segment, the days after to the new ones', async () => {
    let metaNow = new Date('2026-11-20T08:00:00Z');
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 40, pageSize: 200, now: () => metaNow });
    const h = await harness(fake, await fake.listen(), {});
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const adsetId = fake.adSetsOf(campaignId)[0]!.id;
      const credited = async (date: string) => (await h.db.query<{ segment_id: string }>("select segment_id from insights where adset_id = $1 and date = $2::date and segment_type = 'interest' order by segment_id", [adsetId, date])).map((r) => r.segment_id);
      const countryRows = async (date: string) => Number((await h.db.query<{ n: number }>("select count(*)::int as n from insights where adset_id = $1 and date = $2::date and segment_type = '' and country <> ''", [adsetId, date]))[0]!.n);
      await metaSync(h.ctx); // 2026-11-20 08:00: reads up to END (11-19), sees the old interests.
      const old = await credited(END);
      expect(old.length).toBeGreaterThan(0);
      // Three more days; the advertiser changes the interests in Ads Manager on the second (11-21 15:00).
      fake.advanceDays(1);
      metaNow = new Date('2026-11-21T15:00:00Z');
      fake.setInterests(adsetId, [{ id: '6003000000001', name: 'Trail running' }, { id: '6003000000002', name: 'Climbing' }]);
      fake.advanceDays(2);
      // No sync in between: the next one, on 11-23, reads the look-back again and sees the new interests.
      h.setNow('2026-11-23T08:00:00Z');
      await metaSync(h.ctx, { campaignId });
      // Before 11-20 (the day of the last sync that saw the old ones): the old interests, as first read.
      expect(await credited(addDays(END, -1))).toEqual(old);
      // 11-20 and 11-21 (the change was after that sync and no later than the updated_time, 11-21): either could have been either.
      expect(await credited(END)).toEqual(old);
      expect(await credited('2026-11-20')).toEqual([]);
      expect(await credited('2026-11-21')).toEqual(['6003000000001', '6003000000002']);
      expect(await credited('2026-11-22')).toEqual(['6003000000001', '6003000000002']);
      for (const date of ['2026-11-20', '2026-11-21', '2026-11-22']) expect(await countryRows(date), date).toBeGreaterThan(0);
      // The sights are kept: the old one, and the new one first seen now with Meta's updated_time.
      const sights = await h.db.query<{ segments_key: string; first_seen_at: Date; last_seen_at: Date; updated_at: Date | null }>('select segments_key, first_seen_at, last_seen_at, updated_at from meta_adset_targetings_seen where adset_id = $1 order by first_seen_at', [adsetId]);
      const at = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
      expect(sights.map((r) => [at(r.first_seen_at), at(r.last_seen_at)])).toEqual([['2026-11-20T08:00:00.000Z', '2026-11-20T08:00:00.000Z'], ['2026-11-23T08:00:00.000Z', '2026-11-23T08:00:00.000Z']]);
      expect(at(sights[1]!.updated_at)).toBe('2026-11-21T15:00:00.000Z');
      for (const id of old) expect(sights[0]!.segments_key.split(',')).toContain(`interest:${id}`);
      expect(sights[1]!.segments_key.split(',').filter((k) => k.startsWith('interest:'))).toEqual(['interest:6003000000001', 'interest:6003000000002']);
    } finally {
      await closeAccount(fake, h);
    }
  });
});
