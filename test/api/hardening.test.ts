// What a careless user or an attacker tried against a store about to hold real accounts: a typo in
// a campaign id, twenty simultaneous applies, an outdated recommendation, an audit row that could
// go missing, and an audit log without end. Each probe, and what it must (not) change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import type { AppContext } from '../../src/context.ts';
import { pruneAuditLog } from '../../src/services/audit.ts';
import { applyRecommendation } from '../../src/services/apply-recommendation.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { importInsightsFile } from '../../src/services/import-insights.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { tickJob } from '../../src/jobs/tick.ts';
import { insertAuditEntry, listAuditEntries } from '../../src/store/audit.ts';
import type { Db } from '../../src/store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { failingOn, usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, openApi, testKeys, token } from './helpers.ts';

const CAMPAIGN = '880001';
// These tests move the clock by hours: tokens that outlive them.
const tok = (role: string, sub?: string) => token(role, { expiresIn: 86_400, ...(sub === undefined ? {} : { sub }) });

/** The database, except that any statement matching `pattern` fails: to prove what shares a transaction. */
describe(`hardening on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  const count = async (table: string, where = 'true') => (await h.ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0]!.n;
  const post = (url: string, payload: object, t: string) => h.app.inject({ method: 'POST', url, headers: auth(t), payload });

  beforeAll(async () => {
    // Who applies and how often, not how much: runs of very different budgets are applied here, so
    // the budget-change limit is opened (the guardrails have their own tests).
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '10000', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' });
    await generateStubHistory(h.ctx, { campaigns: 1, days: 30, seed: 21, campaignIds: [CAMPAIGN] });
  });
  afterAll(async () => {
    await h.close();
  });

  describe('unknown campaigns and synthetic data', () => {
    it('POST /run for a campaign without history is a 404 naming it, and writes nothing', async () => {
      const before = { insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') };
      const res = await post('/meta/targeting/run', { campaign_id: '999' }, await tok('manager'));
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toMatch(/campaign "999" has no stored history.*generate_stub/);
      expect({ insights: await count('insights'), campaigns: await count('campaigns'), runs: await count('runs') }).toEqual(before);
    });

    it('generate_stub: true asks for a synthetic market explicitly; without a campaign_id it is a 400', async () => {
      const res = await post('/meta/targeting/run', { campaign_id: 'demo-1', generate_stub: true }, await tok('manager'));
      expect(res.statusCode).toBe(200);
      expect(await count('insights', "campaign_id = 'demo-1' and source = 'stub'")).toBeGreaterThan(0);
      const bad = await post('/meta/targeting/run', { generate_stub: true }, await tok('manager'));
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain('body.generate_stub');
    });

    it('CLI run of an unknown campaign exits 2 naming it; --generate-stub on a store with imported data exits 2 (409 over HTTP)', async () => {
      const real = await openApi();
      try {
        await importInsightsFile(real.ctx, 'test/fixtures/insights-valid.csv');
        const overrides = { db: real.ctx.db, clock: real.ctx.clock, logger: real.ctx.logger };
        const unknown = await runCli(['run', '--campaign', '999', '--budget', '100'], overrides);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/campaign "999" has no stored history/);
        const mixed = await runCli(['run', '--campaign', '999', '--budget', '100', '--generate-stub'], overrides);
        expect(mixed.code).toBe(2);
        expect(mixed.stderr).toMatch(/holds real data \(sources: csv\)/);
        const stub = await runCli(['stub', 'generate', '--campaigns', '1', '--days', '3'], overrides);
        expect(stub.code).toBe(2);
        const api = await real.app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(await tok('admin')), payload: { campaign_id: '999', generate_stub: true } });
        expect(api.statusCode).toBe(409);
        expect(api.json().error.code).toBe('conflict');
        expect((await real.ctx.db.query<{ n: number }>("select count(*)::int as n from insights where source = 'stub'"))[0]!.n).toBe(0);
        expect((await real.ctx.db.query<{ n: number }>('select count(*)::int as n from runs'))[0]!.n).toBe(0);
      } finally {
        await real.close();
      }
    });
  });

  describe('applies: current, idempotent, serialised, attributed', () => {
    let recId: string;
    let adsetId: string | null;

    beforeAll(async () => {
      const first = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub' });
      recId = first.recommendations[0]!.recommendation_id;
      adsetId = first.recommendations[0]!.adset_id;
    });

    it('20 concurrent applies of one recommendation make one change; the other 19 say it is already in force and record nothing', async () => {
      const t = await tok('manager', 'mia');
      const responses = await Promise.all(Array.from({ length: 20 }, () => post(`/meta/targeting/apply/${recId}`, { recommendation_id: recId, dry_run: false }, t)));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      const bodies = responses.map((r) => r.json());
      expect(bodies.filter((b) => !b.already_in_force)).toHaveLength(1);
      const applied = bodies.find((b) => !b.already_in_force);
      for (const b of bodies.filter((x) => x.already_in_force)) {
        expect(b.message).toMatch(/^Already in force/);
        expect(b.history_id).toBe(applied.history_id);
      }
      const rows = await h.ctx.db.query<{ id: number; actor: string }>('select id::float8 as id, actor from targeting_history where recommendation_id = $1', [recId]);
      expect(rows).toEqual([{ id: applied.history_id, actor: 'mia' }]);
      // Every request is audited once, in the same transaction as what it did.
      const audit = (await listAuditEntries(h.ctx.db, 500)).filter((a) => a.bodySummary.recommendation_id === recId && a.channel === 'api');
      expect(audit).toHaveLength(20);
      expect(audit.filter((a) => a.bodySummary.outcome === 'applied')).toHaveLength(1);
      expect(audit.filter((a) => a.bodySummary.outcome === 'already_in_force')).toHaveLength(19);
      expect(audit.every((a) => a.subject === 'mia' && a.statusCode === 200)).toBe(true);
    });

    it('a recommendation superseded by a newer run is refused (409 naming the newer one); only an admin may force it', async () => {
      h.ctx.setNow('2026-11-20T09:00:00Z');
      const newer = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', forceRefresh: true });
      const newerRec = newer.recommendations.find((r) => r.adset_id === adsetId)!;
      const historyBefore = await count('targeting_history');
      const refused = await post(`/meta/targeting/apply/${recId}`, { recommendation_id: recId, dry_run: false }, await tok('admin'));
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('conflict');
      expect(refused.json().error.message).toContain(newerRec.recommendation_id);
      expect(refused.json().error.message).toContain(newer.run.runId);
      const managerForce = await post(`/meta/targeting/apply/${recId}`, { recommendation_id: recId, force: true, dry_run: false }, await tok('manager'));
      expect(managerForce.statusCode).toBe(403);
      expect(managerForce.json().error.message).toContain('body.force');
      expect(await count('targeting_history')).toBe(historyBefore);

      // The newest applies normally (or is already in force, when the engine chose the same targeting again).
      const current = await post(`/meta/targeting/apply/${newerRec.recommendation_id}`, { recommendation_id: newerRec.recommendation_id, dry_run: false }, await tok('manager'));
      expect(current.statusCode).toBe(200);
      // Forced by an admin: applied, or already in force when the targeting is the same.
      const forced = await post(`/meta/targeting/apply/${recId}`, { recommendation_id: recId, force: true, dry_run: false }, await tok('admin', 'root-ada'));
      expect(forced.statusCode).toBe(200);
      const audit = (await listAuditEntries(h.ctx.db, 5))[0]!;
      expect(audit).toMatchObject({ subject: 'root-ada', role: 'admin', requestId: forced.headers['x-request-id'], bodySummary: { force: true, forced: true } });
    });

    it('a failed audit write rolls the change back: the audit row is in the change\'s transaction', async () => {
      h.ctx.setNow('2026-11-20T10:00:00Z');
      const rec = (await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: '123', mode: 'stub', forceRefresh: true })).recommendations.at(-1)!;
      const failing: AppContext = { ...h.ctx, db: failingOn(h.ctx.db, /insert into audit_log/) };
      const app = await buildApp(failing, { keys: testKeys() });
      try {
        const before = { history: await count('targeting_history'), runs: await count('runs', "status = 'completed'"), audit: await count('audit_log') };
        const apply = await app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await tok('admin')), payload: { recommendation_id: rec.recommendation_id, dry_run: false } });
        expect(apply.statusCode).toBe(500);
        const run = await app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(await tok('admin')), payload: { campaign_id: CAMPAIGN, force_refresh: true } });
        expect(run.statusCode).toBe(500);
        expect({ history: await count('targeting_history'), runs: await count('runs', "status = 'completed'"), audit: await count('audit_log') }).toEqual(before);
      } finally {
        await app.close();
      }
    });

    it('a change that fails after its audit row was written leaves a row for the failure, not for the rolled-back success', async () => {
      h.ctx.setNow('2026-11-20T11:00:00Z');
      const rec = (await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: '124', mode: 'stub', forceRefresh: true })).recommendations.at(-1)!;
      // The apply writes its history row and its audit row, then the transaction fails at commit time
      // (here: the statement after the audit row, which the wrapper makes fail).
      let auditWritten = false;
      const base = h.ctx.db;
      const wrap = (inner: Db): Db => ({
        kind: inner.kind,
        close: () => inner.close(),
        query: async <T,>(sql: string, params?: Parameters<Db['query']>[1]) => {
          const rows = await inner.query<T>(sql, params);
          // The service's row (its body summary carries the outcome), not the API's own.
          if (/insert into audit_log/.test(sql) && String(params?.[8]).includes('"outcome"')) auditWritten = true;
          return rows;
        },
        transaction: (work) => inner.transaction(async (tx) => {
          const result = await work(wrap(tx));
          if (auditWritten) throw new Error('injected failure at commit');
          return result;
        }),
      });
      const app = await buildApp({ ...h.ctx, db: wrap(base) }, { keys: testKeys() });
      try {
        const before = await count('targeting_history');
        const res = await app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await tok('admin', 'fails-late')), payload: { recommendation_id: rec.recommendation_id, dry_run: false } });
        expect(auditWritten).toBe(true);
        expect(res.statusCode).toBe(500);
        expect(await count('targeting_history')).toBe(before);
        const rows = (await listAuditEntries(h.ctx.db, 500)).filter((a) => a.requestId === res.headers['x-request-id']);
        expect(rows.map((a) => [a.subject, a.statusCode, a.bodySummary.outcome ?? null])).toEqual([['fails-late', 500, null]]);
      } finally {
        await app.close();
      }
    });

    it('the CLI records its actor (cli:<os user>) on runs and changes, with an audit row in the same transaction', async () => {
      const direct = await applyRecommendation({ ...h.ctx, actor: { id: 'cli:tester', role: null, channel: 'cli' } }, { recommendationId: (await runOptimization({ ...h.ctx, actor: { id: 'cli:tester', role: null, channel: 'cli' } }, { campaignId: CAMPAIGN, budget: '77', mode: 'stub', forceRefresh: true })).recommendations[0]!.recommendation_id, mode: 'stub', dryRun: false });
      const runActor = await h.ctx.db.query<{ actor: string }>("select actor from runs where total_budget_minor = 7700 order by started_at desc limit 1");
      expect(runActor[0]!.actor).toBe('cli:tester');
      const audit = await listAuditEntries(h.ctx.db, 3);
      expect(audit.map((a) => [a.channel, a.subject, a.route, a.bodySummary.outcome])).toContainEqual(['cli', 'cli:tester', 'apply', direct.already_in_force ? 'already_in_force' : 'applied']);
      expect(audit.map((a) => [a.channel, a.subject, a.route])).toContainEqual(['cli', 'cli:tester', 'run']);
    });
  });

  describe('audit retention (AUDIT_LOG_RETENTION_DAYS)', () => {
    const entry = (at: string, requestId: string) => ({ at: new Date(at), requestId, subject: 'old', role: 'admin', channel: 'api' as const, method: 'POST', route: '/x', params: {}, bodySummary: {}, statusCode: 200 });

    it('deletes rows older than the setting (scheduler tick and the service), keeps the rest; 0 keeps everything', async () => {
      const ctx = await openApi({ AUDIT_LOG_RETENTION_DAYS: '30' });
      try {
        await insertAuditEntry(ctx.ctx.db, entry('2026-09-01T00:00:00Z', 'ancient'));
        await insertAuditEntry(ctx.ctx.db, entry('2026-10-20T07:00:00Z', 'just-over'));
        await insertAuditEntry(ctx.ctx.db, entry('2026-10-21T09:00:00Z', 'recent'));
        const report = await tickJob(ctx.ctx, async () => true);
        expect(report.auditRowsPruned).toBe(2);
        expect((await listAuditEntries(ctx.ctx.db, 10)).map((a) => a.requestId)).toEqual(['recent']);

        const forever = { ...ctx.ctx, config: { ...ctx.ctx.config, auditRetentionDays: 0 } };
        await insertAuditEntry(ctx.ctx.db, entry('2000-01-01T00:00:00Z', 'very-old'));
        expect(await pruneAuditLog(forever)).toBe(0);
        expect(await pruneAuditLog(ctx.ctx)).toBe(1);
      } finally {
        await ctx.close();
      }
    });

    it('a server without the scheduler prunes too, after an authenticated request, at most once an hour', async () => {
      const api = await openApi({ AUDIT_LOG_RETENTION_DAYS: '1' });
      try {
        await insertAuditEntry(api.ctx.db, entry('2026-11-10T00:00:00Z', 'old-1'));
        await api.app.inject({ method: 'GET', url: '/meta/targeting/history', headers: auth(await tok('viewer')) });
        // Pruning runs after the response: wait for it, bounded.
        for (let i = 0; i < 50 && (await listAuditEntries(api.ctx.db, 10)).some((a) => a.requestId === 'old-1'); i++) await new Promise((r) => setTimeout(r, 20));
        expect((await listAuditEntries(api.ctx.db, 10)).some((a) => a.requestId === 'old-1')).toBe(false);
        // Within the hour: no second pass.
        await insertAuditEntry(api.ctx.db, entry('2026-11-10T00:00:00Z', 'old-2'));
        await api.app.inject({ method: 'GET', url: '/meta/targeting/history', headers: auth(await tok('viewer')) });
        await new Promise((r) => setTimeout(r, 100));
        expect((await listAuditEntries(api.ctx.db, 10)).some((a) => a.requestId === 'old-2')).toBe(true);
        api.ctx.setNow('2026-11-20T09:30:00Z');
        await api.app.inject({ method: 'GET', url: '/meta/targeting/history', headers: auth(await tok('viewer')) });
        for (let i = 0; i < 50 && (await listAuditEntries(api.ctx.db, 10)).some((a) => a.requestId === 'old-2'); i++) await new Promise((r) => setTimeout(r, 20));
        expect((await listAuditEntries(api.ctx.db, 10)).some((a) => a.requestId === 'old-2')).toBe(false);
      } finally {
        await api.close();
      }
    });
  });
});
