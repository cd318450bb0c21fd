// Lookalikes of a LIVE recommendation made on the fake Graph API: dry run by default, the exact
// create requests, populating then ready, reuse of a recorded one, Meta's duplicate (2654) resolved
// by finding the identical one, per-country lookalikes, a source too small, a special ad category.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../src/context.ts';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { ConflictError } from '../src/services/errors.ts';
import { applyRecommendation } from '../src/services/apply-recommendation.ts';
import { ensureLookalikes, recordedSource } from '../src/services/lookalikes.ts';
import { metaSync } from '../src/services/meta.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import type { Db } from '../src/store/db.ts';
import { runCli } from './helpers/cli.ts';
import { openTestDb, testConfig, usingPostgres } from './helpers/db.ts';

const TOKEN = 'EAAzzTOKENlookalikes0987654321abcdef';
const NOW = '2026-11-20T08:00:00Z';

describe(`lookalikes against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let db: Db;
  let ctx: AppContext;
  let rec: Recommendation;
  const logs: string[] = [];
  const env = () => ({ META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN });
  let origin: string;
  /** A custom audience on the (fake) account: the recommendation's own source is one it proposes to build. */
  let sourceId: string;
  const ensure = (o: { confirm: boolean; perCountry?: boolean }) => ensureLookalikes(ctx, { recommendationId: rec.recommendation_id, sourceAudienceId: sourceId, ...o });
  const stored = async () => db.query<{ audience_id: string; ratio_pct: number; countries: string[]; state: string; origin: string; ready_at: unknown }>('select audience_id, ratio_pct, countries, state, origin, ready_at from meta_lookalikes order by ratio_pct, countries');
  const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/customaudiences'));

  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 2, adsetsPerCampaign: 2, days: 40, pageSize: 200 });
    origin = await fake.listen();
    db = await openTestDb();
    const sink = new Writable({ write(chunk: Buffer, _e, done) { logs.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
    ctx = await createContext(testConfig(env()), { db, clock: { now: () => new Date(NOW) }, logger: pino({ level: 'debug' }, sink), metaRuntime: { sleep: async () => {}, random: () => 0.5 } });
    await metaSync(ctx);
    const campaignId = fake.market.campaigns[0]!.campaignId;
    const run = await runOptimization(ctx, { campaignId, budget: null, mode: 'live' });
    rec = run.recommendations.find((r) => r.lookalikes.length === 3 && r.countries.length > 1)!;
    expect(rec).toBeDefined();
    sourceId = (await db.query<{ audience_id: string }>(`select audience_id from meta_custom_audiences where subtype = 'CUSTOM' order by audience_id limit 1`))[0]!.audience_id;
  });
  afterAll(async () => {
    await fake.close();
    await db.close();
  });

  it("says when the recommendation's source is not on the account yet, naming the account's audiences, and uses the one asked for", async () => {
    expect(rec.lookalikes[0]!.source_audience_id).toMatch(/^ca_/);
    // The fake's market builds lookalikes on the campaign's converters, which no account audience holds.
    await expect(ensureLookalikes(ctx, { recommendationId: rec.recommendation_id, confirm: false })).rejects.toThrow(new RegExp(`lookalike source ${rec.lookalikes[0]!.source_audience_id} is an audience it proposes to build, not one on the account.*give it as the source: .*${sourceId}`));
    await expect(ensureLookalikes(ctx, { recommendationId: rec.recommendation_id, confirm: false, sourceAudienceId: 'abc' })).rejects.toThrow(/^source: must be a custom audience id/);
    expect((await ensure({ confirm: false })).source).toMatchObject({ audience_id: sourceId, chosen: 'the source asked for' });
  });

  it('a dry run says what would be created, and neither creates nor stores anything', async () => {
    const result = await ensure({ confirm: false });
    expect(result.dry_run).toBe(true);
    expect(result.lookalikes.map((l) => [l.ratio, l.action, l.state])).toEqual([[0.01, 'create', 'planned'], [0.03, 'create', 'planned'], [0.05, 'create', 'planned']]);
    expect(result.all_ready).toBe(false);
    expect(creates()).toHaveLength(0);
    expect(await stored()).toEqual([]);
  });

  it('creates the 1 %, 3 % and 5 % lookalikes of the source for the country group, which populate, then are ready', async () => {
    const countries = [...rec.countries].sort();
    const source = sourceId;
    const made = await ensure({ confirm: true });
    expect(made.lookalikes.map((l) => [l.ratio, l.action, l.state, l.countries])).toEqual([0.01, 0.03, 0.05].map((r) => [r, 'created', 'populating', countries]));
    expect(made.all_ready).toBe(false);
    expect(made.message).toMatch(/still populating \(Meta takes 1 to 6 hours\): an ad set that uses them is applied once they are ready/);
    // The exact requests: subtype, source, and the group through location_spec, ratio without type.
    expect(fake.lookalikes.created.map((l) => l.wire.lookalike_spec)).toEqual([0.01, 0.03, 0.05].map((ratio) => ({ origin: [expect.objectContaining({ id: source })], ratio, starting_ratio: 0, target_countries: countries, type: 'custom_ratio' })));
    expect(creates()).toHaveLength(3);
    expect((await stored()).map((r) => [r.ratio_pct, r.state, r.origin])).toEqual([[1, 'populating', 'created'], [3, 'populating', 'created'], [5, 'populating', 'created']]);

    const again = await ensure({ confirm: true });
    expect(again.lookalikes.map((l) => [l.action, l.state, l.audience_id])).toEqual(made.lookalikes.map((l) => ['reused', 'ready', l.audience_id]));
    expect(again.all_ready).toBe(true);
    expect(creates()).toHaveLength(3);
    expect((await stored()).every((r) => r.state === 'ready' && r.ready_at !== null)).toBe(true);
  });

  it("reuses an identical lookalike instead of failing on Meta's duplicate error (2654)", async () => {
    const ids = (await stored()).map((r) => r.audience_id);
    // As if they had been made in Ads Manager, or by a call that failed before recording them.
    await db.query('delete from meta_lookalikes');
    const result = await ensure({ confirm: true });
    expect(result.lookalikes.map((l) => [l.action, l.audience_id])).toEqual(ids.map((id) => ['found', id]));
    const refused = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/customaudiences') && r.status === 400);
    expect(refused).toHaveLength(3);
    expect(fake.lookalikes.created).toHaveLength(3);
    expect((await stored()).map((r) => r.origin)).toEqual(['found', 'found', 'found']);
  });

  it('per country: one single-country lookalike per country and ratio', async () => {
    const result = await ensure({ confirm: true, perCountry: true });
    expect(result.lookalikes).toHaveLength(3 * rec.countries.length);
    expect(result.lookalikes.every((l) => l.countries.length === 1 && l.action === 'created')).toBe(true);
    const last = fake.lookalikes.created.at(-1)!.wire.lookalike_spec!;
    expect(last.country).toBe(last.target_countries![0]);
  });

  it('refuses a source under 100 people clearly, and advises when it is under 1,000', async () => {
    const source = sourceId;
    const before = fake.lookalikes.created.length;
    fake.lookalikes.resize(source, 80);
    const error = await ensure({ confirm: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/holds about 72 people; Meta needs at least 100 people in one country .* Nothing was created/);
    fake.lookalikes.resize(source, 600);
    const advised = await ensure({ confirm: false });
    expect(advised.source!.advice).toMatch(/below the 1,000–5,000 Meta recommends/);
    expect(advised.message).toContain('Note: the source holds about 540 people');
    expect(fake.lookalikes.created).toHaveLength(before);
    fake.lookalikes.resize(source, 20_000);
  });

  it('refuses in a special ad category (no lookalikes there), and through the CLI: dry run by default, never the token', async () => {
    await db.query(`update meta_campaigns set special_ad_categories = '{EMPLOYMENT}' where campaign_id = $1`, [rec.campaign_id]);
    await expect(ensure({ confirm: true })).rejects.toThrow(/special ad category EMPLOYMENT, in which Meta allows no lookalike audiences/);
    await db.query(`update meta_campaigns set special_ad_categories = '{}' where campaign_id = $1`, [rec.campaign_id]);
    const overrides = { db, clock: { now: () => new Date(NOW) } };
    const cli = await runCli(['meta', 'lookalikes', '--recommendation', rec.recommendation_id, '--source', sourceId], overrides, env());
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^Dry run: 0 lookalike\(s\) would be created, 3 reused; nothing was created or stored/);
    expect((await runCli(['meta', 'lookalikes'], overrides, env())).code).toBe(2);
    expect([cli.stdout, cli.stderr, ...logs].join('\n')).not.toContain(TOKEN);
  });
});

describe(`a LIVE apply finds the lookalikes made with meta lookalikes --source (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let db: Db;
  let ctx: AppContext;
  let origin: string;
  const env = () => ({ META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, META_TARGETING_APPLY_ENABLED: 'true', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000', META_SPLIT_MIN_DAILY_BUDGET_MINOR: '100000000' });

  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 2, days: 40, pageSize: 200 });
    origin = await fake.listen();
    db = await openTestDb();
    ctx = await createContext(testConfig(env()), { db, clock: { now: () => new Date(NOW) }, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async () => {}, random: () => 0.5 } });
    await metaSync(ctx);
  });
  afterAll(async () => {
    await fake.close();
    await db.close();
  });

  it('the apply targets the ready lookalikes of the other source instead of making its own or leaving them out', async () => {
    const campaignId = fake.market.campaigns[0]!.campaignId;
    const rec = (await runOptimization(ctx, { campaignId, budget: null, mode: 'live' })).recommendations.find((r) => r.lookalikes.length > 0 && r.adset_id !== null)!;
    const accountSources = new Set((await db.query<{ audience_id: string }>(`select audience_id from meta_custom_audiences where subtype = 'CUSTOM'`)).map((r) => r.audience_id));
    const source = [...accountSources].find((id) => id !== rec.lookalikes[0]!.source_audience_id && !rec.custom_audiences.some((c) => c.audience_id === id))!;
    expect(source).toBeDefined();
    const overrides = { db, clock: { now: () => new Date(NOW) } };
    const made = await runCli(['meta', 'lookalikes', '--recommendation', rec.recommendation_id, '--source', source, '--yes', '--json'], overrides, env());
    expect(made.code).toBe(0);
    const ids = (JSON.parse(made.stdout) as { lookalikes: { audience_id: string; action: string }[] }).lookalikes.map((l) => l.audience_id);
    expect(ids).toHaveLength(rec.lookalikes.length);
    // Asked again, Meta says they are ready now.
    const ready = await runCli(['meta', 'lookalikes', '--recommendation', rec.recommendation_id, '--source', source, '--yes', '--json'], overrides, env());
    expect(JSON.parse(ready.stdout)).toMatchObject({ all_ready: true });
    const created = fake.lookalikes.created.length;

    const dry = await applyRecommendation(ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true });
    expect(dry.lookalikes).toMatchObject({ included: true });
    expect(dry.lookalikes!.audiences.map((a) => [a.audience_id, a.action, a.state])).toEqual(ids.map((id) => [id, 'reused', 'ready']));
    const done = await applyRecommendation(ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    expect(done).toMatchObject({ success: true, state: 'applied', lookalikes: { included: true } });
    const targeted = (fake.adSet(rec.adset_id!)!.targeting!.custom_audiences ?? []).map((a) => String(a.id));
    expect(targeted).toEqual(expect.arrayContaining(ids));
    expect(fake.lookalikes.created.length).toBe(created);
  });

  it('finds a recorded set per country too, and prefers the recommendation\'s own source', () => {
    const rec = { lookalikes: [{ source_audience_id: 'ca_x', ratio: 0.01, country_codes: ['es', 'PT'] }, { source_audience_id: 'ca_x', ratio: 0.03, country_codes: ['ES', 'PT'] }], custom_audiences: [{ audience_id: '22' }] } as unknown as Recommendation;
    const row = (origin: string, ratioPct: number, countries: string[]) => ({ originAudienceId: origin, ratioPct, countries });
    const perCountry = [1, 3].flatMap((r) => [row('11', r, ['ES']), row('11', r, ['PT'])]);
    expect(recordedSource(rec, perCountry)).toEqual({ id: '11', perCountry: true });
    expect(recordedSource(rec, perCountry.slice(1))).toBeNull();
    expect(recordedSource(rec, [...perCountry, row('22', 1, ['ES', 'PT']), row('22', 3, ['ES', 'PT'])])).toEqual({ id: '22', perCountry: false });
  });
});
