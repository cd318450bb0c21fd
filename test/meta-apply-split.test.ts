// LIVE apply of a geo split against the project's fake Graph API: the first split under the budget-change
// limit, the copies it makes and their ads, what Ads Manager does to them between runs (paused,
// deleted, a lifetime budget, an ad added), crashes and refusals part-way, daily runs over a split
// and its rollback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecommendationDocument as Recommendation } from '../src/presentation/recommendation-document.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import type { GuardrailBlockedError } from '../src/services/apply-guardrails.ts';
import { applyRecommendation, type ApplyResult } from '../src/services/apply-recommendation.ts';
import { planLiveApply } from '../src/services/live-apply.ts';
import { activate, sendChange } from '../src/services/live-changes.ts';
import { metaClientFor, metaSync } from '../src/services/meta.ts';
import { PENDING_GRACE_MS } from '../src/services/reconcile-changes.ts';
import { rollbackChange } from '../src/services/rollback-change.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { getStoredChange } from '../src/store/history.ts';
import { POOL_KEY } from '../src/meta/adset-split.ts';
import { getDecisionInputs } from '../src/store/decision-inputs.ts';
import { getRecommendationDecision } from '../src/store/runs.ts';
import type { Decision } from '../src/engine/types.ts';
import { usingPostgres } from './helpers/db.ts';
import { harness as liveHarness, TOKEN, type Harness } from './helpers/meta-harness.ts';
import { END, harness, openAccount, closeAccount, deliverAndSync, recordPending, liveRecommendation, snapshot, minor, writesTo } from './helpers/live-apply.ts';

/** A synced account of one campaign with two ad sets, applies switched on and every other guardrail at its default. */
async function openAccountAtDefaults(): Promise<{ fake: FakeGraphApi; h: Harness; campaignId: string }> {
  const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 2, days: 40, pageSize: 200 });
  const h = await liveHarness(fake, await fake.listen(), { META_TARGETING_APPLY_ENABLED: 'true' });
  await metaSync(h.ctx);
  return { fake, h, campaignId: fake.market.campaigns[0]!.campaignId };
}

/** The ad a split's copy holds for an ad of the original, as recorded, with the status the optimizer last gave it. */
const splitAdOf = async (h: Harness, copyAdsetId: string, sourceAdId: string) =>
  (await h.db.query<{ ad_id: string; optimizer_status: string }>('select ad_id, optimizer_status from meta_split_ads where copy_adset_id = $1 and source_ad_id = $2', [copyAdsetId, sourceAdId]))[0];

