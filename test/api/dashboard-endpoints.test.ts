// The endpoints the dashboard added: campaigns overview, segment series, comparison, experiments
// list, the import upload, the one-time sign-in exchange, and the dashboard's files at /.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { applyRecommendation } from '../../src/services/apply-recommendation.ts';
import { startExperiment } from '../../src/services/holdout-experiment.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { issueSignInCode } from '../../src/services/sign-in-codes.ts';
import { verifyWith } from './verify.ts';
import { type ApiHarness, auth, openApi, testKeys, token } from './helpers.ts';

const CAMPAIGN = '555000321';
const CSV_HEADER = 'campaign_id,date,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency';
const csvRow = (campaign: string, day: string, clicks: string) => `${campaign},${day},as-1,interest,6003107902433,Action movies,,,,12000,9000,${clicks},6,95.40,310.00,EUR`;

describe('dashboard endpoints', () => {
  let h: ApiHarness;
  let recommendationId: string;
  const get = async (url: string, role = 'viewer') => h.app.inject({ method: 'GET', url, headers: auth(await token(role)) });
  const upload = async (url: string, body: string | Buffer, contentType = 'text/csv', role = 'manager') => h.app.inject({ method: 'POST', url, headers: { ...auth(await token(role)), 'content-type': contentType }, payload: body });

  beforeAll(async () => {
    h = await openApi({ API_IMPORT_LIMIT_BYTES: '2048' });
    const result = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', generateStub: true });
    recommendationId = result.recommendations[0]!.recommendation_id;
  });
  afterAll(async () => {
    await h.close();
  });

  it('overview: each campaign with its latest run, expected and actual rates and spend', async () => {
    const res = await get('/meta/targeting/campaigns/overview');
    expect(res.statusCode).toBe(200);
    const [c] = res.json();
    expect(c.campaign_id).toBe(CAMPAIGN);
    expect(c.latest_run).toMatchObject({ status: 'completed', strategy: h.ctx.config.engine.strategy });
    expect(c.expected.roas).toBeGreaterThan(0);
    expect(c.expected.confidence).toBeGreaterThan(0);
    expect(c.actual.ctr).toBeGreaterThan(0);
    expect(c.actual.days).toBe(7);
    expect(c.spend.amount).toBeGreaterThan(0);
  });

  it('segment series: one entry per day, ending at the latest stored day; filters and bounds', async () => {
    const res = await get('/meta/targeting/segments/daily?days=30&segment_type=interest');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.series.length).toBeGreaterThan(0);
    for (const s of body.series) {
      expect(s.segment_type).toBe('interest');
      expect(s.days).toHaveLength(30);
      expect(s.days.at(-1).date).toBe(body.end);
    }
    const one = body.series[0];
    const filtered = (await get(`/meta/targeting/segments/daily?days=7&segment_ids=${one.segment_id}`)).json();
    expect(filtered.series.every((s: { segment_id: string }) => s.segment_id === one.segment_id)).toBe(true);
    expect(filtered.series[0].days.map((d: { clicks: number }) => d.clicks)).toEqual(one.days.slice(-7).map((d: { clicks: number }) => d.clicks));
    expect((await get('/meta/targeting/segments/daily?days=0')).statusCode).toBe(400);
    expect((await get('/meta/targeting/segments/daily?days=91')).json().error.message).toMatch(/days/);
  });

  it('comparison: every field before the first apply, nothing once it is in force; the previous split after a second run', async () => {
    const first = (await get(`/meta/targeting/comparisons/${recommendationId}`)).json();
    expect(first.in_force).toBeNull();
    expect(first.previous).toBeNull();
    expect(first.changes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['geo_locations', 'age_min', 'flexible_spec', 'frequency_cap']));
    const applied = await applyRecommendation(h.ctx, { recommendationId, mode: 'stub', dryRun: false });
    const after = (await get(`/meta/targeting/comparisons/${recommendationId}`)).json();
    expect(after.in_force.history_id).toBe(applied.history_id);
    expect(after.changes).toEqual([]);
    h.ctx.setNow('2026-11-20T09:00:00Z');
    const second = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: '999', mode: 'stub', forceRefresh: true });
    const rec2 = second.recommendations.find((r) => r.adset_id === first.adset_id)!;
    const next = (await get(`/meta/targeting/comparisons/${rec2.recommendation_id}`)).json();
    expect(next.previous.recommendation_id).toBe(recommendationId);
    expect(next.previous.geo_allocations.length).toBeGreaterThan(0);
    expect((await get('/meta/targeting/comparisons/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('/meta/targeting/comparisons/nope')).statusCode).toBe(400);
  });

  it('experiments list: latest first, with the campaign filter', async () => {
    expect((await get('/meta/targeting/experiments')).json()).toEqual([]);
    const started = await startExperiment(h.ctx, { campaignId: CAMPAIGN, mode: 'stub', holdoutShare: 0.5, dryRun: false });
    const list = (await get(`/meta/targeting/experiments?campaign_id=${CAMPAIGN}`)).json();
    expect(list).toEqual([expect.objectContaining({ experiment_id: started.experiment_id, campaign_id: CAMPAIGN, holdout_share: 0.5 })]);
    expect((await get('/meta/targeting/experiments?campaign_id=other')).json()).toEqual([]);
  });

  it('import upload: a valid file is imported and reported under its own name', async () => {
    const res = await upload('/meta/targeting/imports?file_name=good.csv', [CSV_HEADER, csvRow('555000400', '2026-11-01', '180')].join('\n'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ file: 'good.csv', format: 'canonical', imported: 1, campaigns: ['555000400'] });
  });

  it('import upload: a bad line rejects the file, names the line and field, and imports nothing', async () => {
    const res = await upload('/meta/targeting/imports?file_name=bad.csv', [CSV_HEADER, csvRow('555000500', '2026-11-01', '180'), csvRow('555000500', '2026-11-02', 'abc')].join('\n'));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.message).toMatch(/nothing was imported.*skip_invalid/);
    expect(body.problems).toEqual([expect.objectContaining({ line: 3, field: 'clicks', value: 'abc' })]);
    expect(JSON.stringify(body)).not.toMatch(/targeting-upload-|\/tmp\//);
    const campaigns = (await get('/meta/targeting/campaigns?limit=500')).json().map((c: { campaign_id: string }) => c.campaign_id);
    expect(campaigns).not.toContain('555000500');
    const skipped = await upload('/meta/targeting/imports?file_name=bad.csv&skip_invalid=true', [CSV_HEADER, csvRow('555000500', '2026-11-01', '180'), csvRow('555000500', '2026-11-02', 'abc')].join('\n'));
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json()).toMatchObject({ imported: 1, skipped: 1, problems: [expect.objectContaining({ line: 3, field: 'clicks' })] });
  });

  it('import upload: a NUL character in a cell is a 400 naming the line and field, never a 500', async () => {
    const res = await upload('/meta/targeting/imports?file_name=nul.csv', [CSV_HEADER, csvRow('555000510\u0000x', '2026-11-01', '180')].join('\n'));
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([expect.objectContaining({ line: 2, field: 'campaign_id', message: expect.stringMatching(/NUL character/) })]);
  });

  it('import upload: a damaged XLSX (a zip signature, then garbage) is a 400 saying so, never a 500', async () => {
    const res = await upload('/meta/targeting/imports?file_name=broken.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 0x41)]), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/not a readable XLSX workbook/);
  });

  it('import upload: over API_IMPORT_LIMIT_BYTES is a 413 naming the limit; JSON is refused; a viewer may not', async () => {
    const big = [CSV_HEADER, ...Array.from({ length: 40 }, (_, i) => csvRow('555000600', `2026-11-${String((i % 28) + 1).padStart(2, '0')}`, '1'))].join('\n');
    const tooBig = await upload('/meta/targeting/imports', big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.message).toMatch(/API_IMPORT_LIMIT_BYTES/);
    const json = await upload('/meta/targeting/imports', JSON.stringify({ a: 1 }), 'application/json');
    expect(json.statusCode).toBe(415);
    expect((await upload('/meta/targeting/imports', 'x', 'text/plain')).statusCode).toBe(415);
    expect((await upload('/meta/targeting/imports', [CSV_HEADER, csvRow('555000700', '2026-11-01', '1')].join('\n'), 'text/csv', 'viewer')).statusCode).toBe(403);
    const empty = await upload('/meta/targeting/imports', '');
    expect(empty.statusCode).toBe(400);
  });

  it('sign-in code: exchanged once for a working token of its role; unknown or used codes are 401', async () => {
    const code = issueSignInCode(h.ctx.clock, { sub: 'link-admin', role: 'admin' });
    const post = (c: string) => h.app.inject({ method: 'POST', url: '/meta/targeting/session', payload: { code: c } });
    const res = await post(code);
    expect(res.statusCode).toBe(200);
    const { token: jwt, role, sub } = res.json();
    expect({ role, sub }).toEqual({ role: 'admin', sub: 'link-admin' });
    expect(await verifyWith(h, jwt)).toEqual({ sub: 'link-admin', role: 'admin' });
    expect((await post(code)).statusCode).toBe(401);
    expect((await post('AAAA')).statusCode).toBe(401);
    expect((await post('not a code!')).statusCode).toBe(400);
  });

  it('serves the dashboard with its CSP, revalidated index, immutable compressed assets and 304s', async () => {
    const index = await h.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-encoding']).toBe('br');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'; style-src 'self'/);
    const plain = await h.app.inject({ method: 'GET', url: '/' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(plain.body)![1]!;
    const asset = await h.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    const again = await h.app.inject({ method: 'GET', url: script, headers: { 'if-none-match': String(asset.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect((await h.app.inject({ method: 'GET', url: '/assets/nope.js' })).statusCode).toBe(404);
    // The API keeps its own headers.
    expect((await get('/meta/targeting/campaigns')).headers['cache-control']).toBe('no-store');
  });

  it('without a build, / says how to build the dashboard', async () => {
    const app = await buildApp(h.ctx, { keys: testKeys(), webAssets: null, docsUi: false });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    await app.close();
  });
});
