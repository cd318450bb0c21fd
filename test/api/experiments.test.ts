// POST /meta/targeting/experiments and GET /meta/targeting/experiments/{experiment_id}: the happy
// path from start to a report with intervals, strict bodies, 4xx cases, LIVE, history and audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { listAuditEntries } from '../../src/store/audit.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, NOW, openApi, token } from './helpers.ts';

const MULTI = '910001';
const SINGLE = '910002';
const STUB = { campaigns: 1, seed: 31, campaignIds: [MULTI], adsetsPerCampaign: 4, interestsPerCampaign: 20, behaviorsPerCampaign: 5 };

describe(`holdout experiment endpoints on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let manager: string;
  let viewer: string;

  beforeAll(async () => {
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '10000' });
    await generateStubHistory(h.ctx, { ...STUB, days: 30, endDate: '2026-11-19' });
    await generateStubHistory(h.ctx, { campaigns: 1, days: 10, seed: 32, campaignIds: [SINGLE], adsetsPerCampaign: 1, endDate: '2026-11-19' });
    await runOptimization(h.ctx, { campaignId: MULTI, budget: null, mode: 'stub' });
    await runOptimization(h.ctx, { campaignId: SINGLE, budget: null, mode: 'stub' });
    manager = await token('manager', { sub: 'alice' });
    viewer = await token('viewer', { sub: 'victor' });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (payload: unknown, t = manager) => h.app.inject({ method: 'POST', url: '/meta/targeting/experiments', headers: auth(t), payload: payload as object });
  const get = (id: string, t = manager) => h.app.inject({ method: 'GET', url: `/meta/targeting/experiments/${id}`, headers: auth(t) });

  it('starts with a holdout, reports "not enough data", then lifts with intervals after later delivery', async () => {
    const res = await post({ campaign_id: MULTI, holdout_share: 0.25 });
    expect(res.statusCode).toBe(200);
    const started = res.json();
    expect(started).toMatchObject({ campaign_id: MULTI, holdout_share: 0.25, dry_run: false, started_at: '2026-11-20T08:00:00.000Z' });
    expect(started.assignment.map((a: { arm: string }) => a.arm).sort()).toEqual(['holdout', 'treatment', 'treatment', 'treatment']);

    const early = await get(started.experiment_id, viewer);
    expect(early.statusCode).toBe(200);
    expect(early.json()).toMatchObject({ experiment_id: started.experiment_id, status: 'not_enough_data', lift: { ctr: { state: 'not_enough_data', lift: null, ci95: null, adjusted: null } } });

    // The history shows each ad set's arm.
    const history = (await h.app.inject({ method: 'GET', url: `/meta/targeting/history?campaign_id=${MULTI}`, headers: auth(viewer) })).json();
    expect(history).toHaveLength(4);
    expect(history.map((r: { experiment_arm: string }) => r.experiment_arm).sort()).toEqual(['holdout', 'treatment', 'treatment', 'treatment']);
    expect(history.every((r: { experiment_id: string }) => r.experiment_id === started.experiment_id)).toBe(true);

    await generateStubHistory(h.ctx, { ...STUB, days: 10, endDate: '2026-11-30' });
    const ready = (await get(started.experiment_id)).json();
    expect(ready.status).toBe('ready');
    expect(ready.arms.treatment.adset_ids).toHaveLength(3);
    expect(ready.arms.holdout.adset_ids).toHaveLength(1);
    for (const k of ['ctr', 'cvr', 'roas']) {
      expect(ready.lift[k].state).toBe('ok');
      expect(ready.lift[k].ci95.low).toBeLessThan(ready.lift[k].lift);
      expect(ready.lift[k].ci95.high).toBeGreaterThan(ready.lift[k].lift);
    }
  });

  it('a dry run answers the assignment with no experiment id; a second start on the same run is a 400', async () => {
    const dry = await post({ campaign_id: MULTI, mode: 'stub', holdout_share: 0.5, dry_run: true });
    expect(dry.statusCode).toBe(400);
    expect(dry.json().error.message).toMatch(/already in experiment/);
    // A later run: the test clock is fixed, so it moves a minute for the new run to be the latest.
    h.ctx.setNow('2026-11-20T08:01:00Z');
    await runOptimization(h.ctx, { campaignId: MULTI, budget: null, mode: 'stub' });
    h.ctx.setNow(NOW);
    const fresh = await post({ campaign_id: MULTI, mode: 'stub', holdout_share: 0.5, dry_run: true });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ experiment_id: null, dry_run: true });
    expect(fresh.json().assignment.every((a: { history_id: unknown }) => a.history_id === null)).toBe(true);
  });

  it('refuses bad bodies with a message naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /body\.campaign_id: is required/],
      [{ campaign_id: MULTI, holdout_share: 0.6 }, /body\.holdout_share: must be <= 0\.5/],
      [{ campaign_id: MULTI, holdout_share: -0.1 }, /body\.holdout_share: must be >= 0/],
      [{ campaign_id: MULTI, holdout_share: '0.2' }, /body\.holdout_share: must be number/],
      [{ campaign_id: MULTI, mode: 'STUB' }, /body\.mode: must be one of stub, live/],
      [{ campaign_id: MULTI, holdout: 0.2 }, /body: unknown field "holdout"/],
      [{ campaign_id: '', holdout_share: 0.2 }, /body\.campaign_id/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('404 for a campaign without recommendations, 400 for a holdout on one ad set, 400/404 for bad report ids', async () => {
    expect((await post({ campaign_id: 'never-optimized' })).statusCode).toBe(404);
    const one = await post({ campaign_id: SINGLE, holdout_share: 0.2 });
    expect(one.statusCode).toBe(400);
    expect(one.json().error.message).toMatch(/holdout_share: a holdout needs at least 2 ad sets/);
    expect((await get('not-a-uuid')).statusCode).toBe(400);
    expect((await get('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('LIVE: 403 for a role outside META_TARGETING_LIVE_APPLY_ROLES, else 501', async () => {
    const other = await openApi({ META_TARGETING_LIVE_APPLY_ROLES: 'admin' });
    try {
      await runOptimization(other.ctx, { campaignId: MULTI, budget: null, mode: 'stub', generateStub: true });
      const body = { campaign_id: MULTI, mode: 'live', holdout_share: 0.2 };
      const asManager = await other.app.inject({ method: 'POST', url: '/meta/targeting/experiments', headers: auth(await token('manager')), payload: body });
      expect(asManager.statusCode).toBe(403);
      const asAdmin = await other.app.inject({ method: 'POST', url: '/meta/targeting/experiments', headers: auth(await token('admin')), payload: body });
      expect(asAdmin.statusCode).toBe(501);
      expect(asAdmin.json().error.message).toMatch(/Meta Marketing API client/);
    } finally {
      await other.close();
    }
  });

  it('every start is in the audit log with its documented fields', async () => {
    const entries = await listAuditEntries(h.ctx.db, 200);
    const starts = entries.filter((e) => e.route === '/meta/targeting/experiments');
    expect(starts.length).toBeGreaterThan(5);
    expect(starts.find((e) => e.statusCode === 200 && e.bodySummary.holdout_share === 0.25)).toMatchObject({ subject: 'alice', role: 'manager', bodySummary: { campaign_id: MULTI, holdout_share: 0.25 } });
  });
});
