// An imported account end to end: an Ads Manager export with ad set budgets and a pixel-events CSV
// are imported through the CLI, the campaigns are listed (CLI and API), and the scheduler's tick
// optimizes the imported campaign with its imported budget and a pixel boost in the trace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optimizeCampaignJob } from '../src/jobs/optimize-campaign.ts';
import { tickJob } from '../src/jobs/tick.ts';
import { listAuditEntries } from '../src/store/audit.ts';
import { recommendationsOfRun } from '../src/store/runs.ts';
import { auth, type ApiHarness, openApi, token } from './api/helpers.ts';
import { runCli } from './helpers/cli.ts';
import { usingPostgres } from './helpers/db.ts';

const CAMPAIGN = '120001';
const LIFETIME = '120002';
const dir = mkdtempSync(path.join(tmpdir(), 'imported-account-'));

/** 14 days of an export by day, ad set and country, with each ad set's budget on every row. */
function adsManagerExport(): string {
  const lines = ['Day,Campaign ID,Campaign name,Ad set ID,Ad set name,Country,Amount spent (EUR),Impressions,Link clicks,Purchases,Purchases conversion value,Ad set budget,Ad set budget type'];
  const adsets = [
    { campaign: CAMPAIGN, name: 'Runners EU', id: 'as-run', adset: 'Marathon running', budget: '150', type: 'Daily', ctr: 0.02 },
    { campaign: CAMPAIGN, name: 'Runners EU', id: 'as-cook', adset: 'Home cooking', budget: '100', type: 'Daily', ctr: 0.012 },
    { campaign: LIFETIME, name: 'Launch', id: 'as-life', adset: 'Sneakers', budget: '3000', type: 'Lifetime', ctr: 0.015 },
  ];
  for (let d = 1; d <= 14; d++) {
    const day = `2026-11-${String(d).padStart(2, '0')}`;
    for (const a of adsets) {
      for (const [country, scale] of [['ES', 1.2], ['FR', 0.8], ['DE', 0.6]] as const) {
        const impressions = Math.round(4000 * scale + d * 37);
        const clicks = Math.round(impressions * a.ctr);
        const purchases = Math.round(clicks * 0.05);
        lines.push([day, a.campaign, a.name, a.id, a.adset, country, (impressions * 0.006).toFixed(2), impressions, clicks, purchases, (purchases * 35).toFixed(2), a.budget, a.type].join(','));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function pixelEvents(): string {
  const lines = ['date,campaign_id,event_name,content_category,count'];
  for (let d = 1; d <= 14; d++) {
    const day = `2026-11-${String(d).padStart(2, '0')}`;
    lines.push(`${day},${CAMPAIGN},PageView,Trail running,${500 + d}`, `${day},${CAMPAIGN},ViewContent,Trail running,${120 + d}`, `${day},${CAMPAIGN},Purchase,Trail running,${9 + (d % 3)}`, `${day},${CAMPAIGN},ViewContent,Recipes,20`);
  }
  return `${lines.join('\n')}\n`;
}

describe(`an imported account on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  const cli = (argv: string[]) => runCli(argv, { db: h.ctx.db, clock: h.ctx.clock });

  beforeAll(async () => {
    h = await openApi();
    writeFileSync(path.join(dir, 'export.csv'), adsManagerExport());
    writeFileSync(path.join(dir, 'pixel.csv'), pixelEvents());
  });
  afterAll(async () => {
    await h.close();
  });

  it('imports the export with its budgets and the pixel events, lists the campaigns, and the tick optimizes the imported one', async () => {
    const imported = await cli(['import', path.join(dir, 'export.csv'), '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const report = JSON.parse(imported.stdout);
    expect(report.format).toBe('ads-manager');
    expect(report.dailyBudgets).toEqual({ [CAMPAIGN]: 250 });
    expect(report.source.notes.join('\n')).toContain(`campaign ${LIFETIME}: no daily budget read: 1 ad set(s) have a lifetime budget`);

    const pixel = await cli(['import', path.join(dir, 'pixel.csv')]);
    expect(pixel.code).toBe(0);
    expect(pixel.stdout).toContain('Imported 56 pixel event row(s)');

    const listed = await cli(['campaigns', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { campaign_id: CAMPAIGN, name: 'Runners EU', currency: 'EUR', daily_budget: 250, source: 'ads-manager', active: true, first_data_day: '2026-11-01', last_data_day: '2026-11-14', scheduled: true, not_scheduled_because: null },
      { campaign_id: LIFETIME, name: 'Launch', currency: 'EUR', daily_budget: null, source: 'ads-manager', active: true, first_data_day: '2026-11-01', last_data_day: '2026-11-14', scheduled: false, not_scheduled_because: 'no daily budget stored (import one, or `campaign set --daily-budget`)' },
    ]);
    const firstPage = await cli(['campaigns', '--limit', '1']);
    expect(firstPage.stdout).toContain(`${CAMPAIGN} `);
    expect(firstPage.stdout).toContain('€250.00/day');
    const cursor = /--cursor (\S+)/.exec(firstPage.stderr)?.[1];
    expect(cursor).toBeDefined();
    const secondPage = await cli(['campaigns', '--limit', '1', '--cursor', cursor!]);
    expect(secondPage.stdout).toContain('not scheduled: no daily budget stored');
    expect(secondPage.stderr).toBe('');
    const viaApi = await h.app.inject({ method: 'GET', url: '/meta/targeting/campaigns?limit=1', headers: auth(await token('viewer')) });
    expect(viaApi.statusCode).toBe(200);
    expect(viaApi.json().map((c: { campaign_id: string }) => c.campaign_id)).toEqual([CAMPAIGN]);
    const next = await h.app.inject({ method: 'GET', url: `/meta/targeting/campaigns?limit=1&cursor=${viaApi.headers['x-next-cursor']}`, headers: auth(await token('viewer')) });
    expect(next.json().map((c: { campaign_id: string }) => c.campaign_id)).toEqual([LIFETIME]);
    expect(next.headers['x-next-cursor']).toBeUndefined();

    // The scheduler's tick, then its job, as the worker runs them.
    const queued: string[] = [];
    expect(await tickJob(h.ctx, async (id) => (queued.push(id), true))).toEqual({ campaigns: 1, enqueued: 1, alreadyQueued: 0, auditRowsPruned: 0 });
    expect(queued).toEqual([CAMPAIGN]);
    const outcome = await optimizeCampaignJob(h.ctx, { campaignId: CAMPAIGN, mode: 'stub' });
    expect(outcome.status).toBe('completed');
    if (outcome.status !== 'completed') return;
    const recommendations = await recommendationsOfRun(h.ctx.db, outcome.runId);
    expect(recommendations.map((r) => r.adset_id).sort()).toEqual(['as-cook', 'as-run']);
    // The imported budget, split over the ad sets to the cent.
    expect(recommendations.reduce((sum, r) => sum + Math.round(r.total_budget * 100), 0)).toBe(25_000);
    for (const r of recommendations) {
      const step = r.reasoning.trace.find((t) => t.step === 'pixel');
      expect(step, 'the trace has the pixel step').toBeDefined();
      // Purchases and views of "Trail running" (fitness) outweigh the "Recipes" (food) views.
      expect(Number(step!.numbers.fitness)).toBeGreaterThan(Number(step!.numbers.food));
    }
    const one = await cli(['recommendation', CAMPAIGN, '--adset', 'as-run', '--json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ adset_id: 'as-run', run_id: outcome.runId });
    const unknownAdset = await cli(['recommendation', CAMPAIGN, '--adset', 'as-none']);
    expect(unknownAdset.code).toBe(2);
    expect(unknownAdset.stderr).toContain('no recommendation for ad set "as-none"; its ad sets: as-cook, as-run');
    // The default bayes strategy reads the pixel's genres but lets them reorder nothing.
    for (const r of recommendations) expect(r.reasoning.trace.find((t) => t.step === 'pixel')!.numbers.pixel_genre_boost).toBe(false);
    const boosted = recommendations.flatMap((r) => r.reasoning.trace.filter((t) => Number(t.numbers.pixel_share) > 0));
    expect(boosted).toEqual([]);
  });

  it('sets a budget by CLI and API (managers only, validated, audited), and a run may take its own budget', async () => {
    const set = await cli(['campaign', 'set', '--campaign', LIFETIME, '--daily-budget', '80.5']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('daily budget €80.50');
    expect((await cli(['campaign', 'set', '--campaign', LIFETIME, '--daily-budget=-3'])).stderr).toMatch(/daily_budget: must be a positive decimal amount/);
    expect((await cli(['campaign', 'set', '--campaign', 'nope', '--daily-budget', '3'])).code).toBe(2);
    const queued: string[] = [];
    await tickJob(h.ctx, async (id) => (queued.push(id), true));
    expect(queued).toEqual([CAMPAIGN, LIFETIME]);

    const url = `/meta/targeting/campaigns/${LIFETIME}`;
    expect((await h.app.inject({ method: 'PUT', url, headers: auth(await token('viewer')), payload: { daily_budget: 90 } })).statusCode).toBe(403);
    const bad = await h.app.inject({ method: 'PUT', url, headers: auth(await token('manager')), payload: { daily_budget: '1,5' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('daily_budget');
    const subCent = await h.app.inject({ method: 'PUT', url, headers: auth(await token('manager')), payload: { daily_budget: 12.345 } });
    expect(subCent.statusCode).toBe(400);
    expect(subCent.json().error.message).toBe('daily_budget: has more decimals than EUR has (2), got 12.345');
    const unknown = await h.app.inject({ method: 'PUT', url: '/meta/targeting/campaigns/nope', headers: auth(await token('manager')), payload: { daily_budget: 90 } });
    expect(unknown.statusCode).toBe(404);
    const ok = await h.app.inject({ method: 'PUT', url, headers: auth(await token('manager', { sub: 'ana' })), payload: { daily_budget: 90 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ campaign_id: LIFETIME, daily_budget: 90, scheduled: true });
    const audit = (await listAuditEntries(h.ctx.db, 20)).find((a) => a.method === 'PUT' && a.statusCode === 200);
    expect(audit).toMatchObject({ subject: 'ana', route: '/meta/targeting/campaigns/:campaign_id', bodySummary: { daily_budget: 90 } });

    const run = await h.app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(await token('manager')), payload: { campaign_id: CAMPAIGN, budget: '300', force_refresh: true } });
    expect(run.statusCode).toBe(200);
    const recs = await recommendationsOfRun(h.ctx.db, run.json().run_id);
    expect(recs.reduce((sum, r) => sum + Math.round(r.total_budget * 100), 0)).toBe(30_000);
    const withoutCampaign = await h.app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(await token('manager')), payload: { budget: 300 } });
    expect(withoutCampaign.statusCode).toBe(400);
    expect(withoutCampaign.json().error.message).toContain('budget');
  });

  it('refuses a pixel-events file with a bad row as a whole, naming the line and the column', async () => {
    const file = path.join(dir, 'pixel-bad.csv');
    writeFileSync(file, `date,campaign_id,event_name,content_category,count\n2026-11-15,${CAMPAIGN},Purchase,Trail running,4\n2026-11-15,${CAMPAIGN},Purchase,Yoga,many\n`);
    const before = await h.ctx.db.query<{ n: number }>('select count(*)::int as n from pixel_event_days');
    const res = await cli(['import', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('line 3, count "many"');
    expect(await h.ctx.db.query<{ n: number }>('select count(*)::int as n from pixel_event_days')).toEqual(before);
  });
});
