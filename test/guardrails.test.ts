// The apply guardrails end to end (STUB mode, where they hold as in LIVE): each rule refuses and
// names itself through the service, the API and the CLI; a refusal is recorded and changes
// nothing else; a dry run only reports; the hourly limit holds under racing applies; the
// approval step applies through the same path.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GuardrailConfig } from '../src/config.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { GuardrailBlockedError } from '../src/services/apply-guardrails.ts';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { type ApiHarness, auth, NOW, openApi, token } from './api/helpers.ts';
import { usingPostgres } from './helpers/db.ts';
import { runCli } from './helpers/cli.ts';

const CAMPAIGN = '777000111';
const CLI = { id: 'cli:tester', role: null, channel: 'cli' as const };

describe(`apply guardrails on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let defaults: GuardrailConfig;
  const count = async (table: string, where = 'true') => (await h.ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0]!.n;
  // The apply records nothing when a targeting is already in force, so every run chooses one
  // interest fewer than the one before: each run's targeting differs from every earlier one.
  let interests = 16;
  const run = async (budget: string) => {
    h.ctx.config.engine.maxInterests = --interests;
    return (await runOptimization({ ...h.ctx, actor: CLI }, { campaignId: CAMPAIGN, budget, mode: 'stub', forceRefresh: true })).recommendations;
  };
  const applyAs = (rec: Recommendation, extra: { dryRun?: boolean; force?: boolean } = {}) => applyRecommendation({ ...h.ctx, actor: CLI }, { recommendationId: rec.recommendation_id, mode: 'stub', dryRun: extra.dryRun ?? false, force: extra.force ?? false });
  const blockedRule = async (p: Promise<unknown>) => {
    const error = await p.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailBlockedError);
    return (error as GuardrailBlockedError).rule;
  };
  const post = async (rec: Recommendation, role: string, body: object = {}) =>
    h.app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await token(role)), payload: { recommendation_id: rec.recommendation_id, dry_run: false, ...body } });

  beforeAll(async () => {
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '10000' });
    await generateStubHistory(h.ctx, { campaigns: 1, days: 30, seed: 5, campaignIds: [CAMPAIGN] });
    defaults = structuredClone(h.ctx.config.guardrails);
  });
  beforeEach(() => {
    h.ctx.config.guardrails = structuredClone(defaults);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the fifth budget change of an ad set within an hour is refused before anything is sent or recorded; an hour later it passes', async () => {
    h.ctx.setNow('2026-11-20T05:00:00Z');
    // Each run 4 % above the one before: every change stays within ±20 %, so only the hourly limit can refuse.
    const budgets = ['100', '104', '108', '112', '116'];
    const recs: Recommendation[] = [];
    for (const b of budgets) recs.push((await run(b))[0]!);
    const adset = recs[0]!.adset_id;
    expect(new Set(recs.map((r) => r.adset_id))).toEqual(new Set([adset]));
    for (const rec of recs.slice(0, 4)) {
      const result = await applyAs(rec);
      expect(result.guardrails).toMatchObject({ allowed: true });
      expect(result.history_id).not.toBeNull();
    }
    const historyBefore = await count('targeting_history');
    expect(await blockedRule(applyAs(recs[4]!))).toBe('hourly_budget_changes');
    expect(await count('targeting_history')).toBe(historyBefore);
    const ledger = await h.ctx.db.query<{ outcome: string; rule: string | null }>(`select outcome, rule from apply_guardrail_events where adset_id = $1 order by id`, [adset]);
    expect(ledger).toEqual([...Array(4).fill({ outcome: 'passed', rule: null }), { outcome: 'blocked', rule: 'hourly_budget_changes' }]);
    h.ctx.setNow('2026-11-20T06:00:01Z');
    expect((await applyAs(recs[4]!)).guardrails).toMatchObject({ allowed: true, current_budget_source: 'last_applied' });
    h.ctx.setNow(NOW);
  });

  it('each rule refuses through the API, names itself in error.rule (409 for state, 422 for the recommendation itself), is recorded, and changes nothing else', async () => {
    const rec = (await run('150'))[1]!;
    expect(rec.confidence).toBeLessThan(1);
    // A LIVE sync's view of the ad set: its budget is half the recommended one.
    const proposedMinor = Number((await h.ctx.db.query<{ m: string }>('select total_budget_minor::text as m from recommendations where recommendation_id = $1', [rec.recommendation_id]))[0]!.m);
    const cases: { rule: string; status: number; set: Partial<GuardrailConfig>; role?: string; before?: () => Promise<void>; after?: () => Promise<void> }[] = [
      { rule: 'apply_disabled', status: 409, set: { applyEnabled: { stub: false, live: false } } },
      { rule: 'approval_required', status: 409, set: { approvalRequired: true }, role: 'manager' },
      { rule: 'min_confidence', status: 422, set: { minConfidence: 1 } },
      {
        rule: 'max_budget_change',
        status: 422,
        set: {},
        before: async () => {
          await h.ctx.db.query(`insert into meta_adsets (adset_id, campaign_id, daily_budget_minor, targeting, synced_at) values ($1, $2, $3, '{}'::jsonb, $4)`, [rec.adset_id, CAMPAIGN, Math.round(proposedMinor / 2), new Date(NOW)]);
        },
        after: async () => {
          await h.ctx.db.query('delete from meta_adsets where adset_id = $1', [rec.adset_id]);
        },
      },
      { rule: 'hourly_budget_changes', status: 409, set: { maxBudgetChangesPerHour: 0 } },
      { rule: 'daily_budget_moved', status: 409, set: { dailyBudgetMoveCap: '0.01' } },
    ];
    for (const c of cases) {
      h.ctx.config.guardrails = { ...structuredClone(defaults), ...c.set };
      await c.before?.();
      const before = { history: await count('targeting_history'), passed: await count('apply_guardrail_events', "outcome = 'passed'"), proposals: await count('apply_proposals') };
      const res = await post(rec, c.role ?? 'admin');
      expect(res.statusCode, c.rule).toBe(c.status);
      const body = res.json();
      expect(body.error).toMatchObject({ code: c.status === 409 ? 'conflict' : 'unprocessable', rule: c.rule, requestId: res.headers['x-request-id'] });
      expect(body.error.message).toMatch(new RegExp(`^guardrail ${c.rule}: `));
      expect({ history: await count('targeting_history'), passed: await count('apply_guardrail_events', "outcome = 'passed'"), proposals: await count('apply_proposals') }).toEqual(before);
      const last = (await h.ctx.db.query<{ outcome: string; rule: string; actor: string }>('select outcome, rule, actor from apply_guardrail_events order by id desc limit 1'))[0];
      expect(last).toEqual({ outcome: 'blocked', rule: c.rule, actor: `user-${c.role ?? 'admin'}` });
      const audited = await h.ctx.db.query<{ status_code: number }>('select status_code from audit_log where request_id = $1', [String(res.headers['x-request-id'])]);
      expect(audited).toEqual([{ status_code: c.status }]);
      await c.after?.();
    }
    const events = await h.app.inject({ method: 'GET', url: `/meta/targeting/guardrails/events?campaign_id=${CAMPAIGN}&outcome=blocked&limit=6`, headers: auth(await token('viewer')) });
    expect(events.json().map((e: { rule: string }) => e.rule).reverse()).toEqual(cases.map((c) => c.rule));
  });

  it('a dry run reports what the guardrails would say, and records nothing', async () => {
    const rec = (await run('100'))[1]!;
    h.ctx.config.guardrails.minConfidence = 1;
    const ledger = await count('apply_guardrail_events');
    const res = await post(rec, 'manager', { dry_run: true });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.guardrails).toMatchObject({ allowed: false, blocked_by: 'min_confidence', event_id: null });
    expect(body.guardrails.checks.map((c: { rule: string }) => c.rule)).toEqual(['apply_disabled', 'approval_required', 'min_confidence', 'max_budget_change', 'hourly_budget_changes', 'daily_budget_moved']);
    expect(body.message).toContain('the guardrails would refuse it: guardrail min_confidence');
    expect(await count('apply_guardrail_events')).toBe(ledger);
    expect(body.history_id).toBeNull();
  });

  it('applies racing for the last allowed budget change of an ad set: exactly one passes', async () => {
    const recs: Recommendation[] = [];
    for (const b of ['100', '102', '104', '106']) recs.push((await run(b))[1]!);
    expect(new Set(recs.map((r) => r.adset_id)).size).toBe(1);
    const adset = recs[0]!.adset_id;
    await h.ctx.db.query('delete from apply_guardrail_events where adset_id = $1', [adset]);
    h.ctx.config.guardrails.maxBudgetChangesPerHour = 2;
    await applyAs(recs[0]!, { force: true });
    // Open the pool's connections first: otherwise the apply that gets the idle one finishes while
    // the others are still connecting, and nothing races.
    await Promise.all(Array.from({ length: 4 }, () => h.ctx.db.query('select pg_sleep(0.05)')));
    // Three applies at once for the one change left this hour.
    const outcomes = await Promise.allSettled(recs.slice(1).map((r) => applyAs(r, { force: true })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toBeInstanceOf(GuardrailBlockedError);
      expect((o.reason as GuardrailBlockedError).rule).toBe('hourly_budget_changes');
    }
    expect(await count('apply_guardrail_events', `adset_id = '${adset}' and outcome = 'passed'`)).toBe(2);
  });

  it('applies of two ad sets racing for the rest of the daily cap: exactly one passes', async () => {
    const [a, b] = await run('108');
    const moved = async (rec: Recommendation) => {
      const g = (await applyAs(rec, { dryRun: true })).guardrails!;
      return Math.round(Math.abs(g.proposed_budget - g.current_budget!) * 100);
    };
    const movedA = await moved(a!);
    const movedB = await moved(b!);
    expect(Math.min(movedA, movedB)).toBeGreaterThan(0);
    const before = Number((await h.ctx.db.query<{ m: string }>(`select coalesce(sum(moved_minor), 0)::text as m from apply_guardrail_events where outcome = 'passed' and budget_change and currency = 'EUR' and recorded_at > $1`, [new Date(new Date(NOW).getTime() - 86_400_000)]))[0]!.m);
    // Room for the larger of the two changes, not for both.
    h.ctx.config.guardrails.dailyBudgetMoveCap = ((before + Math.max(movedA, movedB)) / 100).toFixed(2);
    await Promise.all(Array.from({ length: 4 }, () => h.ctx.db.query('select pg_sleep(0.05)')));
    const outcomes = await Promise.allSettled([applyAs(a!), applyAs(b!)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as GuardrailBlockedError).rule).toBe('daily_budget_moved');
  });

  it('the approval step: a manager proposes, an admin approves, and the approval applies under the guardrails of that moment', async () => {
    h.ctx.config.guardrails.approvalRequired = true;
    const [first, second] = await run('112');
    expect((await post(first!, 'manager')).json().error.rule).toBe('approval_required');
    const propose = async (rec: Recommendation) => (await h.app.inject({ method: 'POST', url: '/meta/targeting/proposals', headers: auth(await token('manager')), payload: { recommendation_id: rec.recommendation_id } })).json();
    const p1 = await propose(first!);
    expect(p1).toMatchObject({ created: true, proposal: { status: 'proposed', proposed_by: 'user-manager' } });
    expect((await propose(first!)).proposal.id).toBe(p1.proposal.id);
    const approve = async (id: number, role = 'admin') => h.app.inject({ method: 'POST', url: `/meta/targeting/proposals/${id}/approve`, headers: auth(await token(role)), payload: {} });
    expect((await approve(p1.proposal.id, 'manager')).statusCode).toBe(403);
    const approved = await approve(p1.proposal.id);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ proposal: { status: 'approved', decided_by: 'user-admin' }, apply: { success: true, guardrails: { allowed: true } } });
    expect(approved.json().proposal.history_id).toBe(approved.json().apply.history_id);
    expect((await approve(p1.proposal.id)).json()).toMatchObject({ apply: null, proposal: { status: 'approved' } });

    const p2 = await propose(second!);
    h.ctx.config.guardrails.minConfidence = 1;
    const refused = await approve(p2.proposal.id);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.rule).toBe('min_confidence');
    const still = await h.app.inject({ method: 'GET', url: '/meta/targeting/proposals?status=proposed', headers: auth(await token('viewer')) });
    expect(still.json().map((p: { id: number }) => p.id)).toContain(p2.proposal.id);
    const rejected = await h.app.inject({ method: 'POST', url: `/meta/targeting/proposals/${p2.proposal.id}/reject`, headers: auth(await token('admin')), payload: { note: 'confidence too low' } });
    expect(rejected.json()).toMatchObject({ proposal: { status: 'rejected', note: 'confidence too low' } });
    expect((await approve(p2.proposal.id)).statusCode).toBe(409);
  });

  it('the CLI exits with 4 naming the rule; the kill switch set to false stops STUB applies too', async () => {
    const rec = (await run('110'))[0]!;
    const overrides = { db: h.ctx.db, clock: { now: () => new Date(NOW) } };
    const history = await count('targeting_history');
    const refused = await runCli(['apply', rec.recommendation_id, '--yes'], overrides, { META_TARGETING_APPLY_ENABLED: 'false' });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^error: guardrail apply_disabled: applying is switched off \(META_TARGETING_APPLY_ENABLED=false\)/);
    expect(await count('targeting_history')).toBe(history);
    const audit = await h.ctx.db.query<{ summary: { outcome: string; rule: string } }>(`select body_summary as summary from audit_log where channel = 'cli' order by at desc, id desc limit 1`);
    expect(audit[0]!.summary).toMatchObject({ outcome: 'blocked', rule: 'apply_disabled' });
    const listed = await runCli(['guardrails', '--outcome', 'blocked', '--limit', '1'], overrides);
    expect(listed.stdout).toMatch(/ blocked \(apply_disabled\) {2}campaign 777000111 .* by cli:.*: guardrail apply_disabled: /);
    const dry = await runCli(['apply', rec.recommendation_id, '--dry-run'], overrides, { META_TARGETING_APPLY_ENABLED: 'false' });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('guardrail apply_disabled');
    expect((await runCli(['apply', rec.recommendation_id, '--yes'], overrides)).code).toBe(0);
  });

  it('a holdout experiment applies its treatment ad sets under the same guardrails: the approval step and the kill switch refuse it, and nothing starts', async () => {
    // A campaign of its own: the ad sets of CAMPAIGN may have used up their budget changes of the
    // hour in the tests before (how many depends on which apply wins the race test).
    const campaign = '777000222';
    await generateStubHistory(h.ctx, { campaigns: 1, days: 30, seed: 6, campaignIds: [campaign] });
    const recs = (await runOptimization({ ...h.ctx, actor: CLI }, { campaignId: campaign, budget: null, mode: 'stub' })).recommendations;
    expect(recs.length).toBeGreaterThan(1);
    const start = async (role: string) => h.app.inject({ method: 'POST', url: '/meta/targeting/experiments', headers: auth(await token(role)), payload: { campaign_id: campaign, holdout_share: 0 } });
    const state = async () => ({ experiments: await count('experiments'), history: await count('targeting_history'), passed: await count('apply_guardrail_events', "outcome = 'passed'") });
    const before = await state();
    h.ctx.config.guardrails.approvalRequired = true;
    const unapproved = await start('manager');
    expect(unapproved.statusCode).toBe(409);
    expect(unapproved.json().error).toMatchObject({ code: 'conflict', rule: 'approval_required' });
    h.ctx.config.guardrails = { ...structuredClone(defaults), applyEnabled: { stub: false, live: false } };
    expect((await start('admin')).json().error).toMatchObject({ code: 'conflict', rule: 'apply_disabled' });
    expect(await state()).toEqual(before);
    const blocked = await h.ctx.db.query<{ rule: string; actor: string }>(`select rule, actor from apply_guardrail_events where outcome = 'blocked' order by id desc limit 2`);
    expect(blocked).toEqual([{ rule: 'apply_disabled', actor: 'user-admin' }, { rule: 'approval_required', actor: 'user-manager' }]);
    // An admin's start counts as approved: each treatment ad set's change passes and is in the ledger.
    h.ctx.config.guardrails = { ...structuredClone(defaults), approvalRequired: true };
    const started = await start('admin');
    expect(started.statusCode).toBe(200);
    // A treatment ad set already holding its recommendation changes nothing, so has nothing to judge (as an apply).
    const changed = await count('targeting_history', `experiment_id = '${started.json().experiment_id}' and new_targeting is distinct from old_targeting`);
    expect(changed).toBeGreaterThan(0);
    expect(await state()).toEqual({ experiments: before.experiments + 1, history: before.history + recs.length, passed: before.passed + changed });
  });
});
