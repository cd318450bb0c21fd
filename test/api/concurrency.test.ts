// 20 simultaneous POST /run for one campaign (force_refresh false): the per-campaign lock makes
// them queue, the first computes, the other 19 find its fresh run and return it. One run row, one
// run's worth of recommendations, every answer 200 with the same run_id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, openApi, token } from './helpers.ts';

const CAMPAIGN = '424242';

describe(`concurrent runs on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '1000' });
    await generateStubHistory(h.ctx, { campaigns: 1, days: 30, seed: 5, campaignIds: [CAMPAIGN] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('20 simultaneous POST /run for one campaign produce one run and one run\'s recommendations', async () => {
    const t = await token('manager');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => h.app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(t), payload: { campaign_id: CAMPAIGN, mode: 'stub', force_refresh: false } })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const bodies = responses.map((r) => r.json());
    expect(new Set(bodies.map((b) => b.run_id)).size).toBe(1);
    expect(bodies.filter((b) => b.reused_campaign_ids.length === 0)).toHaveLength(1);

    const runs = await h.ctx.db.query<{ n: number }>('select count(*)::int as n from runs where $1 = any(campaign_ids)', [CAMPAIGN]);
    expect(runs[0]!.n).toBe(1);
    const recs = await h.ctx.db.query<{ n: number }>('select count(*)::int as n from recommendations where campaign_id = $1', [CAMPAIGN]);
    expect(recs[0]!.n).toBe(bodies[0].recommendations_count);
    expect(recs[0]!.n).toBeGreaterThan(0);
  });
});