describe(`A first geo split under the budget-change limit, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let h: Harness;
  let rec: Recommendation;
  let adsetId: string;
  let originalMinor: number;
  /** The history's split: the ad set's spend per country over the recommendation's window. */
  let spend: Map<string, number>;
  let spendTotal: number;

  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 40, pageSize: 200 });
    const origin = await fake.listen();
    // The default limit of ±20 % per apply.
    h = await harness(fake, origin, { META_TARGETING_MAX_BUDGET_CHANGE_PCT: '20' });
    const campaignId = fake.market.campaigns[0]!.campaignId;
    await metaSync(h.ctx);
    adsetId = fake.adSetsOf(campaignId)[0]!.id;
    rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
    originalMinor = Number(fake.adSet(adsetId)!.daily_budget);
    const rows = await h.db.query<{ country: string; spend: number }>(
      `select country, sum(spend_minor)::float8 as spend from insights where adset_id = $1 and segment_type = '' and country <> '' and date between $2::date and $3::date group by 1 order by 2 desc`,
      [adsetId, rec.reasoning.window.start, rec.reasoning.window.end],
    );
    spend = new Map(rows.map((r) => [r.country, r.spend]));
    spendTotal = rows.reduce((s, r) => s + r.spend, 0);
    expect(spend.size).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  /** What a country got from the original ad set before: its share of the spend times the original's budget. */
  const previous = (country: string) => Math.round(((spend.get(country) ?? 0) * originalMinor) / spendTotal);
  /** The recommendation with these daily budgets per country (minor units), in its stored decision and document alike. */
  const withBudgets = async (budgets: Map<string, number>, of: Recommendation = rec): Promise<void> => {
    const template = of.geo_allocations[0]!;
    const allocations = [...budgets].map(([country, amount]) => ({ ...(of.geo_allocations.find((g) => g.country_code === country) ?? template), country_code: country, budget_amount: amount / 100 }));
    const doc: Recommendation = { ...of, countries: [...budgets.keys()], geo_allocations: allocations };
    const decision = (await getRecommendationDecision(h.db, of.recommendation_id))!;
    const countries = [...budgets].map(([countryCode, amountMinor]) => ({ ...(decision.countries.find((c) => c.countryCode === countryCode) ?? decision.countries[0]!), countryCode, amountMinor }));
    const decided = { ...decision, countries, budgetMinor: countries.reduce((a, c) => a + c.amountMinor, 0) };
    await h.db.query('update recommendations set document = $2::jsonb, decision = $3::jsonb where recommendation_id = $1', [of.recommendation_id, JSON.stringify(doc), JSON.stringify(decided)]);
  };
  /** Every country of the history at `factor` times what it got before, `changed` at its own factor. */
  const scaled = (factor: number, changed: Record<string, number> = {}) => new Map([...spend.keys()].map((c) => [c, Math.round(previous(c) * (changed[c] ?? factor))]));
  const dryRun = async () => (await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true })).guardrails!;

  it('a first split within ±20 % of the history\'s split passes; each group is named with its previous implied budget, the proposed one and the change', async () => {
    await withBudgets(scaled(1.1));
    const g = await dryRun();
    expect(g).toMatchObject({ allowed: true, blocked_by: null });
    const sizes = g.checks.filter((c) => c.rule === 'max_budget_change');
    const largest = [...spend.keys()][0]!;
    expect(sizes.find((c) => c.detail.startsWith(`country group ${largest}:`))!.detail).toContain(`from ${(previous(largest) / 100).toFixed(2)} EUR to ${((Math.round(previous(largest) * 1.1)) / 100).toFixed(2)} EUR (+10.0 %); within`);
    expect(sizes.at(-1)!.detail).toMatch(/total budget \(original and copies\) .* within/);
  });

  it('a split that moves one group beyond ±20 % of what it got before is refused, naming that group; nothing is sent', async () => {
    const second = [...spend.keys()][1]!;
    await withBudgets(scaled(1, { [second]: 1.3 }));
    const g = await dryRun();
    expect(g).toMatchObject({ allowed: false, blocked_by: 'max_budget_change' });
    expect(g.message).toMatch(new RegExp(`^guardrail max_budget_change: country group ${second}: .*previous implied budget.* from ${(previous(second) / 100).toFixed(2)} EUR to ${(Math.round(previous(second) * 1.3) / 100).toFixed(2)} EUR \\(\\+30\\.0 %\\); beyond the limit of ±20 %`));
    const before = fake.requests.length;
    const error = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false }).then(() => null, (e: unknown) => e);
    expect((error as GuardrailBlockedError).rule).toBe('max_budget_change');
    expect((error as GuardrailBlockedError).kind).toBe('content');
    expect(fake.requests.slice(before).filter((r) => r.kind !== 'read')).toEqual([]);
  });

  it('a group with no spend in the window is an unbounded change: allowed only within 20 % of the original\'s budget', async () => {
    const fresh = ['NL', 'BE', 'AT', 'PL', 'SE'].find((c) => !spend.has(c))!;
    const base = scaled(0.9);
    await withBudgets(new Map([...base, [fresh, Math.floor(originalMinor * 0.1)]]));
    const within = await dryRun();
    expect(within.allowed).toBe(true);
    expect(within.checks.find((c) => c.detail.startsWith(`country group ${fresh} `))!.detail).toMatch(/no spend in the recommendation's window.* \(\+∞ %\), an unbounded change: allowed up to ±20 % of the original ad set's budget of .*; within/);
    await withBudgets(new Map([...base, [fresh, Math.floor(originalMinor * 0.2) + 1]]));
    const beyond = await dryRun();
    expect(beyond).toMatchObject({ allowed: false, blocked_by: 'max_budget_change' });
    expect(beyond.message).toMatch(new RegExp(`country group ${fresh} \\(no spend .*unbounded change.*beyond`));
  });

  it('the family\'s total is judged against the original\'s budget', async () => {
    const fresh = ['NL', 'BE', 'AT', 'PL', 'SE'].find((c) => !spend.has(c))!;
    // Every group within its own limit, but together 35 % more money than the original had.
    await withBudgets(new Map([...scaled(1.19), [fresh, Math.floor(originalMinor * 0.15)]]));
    const g = await dryRun();
    expect(g).toMatchObject({ allowed: false, blocked_by: 'max_budget_change' });
    expect(g.checks.filter((c) => !c.passed).map((c) => c.detail)).toEqual([expect.stringMatching(/^the geo split's total budget \(original and copies\) against the original ad set's current budget would move from .* \(\+3[34]\.\d %\); beyond/)]);
  });

  it('applied, the split lands with the original far below 80 % of its budget: judged per Meta ad set it would have been refused', async () => {
    await withBudgets(scaled(1.1));
    const done = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    expect(done).toMatchObject({ success: true, state: 'applied', guardrails: { allowed: true } });
    expect(done.adsets.filter((a) => a.step === 'create').length).toBeGreaterThan(0);
    expect(Number(fake.adSet(adsetId)!.daily_budget)).toBeLessThan(originalMinor * 0.8);
    // Found again, the split is judged per ad set as before: a copy's budget against what Meta holds for it.
    const next = (await runOptimization(h.ctx, { campaignId: rec.campaign_id, budget: '1234', mode: 'live' })).recommendations.find((r) => r.adset_id === adsetId)!;
    await withBudgets(scaled(1.1), next);
    const g = (await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true })).guardrails!;
    const sizes = g.checks.filter((c) => c.rule === 'max_budget_change');
    expect(sizes.length).toBe(done.adsets.length);
    for (const c of sizes) expect(c.detail).toMatch(/^ad set \d+: the budget stays/);

    // A country holding its own ad set keeps it down to half the minimum, then joins the pool.
    const min = h.ctx.config.meta.splitMinDailyBudgetMinor;
    const own = done.adsets.filter((a) => a.step === 'create' && a.countries.length === 1).map((a) => a.countries[0]!);
    expect(own.length).toBeGreaterThan(0);
    const planFor = async (amount: number) => {
      await withBudgets(new Map([...scaled(1.1), [own[0]!, amount]]), next);
      const adsets = (await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true })).adsets;
      return { alone: adsets.filter((a) => a.step === 'update' && a.countries.length === 1 && a.countries[0] === own[0]).length, pooled: adsets.some((a) => a.countries.length > 1 && a.countries.includes(own[0]!)), retired: adsets.filter((a) => a.step === 'retire').length };
    };
    expect(await planFor(Math.round(min * 0.6))).toEqual({ alone: 1, pooled: false, retired: 0 });
    expect(await planFor(Math.ceil(min / 2) - 1)).toEqual({ alone: 0, pooled: true, retired: 1 });

    // Spain's share has a floor, which a pool would leave to Meta's delivery: far under the minimum it keeps an ad set of its own.
    expect(spend.has('ES')).toBe(true);
    await withBudgets(new Map([...scaled(1.1), ['ES', Math.round(min * 0.2)]]), next);
    const spain = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true });
    expect(spain.adsets.filter((a) => a.step !== 'retire' && a.countries.includes('ES')).map((a) => ({ countries: a.countries, budget: a.daily_budget_minor }))).toEqual([{ countries: ['ES'], budget: Math.round(min * 0.2) }]);
    // The answer says why.
    expect(spain.notes.filter((n) => n.kind === 'floor').map((n) => n.message)).toEqual([expect.stringMatching(/^ES has an ad set of its own under META_SPLIT_MIN_DAILY_BUDGET_MINOR \(\d+\): its share of the budget has a floor/)]);
  });
});

describe(`A LIVE run after a geo split landed, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('reads the original and its copies as one ad set: one recommendation, for the original, over every country of the split, which the next apply places on the same ad sets', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const first = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      const rec = first.recommendations.find((r) => r.adset_id === adsetId)!;
      const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      const family = applied.adsets.map((a) => a.adset_id!);
      expect(applied.adsets.filter((a) => a.step === 'create').length).toBeGreaterThan(1);
      // A month of delivery: every day of the next run's window is the split's, each country in its own ad set.
      await deliverAndSync(fake, h, campaignId, 30);
      const next = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
      expect(next.recommendations.map((r) => r.adset_id).sort()).toEqual(first.recommendations.map((r) => r.adset_id).sort());
      const again = next.recommendations.find((r) => r.adset_id === adsetId)!;
      expect(again.geo_allocations.map((g) => g.country_code).sort()).toEqual(rec.geo_allocations.map((g) => g.country_code).sort());
      // The engine saw each country's delivery in the window from whichever of the family's ad sets delivered it.
      const inputs = (await getDecisionInputs(h.db, next.run.runId))!;
      const stored = inputs.snapshot.adsets.find((a) => a.adsetId === adsetId)!;
      const rows = await h.db.query<{ country: string; spend: number }>(
        `select country, sum(spend_minor)::float8 as spend from insights where campaign_id = $1 and adset_id = any($2) and country <> '' and date between $3::date and $4::date group by country order by country`,
        [campaignId, family, inputs.snapshot.windowStart, inputs.snapshot.windowEnd],
      );
      expect(stored.countries.map((c) => ({ country: c.countryCode, spend: c.total.spendMinor })).sort((a, b) => (a.country < b.country ? -1 : 1))).toEqual(rows.map((r) => ({ country: r.country, spend: Number(r.spend) })));
      // It knows which countries deliver through an ad set of their own, which LIVE apply lets them keep down to half the minimum.
      const own = await h.db.query<{ group_key: string }>('select group_key from meta_adset_splits where source_adset_id = $1 and group_key <> $2 order by group_key', [adsetId, POOL_KEY]);
      expect(own.length).toBeGreaterThan(1);
      expect(inputs.settings.countryAdSets!.holding).toEqual([{ adsetId, countries: own.map((r) => r.group_key) }]);
      // A copy paused in Ads Manager no longer holds its country's ad set; its rows still count for the original.
      const paused = applied.adsets.find((a) => a.step === 'create' && a.countries.length === 1 && own.some((r) => r.group_key === a.countries[0]))!;
      fake.pauseAdSet(paused.adset_id!);
      await metaSync(h.ctx, { campaignId });
      const later = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
      const laterInputs = (await getDecisionInputs(h.db, later.run.runId))!;
      expect(laterInputs.settings.countryAdSets!.holding).toEqual([{ adsetId, countries: own.map((r) => r.group_key).filter((c) => c !== paused.countries[0]) }]);
      expect(laterInputs.snapshot.adsets.find((a) => a.adsetId === adsetId)!.countries.find((c) => c.countryCode === paused.countries[0])!.total.spendMinor).toBeGreaterThan(0);
      // Applied, it updates the ad sets the split made rather than copying them again.
      const plan = await applyRecommendation(h.ctx, { recommendationId: again.recommendation_id, mode: 'live', dryRun: true });
      expect(plan.adsets.filter((a) => a.step === 'create')).toEqual([]);
      expect(plan.adsets.map((a) => a.adset_id).sort()).toEqual([...family].sort());
      // The original paused in Ads Manager pauses the split's optimization: no recommendation for it or its copies, which are left as they are.
      fake.pauseAdSet(adsetId);
      await metaSync(h.ctx, { campaignId });
      const halted = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
      expect(halted.recommendations.map((r) => r.adset_id).filter((id) => family.includes(id!))).toEqual([]);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A split's copy paused in Ads Manager, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('stays paused: the next apply changes its targeting and budget, sends it no status and says so; activated there again, it follows the original', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      // The copy holding the largest country group: it holds it at the next run too.
      const copy = applied.adsets.filter((a) => a.step === 'create' && a.countries.length === 1).sort((a, b) => b.daily_budget_minor! - a.daily_budget_minor!)[0]!;
      expect(fake.adSet(copy.adset_id!)!.status).toBe('ACTIVE');
      fake.pauseAdSet(copy.adset_id!);
      await deliverAndSync(fake, h, campaignId, 1);
      const next = await liveRecommendation(h, campaignId, adsetId, true);
      const since = fake.requests.length;
      const done = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(done).toMatchObject({ success: true, state: 'applied' });
      const change = done.adsets.find((a) => a.adset_id === copy.adset_id)!;
      expect(change).toMatchObject({ step: 'update', countries: copy.countries });
      expect(change.diff.map((d) => d.field)).not.toContain('status');
      expect(done.notes.filter((n) => n.kind === 'paused')).toEqual([
        { kind: 'paused', field: 'status', adset_id: copy.adset_id, message: expect.stringMatching(new RegExp(`^paused outside the optimizer .* so ${copy.countries[0]} gets none of the ${change.daily_budget_minor} minor units a day`)) },
      ]);
      const sentTo = writesTo(fake, since).filter((w) => w.path.endsWith(`/${copy.adset_id}`));
      expect(sentTo.length).toBe(1);
      expect(new URLSearchParams(sentTo[0]!.body).get('status')).toBeNull();
      expect(fake.adSet(copy.adset_id!)).toMatchObject({ status: 'PAUSED', daily_budget: String(change.daily_budget_minor) });
      // Still paused at the next plan: the apply that left it so did not make the pause the optimizer's.
      const again = await planLiveApply(h.ctx, metaClientFor(h.ctx).client, next);
      expect(again.doc.adsets.find((a) => a.adset_id === copy.adset_id)!.notes.map((n) => n.kind)).toContain('paused');
      // Activated in Ads Manager again: it is the split's again, paused and activated with the original.
      fake.activateAdSet(copy.adset_id!);
      fake.pauseAdSet(adsetId);
      const halted = await planLiveApply(h.ctx, metaClientFor(h.ctx).client, next);
      expect(halted.doc.adsets.find((a) => a.adset_id === copy.adset_id)!.diff).toContainEqual({ field: 'status', before: 'ACTIVE', after: 'PAUSED' });
      expect(halted.doc.adsets.flatMap((a) => a.notes).filter((n) => n.kind === 'paused')).toEqual([]);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`An ad copy refused part-way through a geo split, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('undoes the apply; a copy with every ad is kept for the next apply, one short of ads stays paused and its group is copied anew', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const original = snapshot(fake, [adsetId]);
      const ads = fake.adsOf(adsetId);
      // The second copy's copy of the original's second ad is refused; the first copy got all of them.
      fake.inject({ kind: 'invalid-parameter', on: 'write', path: `${ads[1]!.id}/copies`, after: 1 });
      const failed = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(failed).toMatchObject({ success: false, state: 'failed' });
      const made = failed.adsets.filter((a) => a.step === 'create' && a.adset_id !== null).map((a) => a.adset_id!);
      expect(made.length).toBe(2);
      const [whole, short] = made;
      expect([fake.adsOf(whole!).length, fake.adsOf(short!).length]).toEqual([ads.length, 1]);
      for (const id of made) expect(fake.adSet(id)!.status).toBe('PAUSED');
      expect(snapshot(fake, [adsetId])).toEqual(original);
      const kept = await h.db.query<{ adset_id: string }>('select adset_id from meta_adset_splits where source_adset_id = $1', [adsetId]);
      expect(kept.map((r) => r.adset_id)).toEqual([whole]);
      // Applied again: the kept copy is updated, the short one's group gets a new copy with every ad.
      const again = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(again).toMatchObject({ success: true, state: 'applied' });
      expect(again.adsets.find((a) => a.adset_id === whole)!.step).toBe('update');
      expect(again.adsets.map((a) => a.adset_id)).not.toContain(short);
      for (const a of again.adsets.filter((x) => x.adset_id !== adsetId)) expect(fake.adsOf(a.adset_id!).map((ad) => [ad.name, ad.status])).toEqual(ads.map((ad) => [ad.name, ad.status]));
      expect(fake.adSet(short!)!.status).toBe('PAUSED');
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A crash between a copy's ads, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the next LIVE run finds the copy short of ads: the change is settled failed and what had landed is undone', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const original = snapshot(fake, [adsetId]);
      const { client } = metaClientFor(h.ctx);
      const plan = await planLiveApply(h.ctx, client, rec);
      const id = await recordPending(h, rec, plan, false);
      // Every change lands, then the process dies while copying the last copy's second ad.
      const last = plan.doc.adsets.filter((c) => c.step === 'create').at(-1)!;
      fake.inject({ kind: 'server-error', on: 'write', path: `${last.ads![1]!.source_ad_id}/copies`, after: plan.doc.adsets.filter((c) => c.step === 'create').length - 1, times: 10 });
      await expect((async () => {
        for (const c of plan.doc.adsets) if (c.diff.length > 0 || c.step === 'create') await sendChange(client, c, async () => {});
      })()).rejects.toThrow();
      expect(fake.adsOf(last.adset_id!).length).toBe(1);
      h.setNow(new Date(h.ctx.clock.now().getTime() + PENDING_GRACE_MS + 60_000).toISOString());
      await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
      const settled = (await getStoredChange(h.db, id))!;
      expect(settled.state).toBe('failed');
      expect(snapshot(fake, [adsetId])).toEqual(original);
      for (const c of plan.doc.adsets.filter((x) => x.step === 'create' && x.adset_id !== null)) expect(fake.adSet(c.adset_id!)!.status).toBe('PAUSED');
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A crash after a split's writes had landed, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  const afterGrace = (h: Harness) => h.setNow(new Date(h.ctx.clock.now().getTime() + PENDING_GRACE_MS + 60_000).toISOString());

  it('the next LIVE run records the copies and their ads as the apply would have: the next apply updates them, and no group is copied twice', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const { client } = metaClientFor(h.ctx);
      const plan = await planLiveApply(h.ctx, client, rec);
      const id = await recordPending(h, rec, plan, true);
      const creates = plan.doc.adsets.filter((c) => c.step === 'create');
      expect(creates.length).toBeGreaterThan(1);
      // Every write lands, none is recorded (the copies' and their ads' ids included), and the process dies before settling.
      for (const c of plan.doc.adsets) if (c.diff.length > 0 || c.step === 'create') await sendChange(client, c, async () => {});
      for (const c of plan.doc.adsets) if (c.activate) await activate(client, c, async () => {});
      const delivering = () => fake.adSetsOf(campaignId).filter((a) => a.status === 'ACTIVE').map((a) => a.id).sort();
      const splitDelivering = delivering();
      afterGrace(h);
      const next = await liveRecommendation(h, campaignId, adsetId, true);
      expect((await getStoredChange(h.db, id))!.state).toBe('applied');
      // Each copy found again holds its group, made by the interrupted apply, with every ad copied into it.
      const members = await h.db.query<{ group_key: string; adset_id: string; created_by: number }>('select group_key, adset_id, created_by_history_id::float8 as created_by from meta_adset_splits where source_adset_id = $1 and adset_id <> $1 order by group_key', [adsetId]);
      expect(members.map((m) => [m.group_key, m.adset_id, Number(m.created_by)])).toEqual(creates.map((c) => [c.group!.key, c.adset_id, id]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
      for (const c of creates) {
        const ads = await h.db.query<{ source_ad_id: string; ad_id: string }>('select source_ad_id, ad_id from meta_split_ads where copy_adset_id = $1 order by source_ad_id', [c.adset_id]);
        expect(ads.map((a) => a.ad_id).sort()).toEqual(fake.adsOf(c.adset_id!).map((a) => a.id).sort());
        expect(ads.map((a) => a.source_ad_id)).toEqual(fake.adsOf(adsetId).map((a) => a.id).sort());
      }
      // The next apply works on those copies: none is copied again, and no more ad sets deliver.
      const again = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(again).toMatchObject({ success: true, state: 'applied' });
      expect(again.adsets.filter((a) => a.step === 'create')).toEqual([]);
      expect(delivering()).toEqual(splitDelivering);
    } finally {
      await closeAccount(fake, h);
    }
  });

  it('an ad copied into a copy whose id the crash did not record is found by the ad it was copied from: paused, recorded, and turned on by the next apply instead of copied twice', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      expect(await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false })).toMatchObject({ success: true, state: 'applied' });
      const added = fake.addAd(adsetId, 'Ad 5 | new creative');
      await deliverAndSync(fake, h, campaignId, 1);
      const next = await liveRecommendation(h, campaignId, adsetId, true);
      const { client } = metaClientFor(h.ctx);
      const plan = await planLiveApply(h.ctx, client, next);
      const id = await recordPending(h, next, plan, false);
      const first = plan.doc.adsets.find((c) => (c.ads ?? []).some((a) => a.source_ad_id === added))!;
      // The ad lands in the first copy, then the process dies before its id is recorded.
      await expect(sendChange(client, first, async () => { throw new Error('the process died'); })).rejects.toThrow('the process died');
      const copies = () => fake.adsOf(first.adset_id!).filter((a) => a.name === 'Ad 5 | new creative').map((a) => [a.id, a.status]);
      const [orphan] = copies();
      expect(copies()).toEqual([[orphan![0], 'PAUSED']]);
      afterGrace(h);
      const after = await liveRecommendation(h, campaignId, adsetId, true);
      expect((await getStoredChange(h.db, id))!.state).toBe('failed');
      expect(await splitAdOf(h, first.adset_id!, added)).toEqual({ ad_id: orphan![0], optimizer_status: 'PAUSED' });
      const applied = await applyRecommendation(h.ctx, { recommendationId: after.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      expect(copies()).toEqual([[orphan![0], 'ACTIVE']]);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`The ads of a split's copies, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it("follow the original's: an ad added there is copied in, one turned off there is turned off; one changed in a copy is left; a rollback puts them back", async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      expect(await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false })).toMatchObject({ success: true, state: 'applied' });
      const sourceAds = fake.adsOf(adsetId);
      const rows = async () => h.db.query<{ copy_adset_id: string; source_ad_id: string; ad_id: string; optimizer_status: string }>('select copy_adset_id, source_ad_id, ad_id, optimizer_status from meta_split_ads order by copy_adset_id, source_ad_id');
      const copyOf = async (copy: string, source: string) => (await splitAdOf(h, copy, source))!;
      // Every ad copied into a copy is recorded with the original ad it mirrors and the status it was given.
      const first = await rows();
      const copies = [...new Set(first.map((r) => r.copy_adset_id))];
      expect(copies.length).toBeGreaterThan(1);
      for (const c of copies) expect(first.filter((r) => r.copy_adset_id === c).map((r) => [r.source_ad_id, r.optimizer_status])).toEqual(sourceAds.map((a) => [a.id, a.status]).sort());
      // In Ads Manager: a new creative in the original, the original's first ad turned off, and the first copy's copy of the second ad turned off there.
      const added = fake.addAd(adsetId, 'Ad 5 | new creative');
      const [off, kept] = sourceAds;
      fake.setAdStatus(off!.id, 'PAUSED');
      const touched = (await copyOf(copies[0]!, kept!.id)).ad_id;
      fake.setAdStatus(touched, 'PAUSED');
      // And a bid cap on the original, which the copies do not follow: each says so.
      fake.setBidding(adsetId, { bid_strategy: 'LOWEST_COST_WITH_BID_CAP', bid_amount: '350' });
      await deliverAndSync(fake, h, campaignId, 1);
      const next = await liveRecommendation(h, campaignId, adsetId, true);
      // A dry run validates the ad status changes with Meta and changes no ad.
      const adsNow = () => copies.map((c) => fake.adsOf(c));
      const beforeDry = adsNow();
      const dry = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true });
      expect(dry.validation).toEqual({ validated_by_meta: true, errors: [] });
      expect(adsNow()).toEqual(beforeDry);
      const applied = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      const updated = applied.adsets.filter((a) => a.step === 'update' && copies.includes(a.adset_id!)).map((a) => a.adset_id!);
      expect(updated.length).toBeGreaterThan(0);
      for (const c of updated) {
        const change = applied.adsets.find((a) => a.adset_id === c)!;
        const offCopy = (await copyOf(c, off!.id)).ad_id;
        expect(change.diff).toEqual(expect.arrayContaining([{ field: `ads.copy_of.${added}`, before: null, after: 'ACTIVE' }, { field: `ads.${offCopy}.status`, before: 'ACTIVE', after: 'PAUSED' }]));
        const addedCopy = await copyOf(c, added);
        expect(addedCopy.optimizer_status).toBe('ACTIVE');
        // Copied in paused, then turned on; the answer lists every request sent.
        expect(applied.requests).toEqual(expect.arrayContaining([
          { method: 'POST', path: `${added}/copies`, params: { adset_id: c, status_option: 'PAUSED', rename_options: { rename_strategy: 'NO_RENAME' } } },
          { method: 'POST', path: addedCopy.ad_id, params: { status: 'ACTIVE' } },
          { method: 'POST', path: offCopy, params: { status: 'PAUSED' } },
        ]));
        expect(fake.adsOf(c).find((a) => a.id === addedCopy.ad_id)).toMatchObject({ name: 'Ad 5 | new creative', status: 'ACTIVE' });
        expect(fake.adsOf(c).find((a) => a.id === offCopy)!.status).toBe('PAUSED');
      }
      expect(applied.notes.filter((n) => n.field === 'bidding').map((n) => n.adset_id).sort()).toEqual([...updated].sort());
      expect(applied.notes.find((n) => n.field === 'bidding')!.message).toMatch(/^bid strategy none here, LOWEST_COST_WITH_BID_CAP on the original; bid amount none here, 350 on the original: the split keeps/);
      // The copy of the second ad turned off in the first copy stays off, and the answer says why.
      expect(fake.adsOf(copies[0]!).find((a) => a.id === touched)!.status).toBe('PAUSED');
      if (updated.includes(copies[0]!)) expect(applied.notes).toContainEqual(expect.objectContaining({ adset_id: copies[0], field: 'ads', message: expect.stringContaining(`ads ${touched} were turned off or on here outside the optimizer`) }));
      // The original's own ads are never written to.
      expect(fake.adsOf(adsetId).map((a) => a.status)).toEqual([...sourceAds.map((a) => (a.id === off!.id ? 'PAUSED' : a.status)), 'ACTIVE']);
      // Rolled back: the ads copied in are paused, the ones it turned off are on again.
      expect(await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: false })).toMatchObject({ success: true });
      for (const c of updated) {
        const [addedCopy, offCopy] = [await copyOf(c, added), await copyOf(c, off!.id)];
        expect([fake.adsOf(c).find((a) => a.id === addedCopy.ad_id)!.status, fake.adsOf(c).find((a) => a.id === offCopy.ad_id)!.status]).toEqual(['PAUSED', 'ACTIVE']);
        expect([addedCopy.optimizer_status, offCopy.optimizer_status]).toEqual(['PAUSED', 'ACTIVE']);
      }
      // Applied again, the mirror is made again from what the rollback left, without copying twice.
      const again = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(again).toMatchObject({ success: true, state: 'applied' });
      for (const c of updated) {
        const addedCopy = await copyOf(c, added);
        expect(fake.adsOf(c).filter((a) => a.name === 'Ad 5 | new creative').map((a) => [a.id, a.status])).toEqual([[addedCopy.ad_id, 'ACTIVE']]);
        const offCopy = await copyOf(c, off!.id);
        expect(fake.adsOf(c).find((a) => a.id === offCopy.ad_id)!.status).toBe('PAUSED');
      }
      // A copy whose ads were never recorded (made by an earlier version, with a deep copy) is not mirrored, and the answer says so.
      await h.db.query('delete from meta_split_ads where copy_adset_id = $1', [updated[0]!]);
      fake.setAdStatus(off!.id, 'ACTIVE');
      const legacy = (await planLiveApply(h.ctx, metaClientFor(h.ctx).client, next)).doc.adsets.find((a) => a.adset_id === updated[0])!;
      expect(legacy.diff.filter((d) => d.field.startsWith('ads.'))).toEqual([]);
      expect(legacy.notes).toContainEqual({ kind: 'advisory', field: 'ads', message: expect.stringMatching(/^made before the optimizer recorded its copies' ads/) });
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`An ad write refused while mirroring a split's ads, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('undoes every ad write that had landed; the next apply mirrors again without copying an ad twice', async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const rec = await liveRecommendation(h, campaignId, adsetId);
      expect(await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false })).toMatchObject({ success: true, state: 'applied' });
      const added = fake.addAd(adsetId, 'Ad 5 | new creative');
      const off = fake.adsOf(adsetId)[0]!;
      fake.setAdStatus(off.id, 'PAUSED');
      await deliverAndSync(fake, h, campaignId, 1);
      const next = await liveRecommendation(h, campaignId, adsetId, true);
      const plan = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true });
      const mirrored = plan.adsets.filter((a) => a.diff.some((d) => d.field.startsWith('ads.'))).map((a) => a.adset_id!);
      expect(mirrored.length).toBeGreaterThan(1);
      const copyOf = (copy: string, source: string) => splitAdOf(h, copy, source);
      // The last mirrored copy's copy of the ad turned off is refused: the copies before it had landed.
      const refused = (await copyOf(mirrored.at(-1)!, off.id))!.ad_id;
      fake.inject({ kind: 'invalid-parameter', on: 'write', path: `/${refused}` });
      const failed = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(failed).toMatchObject({ success: false, state: 'failed' });
      for (const c of mirrored) {
        const offCopy = (await copyOf(c, off.id))!;
        expect(fake.adsOf(c).find((a) => a.id === offCopy.ad_id)!.status).toBe('ACTIVE');
        expect(offCopy.optimizer_status).toBe('ACTIVE');
        // An ad copied in before the refusal is paused again, and recorded: the next apply turns it on instead of copying it again.
        const addedCopy = await copyOf(c, added);
        if (addedCopy !== undefined) expect([fake.adsOf(c).find((a) => a.id === addedCopy.ad_id)!.status, addedCopy.optimizer_status]).toEqual(['PAUSED', 'PAUSED']);
        expect(fake.adsOf(c).filter((a) => a.name === 'Ad 5 | new creative' && a.status === 'ACTIVE')).toEqual([]);
      }
      expect((await copyOf(mirrored[0]!, added)) === undefined).toBe(false);
      const again = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(again).toMatchObject({ success: true, state: 'applied' });
      for (const c of mirrored) {
        expect(fake.adsOf(c).filter((a) => a.name === 'Ad 5 | new creative').map((a) => a.status)).toEqual(['ACTIVE']);
        const offCopy = (await copyOf(c, off.id))!;
        expect(fake.adsOf(c).find((a) => a.id === offCopy.ad_id)!.status).toBe('PAUSED');
      }
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`Daily LIVE runs and applies over a split, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a country whose budget falls under half the minimum joins the pool; the guardrails judge that money by audience, so the loop does not stall', async () => {
    // The guardrails at their defaults (±20 % per apply).
    const { fake, h, campaignId } = await openAccountAtDefaults();
    try {
      const originals = fake.adSetsOf(campaignId).map((a) => a.id).sort();
      const applies: ApplyResult[] = [];
      for (let day = 0; day < 8; day++) {
        const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
        // One recommendation per original ad set, never one for a copy.
        expect(run.recommendations.map((r) => r.adset_id).sort()).toEqual(originals);
        for (const rec of run.recommendations) {
          const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
          expect(applied).toMatchObject({ success: true, state: 'applied' });
          applies.push(applied);
        }
        await deliverAndSync(fake, h, campaignId, 1);
      }
      // The fake's delivery keeps its rates, so the split moves money to the countries it reads best
      // and others fall under half the minimum: their ad sets are retired and they join the pool.
      const regrouped = applies.filter((a) => a.adsets.some((s) => s.step === 'retire'));
      expect(regrouped.length).toBeGreaterThan(0);
      for (const a of regrouped) {
        const pool = a.adsets.find((s) => s.step !== 'retire' && s.countries.length > 1)!;
        // Judged per audience: the pool against what its countries got before, not its ad set's old budget alone.
        expect(a.guardrails!.checks.filter((c) => c.rule === 'max_budget_change').map((c) => c.detail)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^country group pool \\(${pool.countries.join(', ')}\\): what its countries get now .*; within the limit of ±20 %`))]));
      }
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A geo split made again after its rollback, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('is judged against the split the account spent in the window, its copies\' spend included', async () => {
    const { fake, h, campaignId } = await openAccountAtDefaults();
    try {
      const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations[0]!;
      const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      expect(applied.adsets.filter((a) => a.step === 'create').length).toBeGreaterThan(1);
      // Twelve days of the split, then rolled back (the copies paused, the original over every country again), then two more days.
      await deliverAndSync(fake, h, campaignId, 12);
      expect(await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: false })).toMatchObject({ success: true });
      await deliverAndSync(fake, h, campaignId, 2);
      const again = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true })).recommendations.find((r) => r.adset_id === rec.adset_id)!;
      // A first split again (every copy paused): each group against its countries' share of the window's spend, which the copies hold most of.
      const preview = await applyRecommendation(h.ctx, { recommendationId: again.recommendation_id, mode: 'live', dryRun: true });
      const groups = preview.guardrails!.checks.filter((c) => c.rule === 'max_budget_change' && c.detail.startsWith('country group'));
      expect(groups.length).toBe(again.geo_allocations.length);
      for (const g of groups) expect(g.detail).toMatch(/its previous implied budget \(its share of the original ad set's spend times its budget\) would move from [1-9][\d.]* EUR/);
      expect(preview.guardrails).toMatchObject({ allowed: true, blocked_by: null });
      // The rollback paused the copies: the optimizer's pause, which the split lifts again.
      const copies = applied.adsets.filter((a) => a.step === 'create').map((a) => a.adset_id);
      const back = preview.adsets.filter((a) => copies.includes(a.adset_id) && a.step === 'update');
      expect(back.length).toBeGreaterThan(0);
      for (const c of back) expect(c.diff).toContainEqual({ field: 'status', before: 'PAUSED', after: 'ACTIVE' });
      expect(preview.notes.filter((n) => n.kind === 'paused')).toEqual([]);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

/**
 * The next LIVE run's recommendation for the ad set (an hour on, past Meta's hourly limit), its
 * stored decision changed by `edit`: what a later run could decide, such as a country dropped.
 */
async function recommendationWith(h: Harness, campaignId: string, adsetId: string, edit: (d: Decision) => Decision): Promise<Recommendation> {
  h.setNow(new Date(h.ctx.clock.now().getTime() + 3_600_001).toISOString());
  const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true })).recommendations.find((r) => r.adset_id === adsetId)!;
  await h.db.query('update recommendations set decision = $2 where recommendation_id = $1', [rec.recommendation_id, JSON.stringify(edit((await getRecommendationDecision(h.db, rec.recommendation_id))!))]);
  return rec;
}

describe(`A group back in the split, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it("its copy, paused since its group left, is activated again as new money: judged against the split's total, not the budget it still holds", async () => {
    const { fake, h, campaignId } = await openAccountAtDefaults();
    try {
      const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations[0]!;
      const first = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      const copy = first.adsets.find((a) => a.step === 'create' && a.countries.length === 1 && a.countries[0] !== 'ES')!;
      const [gone] = copy.countries;
      // A later run without that country: its copy is retired (paused), and keeps the budget it had.
      const without = await recommendationWith(h, campaignId, rec.adset_id!, (d) => ({ ...d, countries: d.countries.filter((c) => c.countryCode !== gone) }));
      const second = await applyRecommendation(h.ctx, { recommendationId: without.recommendation_id, mode: 'live', dryRun: false });
      expect(second).toMatchObject({ success: true, state: 'applied' });
      expect(second.adsets.find((a) => a.adset_id === copy.adset_id)!.step).toBe('retire');
      expect(fake.adSet(copy.adset_id!)).toMatchObject({ status: 'PAUSED', daily_budget: String(copy.daily_budget_minor) });
      // Then the country back at the budget its copy still holds, and every other ad set 19 % up: the split's total over 30 % up.
      const now = new Map(second.adsets.filter((a) => a.step !== 'retire').flatMap((a) => a.countries.map((c) => [c, a.daily_budget_minor!] as const)));
      const back = await recommendationWith(h, campaignId, rec.adset_id!, (d) => ({ ...d, countries: d.countries.map((c) => ({ ...c, amountMinor: c.countryCode === gone ? copy.daily_budget_minor! : Math.round((now.get(c.countryCode) ?? 0) * 1.19) })) }));
      const preview = await applyRecommendation(h.ctx, { recommendationId: back.recommendation_id, mode: 'live', dryRun: true });
      expect(preview.adsets.find((a) => a.adset_id === copy.adset_id)!.diff).toContainEqual({ field: 'status', before: 'PAUSED', after: 'ACTIVE' });
      const checks = preview.guardrails!.checks.filter((c) => c.rule === 'max_budget_change');
      expect(checks).toContainEqual(expect.objectContaining({ passed: true, detail: expect.stringMatching(new RegExp(`^country group ${gone} \\(its countries get nothing now\\)`)) }));
      expect(preview.guardrails).toMatchObject({ allowed: false, blocked_by: 'max_budget_change', message: expect.stringMatching(/the geo split's total budget \(original and copies\) would move from .* \(\+3\d\.\d %\); beyond the limit of ±20 %/) });
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`The original taking a copy's group, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it("the copy stays in the split's family with no group (its delivery still the original's), and a rollback gives the group back: no ad set is left delivering outside the split", async () => {
    const { fake, h, campaignId, adsetId } = await openAccount({});
    try {
      const members = async () => Object.fromEntries((await h.db.query<{ adset_id: string; group_key: string | null }>('select adset_id, group_key from meta_adset_splits where source_adset_id = $1', [adsetId])).map((r) => [r.adset_id, r.group_key]));
      const rec = await liveRecommendation(h, campaignId, adsetId);
      const first = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      const own = first.adsets.find((a) => a.adset_id === adsetId)!.countries;
      expect(own).toEqual(['ES']);
      // A later decision without the original's country: the original takes the largest group, from the copy that held it.
      const without = await recommendationWith(h, campaignId, adsetId, (d) => ({ ...d, countries: d.countries.filter((c) => c.countryCode !== 'ES') }));
      const takeover = await applyRecommendation(h.ctx, { recommendationId: without.recommendation_id, mode: 'live', dryRun: false });
      expect(takeover).toMatchObject({ success: true, state: 'applied' });
      const taken = takeover.adsets.find((a) => a.adset_id === adsetId)!.countries;
      const [group] = taken;
      const copy = first.adsets.find((a) => a.step === 'create' && a.countries.join() === taken.join())!.adset_id!;
      expect(takeover.adsets.find((a) => a.adset_id === copy)!.step).toBe('retire');
      expect(await members()).toMatchObject({ [adsetId]: group, [copy]: null });
      // Rolled back: the copy delivers its group again and holds it; the original holds its own again.
      expect(await rollbackChange(h.ctx, { historyId: takeover.history_id!, mode: 'live', dryRun: false })).toMatchObject({ success: true });
      expect(fake.adSet(copy)!.status).toBe('ACTIVE');
      expect(await members()).toMatchObject({ [adsetId]: 'ES', [copy]: group });
      // The next run recommends for the original only, and its apply keeps the copy for that group.
      const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true });
      expect(run.recommendations.map((r) => r.adset_id)).not.toContain(copy);
      const next = run.recommendations.find((r) => r.adset_id === adsetId)!;
      const again = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: true });
      expect(again.adsets.find((a) => a.countries.includes(group!))).toMatchObject({ adset_id: copy, step: 'update' });
      expect(again.adsets.filter((a) => a.step === 'create')).toEqual([]);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`An ad set on a lifetime budget beside daily ones, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it("counts what it spends a day in the campaign's budget, so that its share of a run's budget is not taken from the daily ad sets, which keep theirs", async () => {
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 2, days: 40, pageSize: 200 });
    const h = await liveHarness(fake, await fake.listen(), { META_TARGETING_APPLY_ENABLED: 'true' });
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const [lifetime, daily] = fake.adSetsOf(campaignId).map((a) => a.id);
      fake.setLifetimeBudget(lifetime!, 3_000_000);
      await metaSync(h.ctx);
      const dailyBudget = Number(fake.adSet(daily!)!.daily_budget);
      const run = await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' });
      const window = run.recommendations[0]!.reasoning.window;
      const spent = (id: string) => fake.countryDelivery(id, window.start).filter((r) => r.date <= window.end).reduce((s, r) => s + r.spendMinor, 0);
      const days = (Date.parse(window.end) - Date.parse(window.start)) / 86_400_000 + 1;
      // The run's budget: the daily budget, and what the lifetime ad set spent a day over the window.
      expect(run.run.totalBudgetMinor).toBe(dailyBudget + Math.round(spent(lifetime!) / days));
      const rec = run.recommendations.find((r) => r.adset_id === daily)!;
      // Shared by the ad sets' own budgets, the daily ad set's part is its budget; without the
      // lifetime ad set's spend in the total it was about half of it, and every apply of it was refused (−43 %).
      expect(minor(rec.total_budget)).toBe(dailyBudget);
      expect((await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: true })).guardrails).toMatchObject({ allowed: true });
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A split whose original can no longer be split, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('given a lifetime budget in Ads Manager, the original gets every country back and the copies are paused: no copy keeps delivering beside it', async () => {
    const { fake, h, campaignId } = await openAccountAtDefaults();
    try {
      const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations[0]!;
      const first = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
      const copies = first.adsets.filter((a) => a.step === 'create').map((a) => a.adset_id!);
      expect(copies.length).toBeGreaterThan(1);
      for (const c of copies) expect(fake.adSet(c)!.status).toBe('ACTIVE');
      fake.setLifetimeBudget(rec.adset_id!, 3_000_000);
      await deliverAndSync(fake, h, campaignId, 1);
      const next = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true })).recommendations.find((r) => r.adset_id === rec.adset_id)!;
      const applied = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      expect(applied.adsets.filter((a) => a.step === 'retire').map((a) => a.adset_id).sort()).toEqual([...copies].sort());
      expect(applied.notes).toContainEqual(expect.objectContaining({ adset_id: copies[0], message: expect.stringMatching(/^the original ad set can no longer be split by country/) }));
      for (const c of copies) expect(fake.adSet(c)!.status).toBe('PAUSED');
      const original = fake.adSet(rec.adset_id!)!;
      expect([...original.targeting!.geo_locations!.countries!].sort()).toEqual([...next.geo_allocations.map((g) => g.country_code)].sort());
      expect(original.lifetime_budget).toBe('3000000');
      // The copies stay in the split's family: their days are still read as the original's.
      expect((await h.db.query<{ n: number }>('select count(*)::int as n from meta_adset_splits where source_adset_id = $1 and adset_id <> $1', [rec.adset_id])).at(0)!.n).toBe(copies.length);
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`Rolling back a split after changes in Ads Manager, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  /** A first split applied: the original and its copies, and the original as it was before. */
  async function split() {
    const account = await openAccountAtDefaults();
    const { fake, h, campaignId } = account;
    const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations[0]!;
    const before = snapshot(fake, [rec.adset_id!]);
    const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    expect(applied).toMatchObject({ success: true, state: 'applied' });
    const copies = applied.adsets.filter((a) => a.step === 'create').map((a) => a.adset_id!);
    expect(copies.length).toBeGreaterThan(2);
    return { ...account, original: rec.adset_id!, before, applied, copies };
  }

  it('pauses the copies before it widens the original, so that a rollback stopped part-way never delivers a country twice', async () => {
    const { fake, h, original, applied, copies } = await split();
    try {
      const preview = await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: true });
      const paths = preview.requests.map((r) => r.path);
      expect(paths.at(-1)).toBe(original);
      expect([...paths].slice(0, -1).sort()).toEqual([...copies].sort());
      expect(preview.changes.map((c) => c.action)).toEqual([...copies.map(() => 'pause'), 'restore']);
    } finally {
      await closeAccount(fake, h);
    }
  });

  it('a copy deleted since is left out, and the rest is rolled back', async () => {
    const { fake, h, original, before, applied, copies } = await split();
    try {
      const [deleted] = copies;
      fake.deleteAdSet(deleted!);
      const since = fake.requests.length;
      const back = await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: false });
      expect(back).toMatchObject({ success: true });
      expect(back.changes).toContainEqual({ adset_id: deleted, action: 'leave', diff: [], note: 'DELETED at Meta since the change: nothing of it can change again, and it delivers nothing' });
      expect(fake.requests.slice(since).filter((r) => r.kind !== 'read' && r.path.includes(deleted!))).toEqual([]);
      expect(snapshot(fake, [original])).toEqual(before);
      for (const c of copies.slice(1)) expect(fake.adSet(c)!.status).toBe('PAUSED');
    } finally {
      await closeAccount(fake, h);
    }
  });

  it('an ad set paused in Ads Manager since the change gets its targeting and budget back, not its status', async () => {
    const { fake, h, original, before, applied } = await split();
    try {
      // Pausing the original pauses the split's optimization: the rollback must not switch it back on.
      fake.pauseAdSet(original);
      const back = await rollbackChange(h.ctx, { historyId: applied.history_id!, mode: 'live', dryRun: false });
      expect(back).toMatchObject({ success: true });
      expect(back.changes.find((c) => c.adset_id === original)).toMatchObject({ action: 'restore', note: expect.stringMatching(/^PAUSED since the change, by someone other than the optimizer: its targeting and budget are restored, and it stays PAUSED/) });
      expect(back.requests.find((r) => r.path === original)!.params.status).toBeUndefined();
      expect(snapshot(fake, [original])).toEqual(before.map((b) => JSON.stringify({ ...JSON.parse(b), status: 'PAUSED', effective_status: 'PAUSED' })));
    } finally {
      await closeAccount(fake, h);
    }
  });
});

describe(`A split's copy deleted in Ads Manager, against the fake Graph API (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  /** A first split applied, three days of it, then the copy `pick` chooses deleted at Meta, a day, and the next run's recommendation for the original. */
  async function splitThenDelete(pick: (copies: ApplyResult['adsets'], total: number) => ApplyResult['adsets'][number] | undefined) {
    const account = await openAccountAtDefaults();
    const { fake, h, campaignId } = account;
    const rec = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations[0]!;
    const applied = await applyRecommendation(h.ctx, { recommendationId: rec.recommendation_id, mode: 'live', dryRun: false });
    const total = applied.adsets.reduce((s, a) => s + (a.daily_budget_minor ?? 0), 0);
    const deleted = pick(applied.adsets.filter((a) => a.step === 'create' && a.countries.length === 1), total)!;
    await deliverAndSync(fake, h, campaignId, 3);
    fake.deleteAdSet(deleted.adset_id!);
    await deliverAndSync(fake, h, campaignId, 1);
    const next = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh: true })).recommendations.find((r) => r.adset_id === rec.adset_id)!;
    return { ...account, deleted, next };
  }
  const writesSince = (fake: FakeGraphApi, since: number) => fake.requests.slice(since).filter((r) => r.kind === 'write' || r.kind === 'validate');

  it('a copy deleted no longer holds its group: the next apply makes a new copy for it and never writes to the deleted one', async () => {
    const { fake, h, deleted, next } = await splitThenDelete((copies, total) => copies.find((c) => c.daily_budget_minor! >= 1_500 && c.daily_budget_minor! / total < 0.15));
    try {
      const before = fake.requests.length;
      const applied = await applyRecommendation(h.ctx, { recommendationId: next.recommendation_id, mode: 'live', dryRun: false });
      expect(applied).toMatchObject({ success: true, state: 'applied' });
      const holder = applied.adsets.find((a) => a.countries.includes(deleted.countries[0]!))!;
      expect(holder.step).toBe('create');
      expect(holder.adset_id).not.toBe(deleted.adset_id);
      expect(writesSince(fake, before).filter((r) => r.path.includes(deleted.adset_id!))).toEqual([]);
      expect(fake.adSet(deleted.adset_id!)!.status).toBe('DELETED');
    } finally {
      await closeAccount(fake, h);
    }
  });

});
