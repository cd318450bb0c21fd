// Shared by the LIVE apply tests (meta-apply*.test.ts): an account on the fake Graph API with
// applies switched on, and the steps those tests take on it.
import { FakeGraphApi } from '../../src/meta/fake-graph-api.ts';
import type { RecommendationDocument as Recommendation } from '../../src/presentation/recommendation-document.ts';
import type { planLiveApply } from '../../src/services/live-apply.ts';
import { addDays } from '../../src/services/dates.ts';
import { metaSync } from '../../src/services/meta.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { insertTargetingChange } from '../../src/store/history.ts';
import { harness as liveHarness, TOKEN, type Harness } from './meta-harness.ts';

export const END = '2026-11-19';

/**
 * LIVE applies switched on (the kill switch is off in LIVE until set), and the per-apply budget
 * limit raised: these tests are about the writes, and several put the account in states (a
 * half-landed apply, an ad set's budget already moved) where the budget-change limit would answer
 * before the behaviour under test. A run's first split stays within the default limit (the first
 * test of meta-apply.test.ts checks it); the guardrail tests use the defaults.
 */
export const LIVE_APPLY_ENV = { META_SPLIT_MIN_DAILY_BUDGET_MINOR: '500', META_TARGETING_APPLY_ENABLED: 'true', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' };

/** The shared LIVE harness with applies switched on as above; `env` adds to or overrides it. */
export const harness = (fake: FakeGraphApi, origin: string, env: Record<string, string> = {}): Promise<Harness> => liveHarness(fake, origin, { ...LIVE_APPLY_ENV, ...env });

/**
 * A synced account of one campaign with three ad sets, the first of which the tests apply to; with
 * META_SPLIT_MIN_DAILY_BUDGET_MINOR high, every country pools (no geo split): each apply is one
 * budget change of that ad set.
 */
export async function openAccount(env: Record<string, string>): Promise<{ fake: FakeGraphApi; h: Harness; campaignId: string; adsetId: string }> {
  const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, campaigns: 1, adsetsPerCampaign: 3, days: 40, pageSize: 200 });
  const h = await harness(fake, await fake.listen(), env);
  const campaignId = fake.market.campaigns[0]!.campaignId;
  await metaSync(h.ctx);
  return { fake, h, campaignId, adsetId: fake.adSetsOf(campaignId)[0]!.id };
}

export async function closeAccount(fake: FakeGraphApi, h: Harness): Promise<void> {
  await h.close();
  await fake.close();
}

/** `days` more days of delivery, then the next morning's sync of the campaign. */
export async function deliverAndSync(fake: FakeGraphApi, h: Harness, campaignId: string, days: number): Promise<void> {
  const end = fake.advanceDays(days);
  h.setNow(`${addDays(end, 1)}T08:00:00Z`);
  await metaSync(h.ctx, { campaignId });
}

/** The history row an apply writes before it sends anything (state pending), as a crash would leave it. */
export const recordPending = (h: Harness, rec: Recommendation, plan: Awaited<ReturnType<typeof planLiveApply>>, success: boolean) =>
  insertTargetingChange(h.db, {
    run_id: rec.run_id, recommendation_id: rec.recommendation_id, campaign_id: rec.campaign_id, adset_id: rec.adset_id, mode: 'live', dry_run: false, applied_at: h.ctx.clock.now(),
    old_targeting: plan.source.targeting, new_targeting: null, before_ctr: null, before_cvr: null, before_roas: null, after_ctr: null, after_cvr: null, after_roas: null,
    success, error_message: null, actor: 'test', state: 'pending', changes: plan.doc,
  });

/** A LIVE run's recommendation for one ad set (the store's data read again when `forceRefresh`). */
export const liveRecommendation = async (h: Harness, campaignId: string, adsetId: string, forceRefresh = false) =>
  (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live', forceRefresh })).recommendations.find((r) => r.adset_id === adsetId)!;

/** The ad sets' fields as Meta holds them, less updated_time, which every write moves (a rollback restores the fields, not the time). */
export const snapshot = (fake: FakeGraphApi, ids: readonly string[]) =>
  ids.map((id) => {
    const { updated_time: _stamp, ...fields } = fake.adSet(id)!;
    return JSON.stringify(fields);
  });
export const minor = (amount: number) => Math.round(amount * 100);
export const writesTo = (fake: FakeGraphApi, since: number) => fake.requests.slice(since).filter((r) => r.kind === 'write');
