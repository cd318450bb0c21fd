// POST /meta/targeting/rollback/{history_id} in STUB mode: the route the dashboard's rollback button
// calls. Dry run by default; confirmed, a history row of its own restores the stored old targeting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, openApi, token } from './helpers.ts';

const CAMPAIGN = '777000111';

describe(`POST /meta/targeting/rollback/{history_id} on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let admin: Record<string, string>;
  const post = (url: string, payload: object, headers = admin) => h.app.inject({ method: 'POST', url, headers, payload });
  beforeAll(async () => {
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '10000' });
    admin = auth(await token('admin', { sub: 'ada' }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('dry run by default, then restores the stored old targeting as a row of its own, once', async () => {
    const run = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', generateStub: true });
    const rec = run.recommendations[0]!;
    const first = (await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id, dry_run: false })).json();
    expect(first.state).toBe('applied');
    // Applying the same recommendation's dry run shows the diff against the targeting in force: none.
    const dryApply = (await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id })).json();
    expect(dryApply).toMatchObject({ already_in_force: true, dry_run: true });

    const dry = await post(`/meta/targeting/rollback/${first.history_id}`, {});
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ history_id: null, rolled_back_history_id: first.history_id, success: true, dry_run: true, mode: 'stub' });
    expect(dry.json().changes).toHaveLength(1);

    const manager = await post(`/meta/targeting/rollback/${first.history_id}`, { dry_run: false }, auth(await token('manager')));
    expect(manager.statusCode).toBe(403);
    expect((await post(`/meta/targeting/rollback/${first.history_id}`, { mode: 'live', dry_run: false })).statusCode).toBe(400);
    expect((await post('/meta/targeting/rollback/99999999', { dry_run: false })).statusCode).toBe(404);
    expect((await post('/meta/targeting/rollback/abc', {})).statusCode).toBe(400);
    expect((await post(`/meta/targeting/rollback/${first.history_id}`, { dry_run: false, extra: 1 })).statusCode).toBe(400);

    const done = await post(`/meta/targeting/rollback/${first.history_id}`, { dry_run: false });
    expect(done.statusCode).toBe(200);
    const body = done.json();
    expect(body).toMatchObject({ rolled_back_history_id: first.history_id, success: true, dry_run: false, mode: 'stub' });
    const history = (await h.app.inject({ method: 'GET', url: `/meta/targeting/history?campaign_id=${CAMPAIGN}`, headers: admin })).json();
    const row = history.find((r: { id: number }) => r.id === body.history_id);
    expect(row).toMatchObject({ state: 'applied', rolls_back_history_id: first.history_id, actor: 'ada', old_targeting: history.find((r: { id: number }) => r.id === first.history_id).new_targeting, new_targeting: null });

    const again = await post(`/meta/targeting/rollback/${first.history_id}`, { dry_run: false });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/already rolled back/);
    // The rollback is the change in force now: applying the recommendation again applies it again.
    const reapplied = (await post(`/meta/targeting/apply/${rec.recommendation_id}`, { recommendation_id: rec.recommendation_id, dry_run: false })).json();
    expect(reapplied).toMatchObject({ already_in_force: false, state: 'applied' });
    // An older change than the one in force is refused.
    const older = await post(`/meta/targeting/rollback/${body.history_id}`, { dry_run: false });
    expect(older.statusCode).toBe(409);
    expect(older.json().error.message).toMatch(/not the change in force/);
  });
});
