// The approval step in LIVE mode against the fake Graph API: an approval whose change Meta refuses
// leaves the proposal open, so that it can be approved again once the cause is fixed, or rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { approveProposal, proposeApply, rejectProposal } from '../src/services/apply-proposals.ts';
import { ConflictError } from '../src/services/errors.ts';
import { metaSync } from '../src/services/meta.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { usingPostgres } from './helpers/db.ts';
import { harness, TOKEN, type Harness } from './helpers/meta-harness.ts';

describe(`LIVE proposals (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let fake: FakeGraphApi;
  let h: Harness;
  let campaignId: string;
  const as = (id: string, role: 'admin' | 'manager') => ({ ...h.ctx, actor: { id, role, channel: 'api' as const } });

  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 3, days: 40, pageSize: 200 });
    h = await harness(fake, await fake.listen(), { META_SPLIT_MIN_DAILY_BUDGET_MINOR: '500', META_TARGETING_APPLY_ENABLED: 'true', META_TARGETING_MAX_BUDGET_CHANGE_PCT: '1000' });
    campaignId = fake.market.campaigns[0]!.campaignId;
    await metaSync(h.ctx);
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('a proposal rejected while its approval reads Meta stops the apply before it makes any lookalike', async () => {
    const withLookalikes = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations.find((r) => r.lookalikes.length > 0)!;
    const proposal = (await proposeApply(as('mgr', 'manager'), { recommendationId: withLookalikes.recommendation_id, mode: 'live' })).proposal;
    const lookalikesBefore = fake.lookalikes.created.length;
    const requestsBefore = fake.requests.length;
    // The rejection lands in the first transaction after the approval has read the ad set from Meta (its plan).
    let rejected = false;
    const approving = { ...as('boss', 'admin'), db: { ...h.ctx.db, transaction: async <T,>(work: Parameters<typeof h.ctx.db.transaction<T>>[0]) => {
      if (!rejected && fake.requests.slice(requestsBefore).some((r) => r.method === 'GET' && r.path.includes(withLookalikes.adset_id!))) {
        rejected = true;
        await rejectProposal(as('other', 'admin'), proposal.id, 'no');
      }
      return h.ctx.db.transaction(work);
    } } };
    const error = await approveProposal(approving, proposal.id, { force: false }).catch((e: unknown) => e);
    expect(rejected).toBe(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/was rejected by other meanwhile: nothing applied/);
    expect(fake.lookalikes.created.length).toBe(lookalikesBefore);
    expect(fake.requests.slice(requestsBefore).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('an approval whose change Meta refuses leaves the proposal open: approved again it applies, and a failed one can be rejected', async () => {
    const [first, second] = (await runOptimization(h.ctx, { campaignId, budget: null, mode: 'live' })).recommendations;
    const proposal = (await proposeApply(as('mgr', 'manager'), { recommendationId: first!.recommendation_id, mode: 'live' })).proposal;
    fake.inject({ kind: 'invalid-parameter', on: 'write', path: first!.adset_id! });
    const failed = await approveProposal(as('boss', 'admin'), proposal.id, { force: false });
    expect(failed.apply).toMatchObject({ success: false, state: 'failed' });
    expect(failed.proposal).toMatchObject({ status: 'proposed', decided_by: null, history_id: null });
    expect(failed.message).toMatch(new RegExp(`^Proposal ${proposal.id} stays open: Meta refused a change`));

    const approved = await approveProposal(as('boss', 'admin'), proposal.id, { force: false });
    expect(approved.apply).toMatchObject({ success: true, state: 'applied' });
    expect(approved.proposal).toMatchObject({ status: 'approved', decided_by: 'boss', history_id: approved.apply!.history_id });

    const other = (await proposeApply(as('mgr', 'manager'), { recommendationId: second!.recommendation_id, mode: 'live' })).proposal;
    fake.inject({ kind: 'invalid-parameter', on: 'write', path: second!.adset_id! });
    expect((await approveProposal(as('boss', 'admin'), other.id, { force: false })).proposal.status).toBe('proposed');
    expect((await rejectProposal(as('boss', 'admin'), other.id, 'Meta refused it')).proposal).toMatchObject({ status: 'rejected', note: 'Meta refused it' });
  });
});
