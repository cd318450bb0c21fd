// Each endpoint's happy path with the specification's response shapes (field names checked
// exactly), its 404s and 400s, pagination, apply → history, dry runs, LIVE refusal, the audit log,
// rate and body limits, metrics, readiness and the access log.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { listAuditEntries } from '../../src/store/audit.ts';
import { latestRecommendations } from '../../src/store/runs.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, openApi, testKeys, token } from './helpers.ts';

// The specification's field lists (seed.md, "API Endpoints").
const RUN_FIELDS = ['run_id', 'status', 'campaign_ids', 'recommendations_count', 'duration_ms', 'message'];
const RECOMMENDATION_FIELDS = ['adset_id', 'campaign_id', 'countries', 'geo_allocations', 'age_min', 'age_max', 'gender', 'interests', 'behaviors', 'custom_audiences', 'lookalikes', 'frequency_cap', 'frequency_window_days', 'total_budget', 'budget_per_segment', 'reasoning', 'expected_ctr', 'expected_cvr', 'expected_roas', 'confidence'];
const APPLY_FIELDS = ['recommendation_id', 'adset_id', 'success', 'applied_changes', 'message'];
const APPLIED_CHANGES_FIELDS = ['countries', 'age_range', 'interests_count', 'behaviors_count', 'lookalikes_count'];
const SEGMENT_FIELDS = ['segment_id', 'segment_name', 'segment_type', 'total_impressions', 'total_clicks', 'total_conversions', 'total_spend', 'total_revenue', 'avg_ctr', 'avg_cvr', 'avg_roas', 'campaigns_count', 'last_used', 'is_fatigued', 'fatigue_reason', 'rests_in_force'];
const HISTORY_FIELDS = ['id', 'run_id', 'campaign_id', 'adset_id', 'applied_at', 'old_targeting', 'new_targeting', 'before_ctr', 'before_cvr', 'before_roas', 'after_ctr', 'after_cvr', 'after_roas', 'success', 'error_message'];

const MULTI = '900001';
const SECOND = '900002';
const SINGLE = '900003';

const sorted = (xs: readonly string[]) => [...xs].sort();

