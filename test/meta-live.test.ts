// LIVE mode against the project's fake Graph API on a loopback port: sync, run, faults, token
// expiry, and the token's absence from everything the product writes or prints.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { MetaAsyncJobError, MetaCallsStoppedError } from '../src/meta/errors.ts';
import { optimizeCampaignJob } from '../src/jobs/optimize-campaign.ts';
import { MetaAuthError, MetaUpstreamError, metaSync } from '../src/services/meta.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { InputError } from '../src/services/errors.ts';
import { explainRecommendation } from '../src/services/explain-recommendation.ts';
import type { Db } from '../src/store/db.ts';
import { runCli } from './helpers/cli.ts';
import { buildApp } from '../src/api/app.ts';
import { testKeys, token } from './api/helpers.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';
import { count, harness, TOKEN } from './helpers/meta-harness.ts';

const NOW = '2026-11-20T08:00:00Z';
const END = '2026-11-19';

describe(`LIVE mode against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let origin: string;
  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 2, adsetsPerCampaign: 3, days: 40, pageSize: 200 });
    origin = await fake.listen();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('syncs the account, then a LIVE run recommends for every active ad set and writes nothing to Meta', async () => {
    const h = await harness(fake, origin);
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const report = await metaSync(h.ctx);
      expect(report.campaigns.map((c) => c.campaignId)).toEqual(fake.market.campaigns.map((c) => c.campaignId));
      expect(report.campaigns[0]!.range).toEqual({ since: '2026-10-21', until: END });
      expect(report.campaigns[1]!.specialAdCategories).toEqual(['HOUSING']);
      const first = report.campaigns[0]!;
      expect(first.rows.country).toBeGreaterThan(0);
      expect(first.rows.demographic).toBeGreaterThan(0);
      expect(first.rows.segment).toBeGreaterThan(0);

      // Purchases are the pixel's own type, not the larger omni_purchase, and spend is exact to the cent.
      let conversions = 0;
      let spend = 0;
      for (const r of fake.market.rows()) {
        if (r.campaignId === campaignId && r.country !== '' && r.date >= '2026-10-21' && r.date <= END) {
          conversions += r.conversions ?? 0;
          spend += r.spendMinor;
        }
      }
      const stored = await h.db.query<{ c: number; s: number }>(`select sum(conversions)::float8 as c, sum(spend_minor)::float8 as s from insights where campaign_id = $1 and country <> ''`, [campaignId]);
      expect([Number(stored[0]!.c), Number(stored[0]!.s)]).toEqual([conversions, spend]);
      // Credited segment rows add up to the ad set's delivery once.
      const segSpend = await count(h.db, `select sum(spend_minor)::float8 as n from insights where campaign_id = $1 and segment_type in ('interest','behavior','custom_audience','lookalike')`, [campaignId]);
      expect(segSpend).toBe(spend);
      const evidence = await h.db.query<{ adsets: number }>('select adsets from meta_segment_evidence where campaign_id = $1', [campaignId]);
      expect(evidence.length).toBeGreaterThan(0);
      // Neighbouring ad sets of the fake share two interests: those have evidence from two ad sets, the rest from one.
      expect(evidence.filter((e) => Number(e.adsets) === 2)).toHaveLength(4);
      expect(evidence.every((e) => Number(e.adsets) <= 2)).toBe(true);
      expect(first.segments).toEqual({ total: evidence.length, fromOneAdset: evidence.length - 4 });
      const special = await h.db.query<{ special_ad_categories: string[] }>('select special_ad_categories from meta_campaigns where campaign_id = $1', [fake.market.campaigns[1]!.campaignId]);
      expect(special[0]!.special_ad_categories).toEqual(['HOUSING']);
      expect(await count(h.db, 'select count(*)::int as n from meta_adsets where campaign_id = $1', [campaignId])).toBe(3);

      const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      expect(result.run.status).toBe('completed');
      expect(result.generatedHistory).toBe(false);
      const active = fake.activeAdsetIds(campaignId);
      expect(active).toHaveLength(2); // the fake pauses the third
      expect(result.recommendations.map((r) => r.adset_id).sort()).toEqual([...active].sort());
      expect(fake.writes).toBe(0);
      expect(fake.requests.filter((r) => r.method === 'POST').every((r) => r.path.endsWith('/insights'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('a housing campaign gets nothing Meta forbids: no age narrowing, no gender, behaviors or lookalikes, and the trace says why', async () => {
    const h = await harness(fake, origin);
    try {
      const campaignId = fake.market.campaigns[1]!.campaignId;
      const result = await runOptimization(h.ctx, { campaignId, budget: '500', mode: 'live' });
      expect(result.recommendations.length).toBeGreaterThan(0);
      for (const r of result.recommendations) {
        expect([r.age_min, r.age_max, r.gender]).toEqual([18, 65, 'all']);
        expect(r.behaviors).toEqual([]);
        expect(r.lookalikes).toEqual([]);
        const lines = r.reasoning.trace.filter((t) => t.step === 'special_ad_categories').map((t) => t.decision);
        expect(lines.at(-1)).toBe('no exclusions: HOUSING forbids excluding audiences or locations, so none is recommended and none may be carried over');
        expect(lines.every((l) => l.includes('HOUSING forbids'))).toBe(true);
      }
      // The stored inputs carry the category, so the replay decides the same.
      const stored = await h.db.query<{ snapshot: unknown }>('select snapshot from decision_inputs where run_id = $1', [result.run.runId]);
      const snapshot = (typeof stored[0]!.snapshot === 'string' ? JSON.parse(stored[0]!.snapshot) : stored[0]!.snapshot) as { specialAdCategories?: string[] };
      expect(snapshot.specialAdCategories).toEqual(['HOUSING']);
      const replay = await explainRecommendation(h.ctx, result.recommendations[0]!.recommendation_id, { replay: true });
      expect(replay.replay).toMatchObject({ same: true, hash_verified: true, differences_total: 0, error: null });
      // The ordinary campaign's snapshot has no such field.
      const plain = await runOptimization(h.ctx, { campaignId: fake.market.campaigns[0]!.campaignId, budget: '500', mode: 'live' });
      const plainStored = await h.db.query<{ snapshot: unknown }>('select snapshot from decision_inputs where run_id = $1', [plain.run.runId]);
      const plainSnapshot = (typeof plainStored[0]!.snapshot === 'string' ? JSON.parse(plainStored[0]!.snapshot) : plainStored[0]!.snapshot) as Record<string, unknown>;
      expect(Object.hasOwn(plainSnapshot, 'specialAdCategories')).toBe(false);
      expect(plain.recommendations.every((r) => r.reasoning.trace.every((t) => t.step !== 'special_ad_categories'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('re-reading days replaces them (same rows, nothing doubled), and a later sync reads only the look-back', async () => {
    const h = await harness(fake, origin);
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      await metaSync(h.ctx, { campaignId });
      const before = await h.db.query('select count(*)::int as n, sum(impressions)::float8 as i, sum(conversions)::float8 as c from insights where campaign_id = $1', [campaignId]);
      const again = await metaSync(h.ctx, { campaignId, days: 30 });
      expect(again.campaigns[0]!.range).toEqual({ since: '2026-10-21', until: END });
      const after = await h.db.query('select count(*)::int as n, sum(impressions)::float8 as i, sum(conversions)::float8 as c from insights where campaign_id = $1', [campaignId]);
      expect(after).toEqual(before);
      const incremental = await metaSync(h.ctx, { campaignId });
      // Last complete day 2026-11-19, look-back 7 days (the default attribution window's).
      expect(incremental.campaigns[0]!.range).toEqual({ since: '2026-11-13', until: END });
      expect(await h.db.query('select count(*)::int as n, sum(impressions)::float8 as i, sum(conversions)::float8 as c from insights where campaign_id = $1', [campaignId])).toEqual(before);
    } finally {
      await h.close();
    }
  });

  it('a day read again keeps the segment rows of an ad set deleted at Meta since (its campaign no longer lists it)', async () => {
    const gone = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 2, days: 20, pageSize: 200 });
    const h = await harness(gone, await gone.listen());
    try {
      const campaignId = gone.market.campaigns[0]!.campaignId;
      const adsetId = gone.adSetsOf(campaignId)[0]!.id;
      await metaSync(h.ctx, { campaignId });
      const rows = () => h.db.query<{ kind: string; n: number; spend: number }>(
        `select case when segment_type = '' then 'country' else 'segment' end as kind, count(*)::int as n, sum(spend_minor)::float8 as spend
           from insights where adset_id = $1 and (segment_type = '' and country <> '' or segment_type not in ('', 'demographic')) group by 1 order by 1`,
        [adsetId],
      );
      const before = await rows();
      expect(before.map((r) => r.kind)).toEqual(['country', 'segment']);
      gone.deleteAdSet(adsetId);
      await metaSync(h.ctx, { campaignId, days: 20 });
      expect(await rows()).toEqual(before);
      // Its segments' spend is still its spend: every segment row of a day shares that day's delivery.
      expect(before[1]!.spend).toBe(before[0]!.spend);
    } finally {
      await h.close();
      await gone.close();
    }
  });

  it('succeeds through two rate limits, a 500 and a timeout, with each retry in the log', async () => {
    const h = await harness(fake, origin, { META_REQUEST_TIMEOUT_MS: '300' });
    try {
      fake.inject({ kind: 'rate-limit', times: 2, regainMinutes: 1 });
      fake.inject({ kind: 'server-error' });
      fake.inject({ kind: 'timeout', path: '/insights' });
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      expect(result.run.status).toBe('completed');
      expect(result.recommendations).toHaveLength(2);
      const retries = h.logs.map((l) => JSON.parse(l) as { msg: string; code?: number; httpStatus?: number; error?: string; waitMs: number }).filter((l) => /retrying/.test(l.msg));
      expect(retries.map((r) => r.code ?? r.error)).toEqual([17, 17, 2, 'MetaTimeoutError']);
      expect(retries[2]!.httpStatus).toBe(500);
      // Meta's estimated time to regain access (1 minute) is waited, not the shorter backoff.
      expect(h.sleeps.slice(0, 2)).toEqual([60_000, 60_000]);
    } finally {
      await h.close();
    }
  });

  it('a scheduled LIVE job stopped by the queue while it waits out a throttle sends nothing more, stores nothing and runs nothing', async () => {
    const h = await harness(fake, origin);
    const stop = new AbortController();
    try {
      fake.inject({ kind: 'rate-limit', times: 1, regainMinutes: 15 });
      // The throttle's wait ends only when the job is stopped.
      const ctx = { ...h.ctx, signal: stop.signal, metaRuntime: { ...h.ctx.metaRuntime, sleep: (ms: number) => new Promise<void>(() => void h.sleeps.push(ms)) } };
      const sent = fake.requests.length;
      const job = optimizeCampaignJob(ctx, { campaignId: fake.market.campaigns[0]!.campaignId, mode: 'live' }).catch((e: unknown) => e);
      while (h.sleeps.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(h.sleeps).toEqual([900_000]);
      const before = fake.requests.length;
      stop.abort(new Error('handler execution exceeded 10800s'));
      const error = await job;
      expect(error).toBeInstanceOf(MetaCallsStoppedError);
      expect((error as Error).message).toMatch(/stopped before an answer \(handler execution exceeded 10800s\)/);
      expect(fake.requests.length).toBe(before);
      expect(before).toBeGreaterThan(sent);
      for (const table of ['runs', 'insights', 'meta_adsets', 'meta_sync_state']) {
        expect(await count(h.db, `select count(*)::int as n from ${table}`), table).toBe(0);
      }
    } finally {
      await h.close();
    }
  });

  it("refuses a budget the stored campaign's currency cannot hold before any call to Meta", async () => {
    const h = await harness(fake, origin);
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      await metaSync(h.ctx, { campaignId });
      const sent = fake.requests.length;
      for (const budget of ['12.345', '0']) {
        const error = await runOptimization(h.ctx, { campaignId, budget, mode: 'live' }).catch((e: unknown) => e);
        expect(error, budget).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(/^budget: /);
      }
      expect(fake.requests.length).toBe(sent);
    } finally {
      await h.close();
    }
  });

  it('stops on an expired token with a clear message and stores nothing of the sync', async () => {
    const own = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 2, adsetsPerCampaign: 2, days: 35 });
    const ownOrigin = await own.listen();
    const h = await harness(own, ownOrigin);
    try {
      // Expires while the second campaign is read, after the first was read in full.
      own.inject({ kind: 'token-expired', path: `${own.market.campaigns[1]!.campaignId}/insights` });
      const error = await metaSync(h.ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetaAuthError);
      expect((error as Error).message).toMatch(/access token was refused \(code 190, subcode 463: Error validating access token: Session has expired\..*renew META_ACCESS_TOKEN\. Nothing was stored\./);
      for (const table of ['insights', 'meta_adsets', 'meta_campaigns', 'meta_custom_audiences', 'meta_sync_state', 'campaigns']) {
        expect(await count(h.db, `select count(*)::int as n from ${table}`), table).toBe(0);
      }
      // 190 is never retried.
      expect(own.requests.filter((r) => r.status === 400)).toHaveLength(1);
    } finally {
      await h.close();
      await own.close();
    }
  });

  it('a sync that fails while writing leaves nothing of itself (one transaction)', async () => {
    const h = await harness(fake, origin);
    try {
      // The second campaign is already stored in another currency: its write fails after the first campaign's rows were written.
      const second = fake.market.campaigns[1]!.campaignId;
      await h.db.query(`insert into campaigns (campaign_id, currency, source) values ($1, 'USD', 'csv')`, [second]);
      const error = await metaSync(h.ctx).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/currency: campaign .* is stored in USD/);
      expect(await count(h.db, 'select count(*)::int as n from insights')).toBe(0);
      expect(await count(h.db, 'select count(*)::int as n from meta_adsets')).toBe(0);
      expect(await count(h.db, 'select count(*)::int as n from campaigns')).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('runs LIVE through the HTTP API: 200 with recommendations, 503 with Meta\'s error when Meta fails', async () => {
    const h = await harness(fake, origin, { META_MAX_RETRIES: '0' });
    const app = await buildApp(h.ctx, { keys: testKeys() });
    await app.ready();
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const auth = { authorization: `Bearer ${await token('manager')}` };
      const ok = await app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth, payload: { campaign_id: campaignId, mode: 'live' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'completed', recommendations_count: 2 });
      fake.inject({ kind: 'server-error' });
      const failed = await app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth, payload: { campaign_id: campaignId, mode: 'live', force_refresh: true } });
      expect(failed.statusCode).toBe(503);
      expect(failed.json().error.message).toMatch(/Meta API .*An unexpected error has occurred.*code 2.*Nothing was stored/);
      expect(failed.body).not.toContain(TOKEN);
    } finally {
      await app.close();
      await h.close();
    }
  });

  it('fails cleanly when Meta fails the asynchronous report, with Meta\'s reason', async () => {
    const h = await harness(fake, origin);
    try {
      fake.inject({ kind: 'async-failed' });
      const error = await metaSync(h.ctx, { campaignId: fake.market.campaigns[0]!.campaignId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetaUpstreamError);
      expect((error as Error).cause).toBeInstanceOf(MetaAsyncJobError);
      expect((error as Error).message).toMatch(/"Job Failed": Generating the report failed\. Try again later\. \(code -2, subcode 2490547\)/);
      expect(await count(h.db, 'select count(*)::int as n from insights')).toBe(0);
    } finally {
      await h.close();
    }
  });

  describe('audience sizes of the targeted interests and behaviors', () => {
    const targetedOf = async (db: Db, campaignId: string) => {
      const rows = await db.query<{ t: string; id: string }>(
        `select distinct x.t, e->>'id' as id from meta_adsets
           cross join lateral (values ('interest', targeting->'flexible_spec'->0->'interests'), ('behavior', targeting->'flexible_spec'->0->'behaviors')) as x(t, list)
           cross join lateral jsonb_array_elements(coalesce(x.list, '[]'::jsonb)) as e
         where campaign_id = $1 order by 1, 2`,
        [campaignId],
      );
      return rows.map((r) => `${r.t}:${r.id}`);
    };
    const storedSizes = async (db: Db, campaignId: string) =>
      (await db.query<{ segment_type: string; segment_id: string; lower: number; upper: number; source: string }>('select segment_type, segment_id, size_lower::float8 as lower, size_upper::float8 as upper, source from segment_sizes where campaign_id = $1 order by 1, 2', [campaignId])).map((r) => ({ key: `${r.segment_type}:${r.segment_id}`, lower: Number(r.lower), upper: Number(r.upper), source: r.source }));
    const scoreTraces = (result: Awaited<ReturnType<typeof runOptimization>>) => result.recommendations.map((r) => r.reasoning.trace.find((t) => t.step === 'segments.score')!.numbers);

    it('are read during sync in two calls, stored as the STUB market estimates them, and the LIVE run weighs the set by them', async () => {
      const own = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35 });
      const ownOrigin = await own.listen();
      const h = await harness(own, ownOrigin);
      try {
        const campaignId = own.market.campaigns[0]!.campaignId;
        const report = await metaSync(h.ctx);
        const targeted = await targetedOf(h.db, campaignId);
        expect(targeted.some((k) => k.startsWith('interest:'))).toBe(true);
        expect(targeted.some((k) => k.startsWith('behavior:'))).toBe(true);
        // Exactly what `stub generate` stores for the same market, for every targeted segment.
        const estimates = new Map(own.market.audienceSizes(campaignId).map((z) => [`${z.segmentType}:${z.segmentId}`, z]));
        const stored = await storedSizes(h.db, campaignId);
        expect(stored.map((s) => s.key)).toEqual(targeted);
        for (const s of stored) expect(s).toEqual({ key: s.key, lower: estimates.get(s.key)!.lower, upper: estimates.get(s.key)!.upper, source: 'meta' });
        expect(report.campaigns[0]!.sizes).toEqual({ targeted: targeted.length, sized: targeted.length });
        expect(report.targeted.interests + report.targeted.behaviors).toBe(targeted.length);
        // Sizes: one adinterestvalid call for up to 200 interests, one behaviors listing; then
        // discovery: one suggestion call for the campaign and one adinterestvalid for the suggestions.
        const searches = own.requests.filter((r) => r.path.endsWith('/search'));
        expect(searches.map((r) => new URLSearchParams(r.query).get('type'))).toEqual(['adinterestvalid', 'adTargetingCategory', 'adinterestsuggestion', 'adinterestvalid']);

        const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
        expect(result.recommendations.length).toBeGreaterThan(0);
        for (const n of scoreTraces(result)) expect(n).toMatchObject({ interest_by_size: true, behavior_by_size: true });
        expect(own.writes).toBe(0);
      } finally {
        await h.close();
        await own.close();
      }
    });

    it('leaves a segment Meta gives no size for without one, and the run weighs it as the median known size', async () => {
      const probe = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35 });
      const campaignId = probe.market.campaigns[0]!.campaignId;
      const interest = probe.market.audienceSizes(campaignId).find((z) => z.segmentType === 'interest')!.segmentId;
      const own = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35, unsizedSegmentIds: [interest] });
      const ownOrigin = await own.listen();
      const h = await harness(own, ownOrigin);
      try {
        const report = await metaSync(h.ctx);
        const targeted = await targetedOf(h.db, campaignId);
        expect(targeted).toContain(`interest:${interest}`);
        const stored = (await storedSizes(h.db, campaignId)).map((s) => s.key);
        expect(stored).toEqual(targeted.filter((k) => k !== `interest:${interest}`));
        expect(report.campaigns[0]!.sizes).toEqual({ targeted: targeted.length, sized: targeted.length - 1 });
        const result = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
        for (const n of scoreTraces(result)) {
          expect(n).toMatchObject({ interest_by_size: true, behavior_by_size: true });
          // Where the unsized interest is a candidate, the others' median stands in for its size.
          if (n['interest_sized'] !== n['interest_candidates']) expect(n['interest_typical_size']).toBeGreaterThan(0);
        }
        expect(scoreTraces(result).some((n) => n['interest_typical_size'] !== undefined)).toBe(true);
      } finally {
        await h.close();
        await own.close();
      }
    });

    it('a failing size lookup fails the sync with Meta\'s error and stores nothing of it', async () => {
      const own = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35 });
      const ownOrigin = await own.listen();
      const h = await harness(own, ownOrigin);
      try {
        own.inject({ kind: 'server-error', path: '/search', times: 50 });
        const error = await metaSync(h.ctx).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MetaUpstreamError);
        expect((error as Error).message).toMatch(/Nothing was stored/);
        for (const table of ['segment_sizes', 'insights', 'meta_adsets', 'meta_campaigns', 'campaigns']) expect(await count(h.db, `select count(*)::int as n from ${table}`)).toBe(0);
        // Retries are bounded: the lookup gave up rather than calling on.
        expect(own.requests.filter((r) => r.path.endsWith('/search')).length).toBeLessThan(50);
      } finally {
        await h.close();
        await own.close();
      }
    });
  });

  it('discovers: retired interests with a reason, and suggestions seeded with the best interests, with their sizes', async () => {
    const own = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35 });
    const ownOrigin = await own.listen();
    const h = await harness(own, ownOrigin);
    try {
      const campaignId = own.market.campaigns[0]!.campaignId;
      await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      const targeted = await h.db.query<{ id: string }>(`select distinct i->>'id' as id from meta_adsets, jsonb_array_elements(targeting->'flexible_spec'->0->'interests') as i where campaign_id = $1`, [campaignId]);
      const retiredId = targeted[0]!.id;
      const again = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 35, retiredInterestIds: [retiredId] });
      const againOrigin = await again.listen();
      try {
        const out = await runCli(['meta', 'discover', '--campaign', campaignId, '--json'], { db: h.db, clock: { now: () => new Date(NOW) } }, { META_GRAPH_URL: againOrigin, META_AD_ACCOUNT_ID: again.adAccountId, META_ACCESS_TOKEN: TOKEN });
        expect(out.code).toBe(0);
        const r = JSON.parse(out.stdout) as { seeds: { id: string; score: number | null }[]; retired: { id: string; reason: string }[]; suggestions: { id: string; sizeLower: number; sizeUpper: number }[] };
        expect(r.retired).toEqual([expect.objectContaining({ id: retiredId, reason: expect.stringMatching(/retired by Meta.*1487694/) })]);
        expect(r.seeds.length).toBeGreaterThan(0);
        expect(r.seeds.some((s) => s.id === retiredId)).toBe(false);
        expect(r.seeds.every((s) => typeof s.score === 'number')).toBe(true);
        expect(r.suggestions.length).toBeGreaterThan(0);
        const ids = new Set(targeted.map((t) => t.id));
        for (const s of r.suggestions) {
          expect(ids.has(s.id)).toBe(false);
          expect(s.sizeUpper).toBeGreaterThanOrEqual(s.sizeLower);
        }
        expect(again.writes).toBe(0);
      } finally {
        await again.close();
      }
    } finally {
      await h.close();
      await own.close();
    }
  });

  it('answers an unknown campaign as not found (exit 2), changing nothing', async () => {
    const db = await openTestDb();
    try {
      const out = await runCli(['run', '--campaign', '999999999', '--mode', 'live'], { db, clock: { now: () => new Date(NOW) } }, { META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/Object with ID '999999999' does not exist.*subcode 33.*Nothing was stored/);
      expect(await count(db, 'select count(*)::int as n from runs')).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("refuses an account whose currency Meta counts in another unit than ISO 4217's, naming why, and stores nothing", async () => {
    const twd = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 1, days: 10, pageSize: 200, currency: 'TWD' });
    const db = await openTestDb();
    try {
      const out = await runCli(['meta', 'sync'], { db, clock: { now: () => new Date(NOW) } }, { META_GRAPH_URL: await twd.listen(), META_AD_ACCOUNT_ID: twd.adAccountId, META_ACCESS_TOKEN: TOKEN });
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/currency TWD has 2 decimal digit\(s\) in ISO 4217 but Meta counts its budgets with 0 \(offset 1\).*nothing was stored/);
      expect(await count(db, 'select count(*)::int as n from campaigns')).toBe(0);
      expect(await count(db, 'select count(*)::int as n from insights')).toBe(0);
    } finally {
      await db.close();
      await twd.close();
    }
  });

  it('refuses LIVE mode without credentials before any call', async () => {
    const db = await openTestDb();
    try {
      const calls = fake.requests.length;
      const sync = await runCli(['meta', 'sync'], { db }, { META_GRAPH_URL: origin });
      expect(sync.code).toBe(2);
      expect(sync.stderr).toMatch(/META_ACCESS_TOKEN: required in LIVE mode.*META_AD_ACCOUNT_ID: required/);
      const run = await runCli(['run', '--campaign', '123', '--mode', 'live'], { db }, { META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: 'act_1' });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/META_ACCESS_TOKEN: required/);
      expect(fake.requests.length).toBe(calls);
    } finally {
      await db.close();
    }
  });

  it('never lets the token out: not in output, logs, stored rows or any URL', async () => {
    const db = await openTestDb();
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    try {
      const env = { META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, LOG_LEVEL: 'trace' };
      const overrides = { db, logger: pino({ level: 'trace' }, sink), clock: { now: () => new Date(NOW) }, metaRuntime: { sleep: async () => {}, random: () => 0.5 } };
      fake.inject({ kind: 'rate-limit' });
      fake.inject({ kind: 'server-error' });
      const outputs = [
        await runCli(['meta', 'check'], overrides, env),
        await runCli(['meta', 'sync', '--json'], overrides, env),
        await runCli(['run', '--campaign', fake.market.campaigns[0]!.campaignId, '--mode', 'live', '--json'], overrides, env),
        await runCli(['meta', 'check'], overrides, { ...env, META_ACCESS_TOKEN: `${TOKEN}wrong` }),
      ];
      expect(outputs.map((o) => o.code)).toEqual([0, 0, 0, 1]);
      expect(outputs[0]!.stdout).toMatch(/Token valid[\s\S]*Ad account act_1000000001[\s\S]*API v26\.0[\s\S]*Usage: /);
      expect(outputs[3]!.stderr).toMatch(/access token was refused \(code 190/);
      const tables = await db.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = current_schema()`);
      let dump = '';
      for (const t of tables) dump += JSON.stringify(await db.query(`select * from "${t.table_name}"`));
      expect(dump.length).toBeGreaterThan(10_000);
      const everything = [...outputs.flatMap((o) => [o.stdout, o.stderr]), logs.join(''), dump].join('\n');
      expect(logs.join('')).toMatch(/retrying/);
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(0, 20));
      // Meta's next links carry the token; the client strips it before following them.
      expect(fake.requests.some((r) => r.tokenInQuery)).toBe(false);
      expect(process.title).not.toContain(TOKEN);
    } finally {
      await db.close();
    }
  });
});