describe(`HTTP API endpoints on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let manager: string;
  let viewer: string;

  beforeAll(async () => {
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '10000' });
    await generateStubHistory(h.ctx, { campaigns: 2, days: 30, seed: 11, campaignIds: [MULTI, SECOND] });
    await generateStubHistory(h.ctx, { campaigns: 1, days: 30, seed: 12, campaignIds: [SINGLE], adsetsPerCampaign: 1 });
    manager = await token('manager', { sub: 'alice' });
    viewer = await token('viewer', { sub: 'victor' });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (url: string, payload: unknown, t = manager) => h.app.inject({ method: 'POST', url, headers: auth(t), payload: payload as object });
  const get = (url: string, t = manager) => h.app.inject({ method: 'GET', url, headers: auth(t) });

  describe('POST /meta/targeting/run', () => {
    it('optimizes one campaign and answers the specification\'s fields', async () => {
      const res = await post('/meta/targeting/run', { campaign_id: MULTI, mode: 'stub', force_refresh: true });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      for (const f of RUN_FIELDS) expect(body).toHaveProperty(f);
      expect(body).toMatchObject({ status: 'completed', campaign_ids: [MULTI], run_ids: [body.run_id], reused_campaign_ids: [], failed_campaign_ids: [] });
      expect(body.run_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.recommendations_count).toBeGreaterThan(1);
      expect(body.message).toBe(`Generated ${body.recommendations_count} recommendations in ${body.duration_ms}ms`);
    });

    it('reuses the fresh run without force_refresh and recomputes with it', async () => {
      const first = (await post('/meta/targeting/run', { campaign_id: SECOND })).json();
      const again = (await post('/meta/targeting/run', { campaign_id: SECOND, force_refresh: false })).json();
      expect(again.run_id).toBe(first.run_id);
      expect(again.reused_campaign_ids).toEqual([SECOND]);
      expect(again.message).toMatch(/^Reused run/);
      const forced = (await post('/meta/targeting/run', { campaign_id: SECOND, force_refresh: true })).json();
      expect(forced.run_id).not.toBe(first.run_id);
    });

    it('without campaign_id optimizes every active campaign: one run each, the first as run_id', async () => {
      const res = await post('/meta/targeting/run', { mode: 'stub' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.campaign_ids).toEqual(sorted([MULTI, SECOND, SINGLE]));
      expect(body.run_ids).toHaveLength(3);
      expect(body.run_id).toBe(body.run_ids[0]);
      expect(body.status).toBe('completed');
    });

    it('answers 409 naming each campaign and why when no active campaign can be optimized (none has a daily budget), never a 500', async () => {
      const budgets = await h.ctx.db.query<{ campaign_id: string; daily_budget_minor: number | null }>('select campaign_id, daily_budget_minor::float8 as daily_budget_minor from campaigns');
      await h.ctx.db.query('update campaigns set daily_budget_minor = null');
      try {
        const res = await post('/meta/targeting/run', { mode: 'stub', force_refresh: true });
        expect(res.statusCode).toBe(409);
        const message = res.json().error.message as string;
        expect(message).toMatch(/^no active campaign could be optimized: /);
        for (const id of [MULTI, SECOND, SINGLE]) expect(message).toContain(`${id}: budget: campaign ${id} has no stored daily budget`);
      } finally {
        for (const b of budgets) await h.ctx.db.query('update campaigns set daily_budget_minor = $2 where campaign_id = $1', [b.campaign_id, b.daily_budget_minor]);
      }
    });

    it('answers 404 when there is no active campaign to optimize', async () => {
      await h.ctx.db.query('update campaigns set active = false');
      try {
        const res = await post('/meta/targeting/run', {});
        expect(res.statusCode).toBe(404);
        expect(res.json().error.message).toContain('no active campaigns');
      } finally {
        await h.ctx.db.query('update campaigns set active = true');
      }
    });

    it('refuses LIVE mode without Meta credentials with 501 and bad input with a 400 naming the field', async () => {
      const live = await post('/meta/targeting/run', { campaign_id: MULTI, mode: 'live' });
      expect(live.statusCode).toBe(501);
      expect(live.json().error.message).toMatch(/LIVE mode is not set up: META_ACCESS_TOKEN: required/);
      const cases: [unknown, string][] = [
        [{ campaign_id: 123 }, 'body.campaign_id'],
        [{ mode: 'fast' }, 'body.mode'],
        [{ force_refresh: 'yes' }, 'body.force_refresh'],
        [{ campaign_id: MULTI, budget: '1,5' }, 'body.budget'],
        [{ campaign_id: MULTI, budget: 0 }, 'body.budget'],
        [{ campaign_id: MULTI, budget: '0.001' }, 'budget: has more decimals than EUR has (2), got 0.001'],
        [{ campaign_id: MULTI, budget: '0.00' }, 'budget: must be greater than zero'],
        [{ budget: 5 }, 'body.budget: applies to one campaign'],
        [{ campaign_id: MULTI, budgets: 5 }, 'unknown field "budgets"'],
        [{ campaign_id: '' }, 'body.campaign_id'],
        [{ campaign_id: 'x'.repeat(129) }, 'body.campaign_id'],
      ];
      for (const [payload, field] of cases) {
        const res = await post('/meta/targeting/run', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.message).toContain(field);
      }
    });
  });

  describe('GET /meta/targeting/recommendations/{campaign_id}', () => {
    it('answers one document for a campaign with one ad set, with exactly the specification\'s fields (plus ids and time)', async () => {
      await post('/meta/targeting/run', { campaign_id: SINGLE, force_refresh: true });
      const res = await get(`/meta/targeting/recommendations/${SINGLE}`, viewer);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const doc = res.json();
      expect(Array.isArray(doc)).toBe(false);
      expect(sorted(Object.keys(doc))).toEqual(sorted([...RECOMMENDATION_FIELDS, 'recommendation_id', 'run_id', 'created_at']));
      expect(sorted(Object.keys(doc.geo_allocations[0]))).toEqual(sorted(['country_code', 'country_name', 'budget_pct', 'budget_amount', 'avg_cpc', 'avg_ctr', 'avg_roas', 'engagement_score']));
      expect(doc.campaign_id).toBe(SINGLE);
    });

    it('answers the array of the latest run (one per ad set) otherwise: the CLI\'s rule', async () => {
      const res = await get(`/meta/targeting/recommendations/${MULTI}`);
      const docs = res.json();
      const stored = await latestRecommendations(h.ctx.db, MULTI);
      expect(stored.length).toBeGreaterThan(1);
      expect(Array.isArray(docs)).toBe(true);
      expect(docs.map((d: { recommendation_id: string }) => d.recommendation_id)).toEqual(stored.map((r) => r.recommendation_id));
      // The precomputed body (latest_recommendations) holds exactly the stored documents.
      expect(docs).toEqual(JSON.parse(JSON.stringify(stored)));
      for (const d of docs) expect(sorted(Object.keys(d))).toEqual(sorted([...RECOMMENDATION_FIELDS, 'recommendation_id', 'run_id', 'created_at']));
      expect(new Set(docs.map((d: { run_id: string }) => d.run_id)).size).toBe(1);
    });

    it('?adset_id= answers exactly one document, in both shapes\' cases, and 404 naming an unknown ad set', async () => {
      const stored = await latestRecommendations(h.ctx.db, MULTI);
      for (const r of stored) {
        const res = await get(`/meta/targeting/recommendations/${MULTI}?adset_id=${encodeURIComponent(r.adset_id!)}`);
        expect(res.statusCode).toBe(200);
        expect(Array.isArray(res.json())).toBe(false);
        expect(res.json()).toEqual(JSON.parse(JSON.stringify(r)));
        // The specification's field order, as the unfiltered answer has it.
        expect(Object.keys(res.json())).toEqual(Object.keys((await get(`/meta/targeting/recommendations/${MULTI}`)).json()[0]));
      }
      const single = (await get(`/meta/targeting/recommendations/${SINGLE}`)).json();
      const one = await get(`/meta/targeting/recommendations/${SINGLE}?adset_id=${encodeURIComponent(single.adset_id)}`);
      expect(one.json()).toEqual(single);
      const unknown = await get(`/meta/targeting/recommendations/${MULTI}?adset_id=no-such-adset`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.message).toContain('no recommendation for ad set "no-such-adset"');
      expect(unknown.json().error.message).toContain(stored[0]!.adset_id!);
      expect((await get('/meta/targeting/recommendations/nothing-here?adset_id=a')).statusCode).toBe(404);
      expect((await get(`/meta/targeting/recommendations/${MULTI}?adset=a`)).statusCode).toBe(400);
    });

    it('404 with a clear message when the campaign has none', async () => {
      const res = await get('/meta/targeting/recommendations/nothing-here');
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'not_found' });
      expect(res.json().error.message).toContain('no recommendation stored for campaign "nothing-here"');
    });
  });

  describe('POST /meta/targeting/apply/{recommendation_id} and GET /meta/targeting/history', () => {
    it('applies in STUB mode, writes a history row that GET /history returns with the specification\'s fields', async () => {
      const rec = (await get(`/meta/targeting/recommendations/${SINGLE}`)).json();
      const res = await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id, mode: 'stub', dry_run: false });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      for (const f of APPLY_FIELDS) expect(body).toHaveProperty(f);
      expect(sorted(Object.keys(body.applied_changes))).toEqual(sorted(APPLIED_CHANGES_FIELDS));
      expect(body).toMatchObject({ recommendation_id: rec.recommendation_id, adset_id: rec.adset_id, success: true, message: 'Applied in STUB mode (simulated)', dry_run: false });
      expect(body.applied_changes).toEqual({
        countries: rec.countries,
        age_range: `${rec.age_min}-${rec.age_max}`,
        interests_count: rec.interests.length,
        behaviors_count: rec.behaviors.length,
        lookalikes_count: rec.lookalikes.length,
      });

      const history = (await get(`/meta/targeting/history?campaign_id=${SINGLE}`, viewer)).json();
      expect(history).toHaveLength(1);
      const row = history[0];
      for (const f of HISTORY_FIELDS) expect(row).toHaveProperty(f);
      expect(row).toMatchObject({ id: body.history_id, run_id: rec.run_id, campaign_id: SINGLE, adset_id: rec.adset_id, success: true, error_message: null, mode: 'stub', dry_run: false, old_targeting: null, after_ctr: null, after_cvr: null, after_roas: null });
      expect(row.new_targeting.geo_locations.countries).toEqual(rec.countries);
      expect(row.new_targeting).toMatchObject({ age_min: rec.age_min, age_max: rec.age_max });
      expect(row.new_targeting.flexible_spec[0].interests).toHaveLength(rec.interests.length);
      // The stub history ends the day before the clock's date, so the window before the change has delivery.
      expect(row.before_ctr).toBeGreaterThan(0);
      expect(row.before_roas).toBeGreaterThan(0);
    });

    it('a dry run is answered and audited, never stored in the history nor taken as the ad set\'s current targeting', async () => {
      const recs = (await get(`/meta/targeting/recommendations/${MULTI}`)).json();
      expect(recs.length).toBeGreaterThanOrEqual(2);
      const rec = recs[0];
      const dry = await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id, dry_run: true });
      expect(dry.statusCode).toBe(200);
      expect(dry.json()).toMatchObject({ dry_run: true, success: true, already_in_force: false, history_id: null });
      expect(dry.json().message).toMatch(/^Dry run/);
      expect((await get(`/meta/targeting/history?campaign_id=${MULTI}`)).json()).toEqual([]);
      const audited = (await listAuditEntries(h.ctx.db, 500)).find((a) => a.requestId === dry.headers['x-request-id']);
      expect(audited).toMatchObject({ subject: 'alice', channel: 'api', statusCode: 200, bodySummary: { recommendation_id: rec.recommendation_id, dry_run: true, outcome: 'dry_run' } });

      const real = (await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id, mode: 'stub', dry_run: false })).json();
      const second = (await post(`/meta/targeting/apply/${recs[1].recommendation_id}`, { recommendation_id: recs[1].recommendation_id, dry_run: false })).json();
      const history = (await get(`/meta/targeting/history?campaign_id=${MULTI}&limit=10`)).json();
      expect(history.map((r: { id: number }) => r.id).sort()).toEqual([real.history_id, second.history_id].sort());
      // The first real apply's old targeting is null: the dry run never became the current one.
      expect(history.find((r: { id: number }) => r.id === real.history_id).old_targeting).toBeNull();
      expect(history.every((r: { actor: string }) => r.actor === 'alice')).toBe(true);
    });

    it('refuses LIVE (501), a body id that differs from the path (400), a bad UUID (400) and an unknown one (404)', async () => {
      const rec = (await get(`/meta/targeting/recommendations/${SINGLE}`)).json();
      const before = (await get(`/meta/targeting/history?campaign_id=${SINGLE}&limit=500`)).json().length;
      // LIVE is admin-only by default: a manager is refused (403), an admin reaches the service (501).
      const liveBody = { recommendation_id: rec.recommendation_id, mode: 'live', dry_run: false };
      expect((await post(`/meta/targeting/apply/${rec.recommendation_id}`, liveBody)).statusCode).toBe(403);
      const live = await post(`/meta/targeting/apply/${rec.recommendation_id}`, liveBody, await token('admin', { sub: 'ada' }));
      expect(live.statusCode).toBe(501);
      expect((await get(`/meta/targeting/history?campaign_id=${SINGLE}&limit=500`)).json()).toHaveLength(before);

      const other = '00000000-0000-4000-8000-000000000000';
      const mismatch = await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: other });
      expect(mismatch.statusCode).toBe(400);
      expect(mismatch.json().error.message).toContain('body.recommendation_id');
      const badUuid = await post('/meta/targeting/apply/123', { recommendation_id: '123' });
      expect(badUuid.statusCode).toBe(400);
      expect(badUuid.json().error.message).toContain('params.recommendation_id');
      const unknown = await post(`/meta/targeting/apply/${other}`, { recommendation_id: other });
      expect(unknown.statusCode).toBe(404);
      const missing = await post(`/meta/targeting/apply/${other}`, { mode: 'stub' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.message).toContain('body.recommendation_id');
    });

    it('audits every POST: who, what, when, outcome, and never a token', async () => {
      const rows = await listAuditEntries(h.ctx.db, 500);
      expect(rows.length).toBeGreaterThan(10);
      const applied = rows.find((r) => r.route === '/meta/targeting/apply/:recommendation_id' && r.statusCode === 200);
      expect(applied).toMatchObject({ subject: 'alice', role: 'manager', method: 'POST' });
      expect(applied!.bodySummary).toHaveProperty('recommendation_id');
      expect(rows.some((r) => r.route === '/meta/targeting/apply/:recommendation_id' && r.statusCode === 501)).toBe(true);
      expect(rows.some((r) => r.route === '/meta/targeting/run' && r.statusCode === 400)).toBe(true);
      const text = JSON.stringify(rows);
      expect(text).not.toContain(manager);
      expect(text).not.toMatch(/eyJ|Bearer/);
      // GETs are not state changes: not audited. (The set-up's stub generation is audited as the CLI's.)
      expect(rows.filter((r) => r.channel === 'api').every((r) => r.method === 'POST')).toBe(true);
      expect(rows.filter((r) => r.channel !== 'api').map((r) => [r.channel, r.method, r.route])).toEqual([['cli', 'CLI', 'stub generate'], ['cli', 'CLI', 'stub generate']]);
    });
  });

  describe('pagination', () => {
    it('walks every segment page with the cursor: no overlap, nothing skipped, Link and X-Next-Cursor headers', async () => {
      const all = (await get('/meta/targeting/segments?limit=500')).json();
      expect(all.length).toBeGreaterThan(20);
      expect(sorted(Object.keys(all[0]).filter((k) => k !== 'currency'))).toEqual(sorted(SEGMENT_FIELDS));
      // The specification's date-time (e.g. 2025-11-26T12:00:00Z); insights are daily: 00:00 UTC of the last day.
      for (const seg of all) expect(seg.last_used).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
      const seen: string[] = [];
      let url: string | null = '/meta/targeting/segments?limit=7';
      let pages = 0;
      while (url !== null) {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        const page = res.json();
        seen.push(...page.map((s: { segment_type: string; segment_id: string; currency: string }) => `${s.segment_type}/${s.segment_id}/${s.currency}`));
        const next = res.headers['x-next-cursor'] as string | undefined;
        if (next) {
          expect(page).toHaveLength(7);
          expect(res.headers.link).toBe(`</meta/targeting/segments?limit=7&cursor=${next}>; rel="next"`);
        }
        url = next ? `/meta/targeting/segments?limit=7&cursor=${next}` : null;
        pages++;
      }
      expect(pages).toBe(Math.ceil(all.length / 7));
      expect(seen).toEqual(all.map((s: { segment_type: string; segment_id: string; currency: string }) => `${s.segment_type}/${s.segment_id}/${s.currency}`));
    });

    it('filters segments by type', async () => {
      const res = (await get('/meta/targeting/segments?segment_type=interest&limit=500')).json();
      expect(res.length).toBeGreaterThan(0);
      expect(res.every((s: { segment_type: string }) => s.segment_type === 'interest')).toBe(true);
    });

    it('walks history pages one row at a time', async () => {
      const all = (await get('/meta/targeting/history?limit=500')).json();
      const ids: number[] = [];
      let cursor: string | undefined;
      do {
        const res = await get(`/meta/targeting/history?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...res.json().map((r: { id: number }) => r.id));
        cursor = res.headers['x-next-cursor'] as string | undefined;
      } while (cursor);
      expect(ids).toEqual(all.map((r: { id: number }) => r.id));
      expect(ids.length).toBeGreaterThanOrEqual(3);
    });

    for (const path of ['/meta/targeting/segments', '/meta/targeting/history']) {
      it(`${path}: limit 0, 501, -1, abc, 1.5 and a foreign cursor are 400s naming the field`, async () => {
        for (const limit of ['0', '501', '-1', 'abc', '1.5', '']) {
          const res = await get(`${path}?limit=${limit}`);
          expect(res.statusCode, `limit=${limit}`).toBe(400);
          expect(res.json().error.message).toContain('limit');
        }
        const foreign = Buffer.from(JSON.stringify(['x'])).toString('base64url');
        const res = await get(`${path}?cursor=${foreign}`);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.message).toContain('cursor');
        expect((await get(`${path}?limit=500`)).statusCode).toBe(200);
        expect((await get(`${path}?limit=1`)).statusCode).toBe(200);
      });
    }
  });

  describe('operations', () => {
    it('/health, /ready and /metrics', async () => {
      expect((await h.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
      const ready = await h.app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', database: usingPostgres ? 'postgres' : 'pglite' });
      const metrics = (await h.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/targeting_runs_total\{status="completed"\} \d+/);
      expect(metrics).toMatch(/targeting_runs_total\{status="reused"\} \d+/);
      expect(metrics).toMatch(/targeting_recommendations_total \d+/);
      expect(metrics).toMatch(/targeting_run_duration_seconds_count \d+/);
      expect(metrics).toMatch(/targeting_applies_total\{mode="stub",outcome="applied"\} \d+/);
      expect(metrics).toMatch(/targeting_applies_total\{mode="live",outcome="refused"\} \d+/);
      expect(metrics).toContain('http_request_duration_seconds_bucket{le="0.001",method="GET",route="/meta/targeting/segments",status_code="200"}');
    });

    it('/ready is 503 while a migration is pending', async () => {
      const [last] = await h.ctx.db.query<{ version: number; name: string }>('select version, name from schema_migrations order by version desc limit 1');
      await h.ctx.db.query('delete from schema_migrations where version = $1', [last!.version]);
      try {
        const res = await h.app.inject({ url: '/ready' });
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('service_unavailable');
      } finally {
        await h.ctx.db.query('insert into schema_migrations (version, name) values ($1, $2)', [last!.version, last!.name]);
      }
    });

    it('/docs serves the UI and /docs/json the OpenAPI document', async () => {
      expect((await h.app.inject({ url: '/docs' })).statusCode).toBe(200);
      const doc = (await h.app.inject({ url: '/docs/json' })).json();
      expect(Object.keys(doc.paths)).toContain('/meta/targeting/apply/{recommendation_id}');
    });

    it('rate-limits run and apply per token subject (429), not per address', async () => {
      const limited = await buildApp({ ...h.ctx, config: { ...h.ctx.config, api: { ...h.ctx.config.api, rateLimitPerMinute: 2 } } }, { keys: testKeys() });
      try {
        const bob = await token('manager', { sub: 'bob' });
        const carol = await token('manager', { sub: 'carol' });
        const run = (t: string) => limited.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(t), payload: { campaign_id: SINGLE } });
        expect((await run(bob)).statusCode).toBe(200);
        expect((await run(bob)).statusCode).toBe(200);
        const third = await run(bob);
        expect(third.statusCode).toBe(429);
        expect(third.json().error.code).toBe('rate_limited');
        expect(third.headers['retry-after']).toBeDefined();
        expect((await run(carol)).statusCode).toBe(200);
        // Reads are not limited.
        for (let i = 0; i < 5; i++) expect((await limited.inject({ url: `/meta/targeting/recommendations/${SINGLE}`, headers: auth(bob) })).statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });

    it('refuses a body over API_BODY_LIMIT_BYTES with 413', async () => {
      const small = await buildApp({ ...h.ctx, config: { ...h.ctx.config, api: { ...h.ctx.config.api, bodyLimitBytes: 1024 } } }, { keys: testKeys() });
      try {
        const res = await small.inject({ method: 'POST', url: '/meta/targeting/run', headers: { ...auth(manager), 'content-type': 'application/json' }, payload: JSON.stringify({ campaign_id: 'x'.repeat(2000) }) });
        expect(res.statusCode).toBe(413);
        expect(res.json().error.code).toBe('payload_too_large');
      } finally {
        await small.close();
      }
    });

    it('logs one JSON line per request, without the Authorization header', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      });
      const logged = await buildApp({ ...h.ctx, config: { ...h.ctx.config, logLevel: 'warn' }, logger: pino({ level: 'warn' }, sink) }, { keys: testKeys() });
      try {
        await logged.inject({ url: `/meta/targeting/recommendations/${SINGLE}`, headers: auth(manager) });
        expect(lines).toHaveLength(1);
        const line = JSON.parse(lines[0]!);
        expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/meta/targeting/recommendations/:campaign_id', status: 200, sub: 'alice' });
        expect(typeof line.reqId).toBe('string');
        expect(lines[0]).not.toContain(manager);
        expect(lines[0]!.toLowerCase()).not.toContain('authorization');
      } finally {
        await logged.close();
      }
    });
  });
});
