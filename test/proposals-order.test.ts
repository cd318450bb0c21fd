// An approval and a rejection of one proposal that overlap: whichever records first wins, and the
// other is refused. Before, a rejection landing while the approval applied left the change in force
// and the proposal rejected, and one landing before the apply let the apply go ahead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveProposal, proposeApply, rejectProposal } from '../src/services/apply-proposals.ts';
import { ConflictError } from '../src/services/errors.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import type { Db } from '../src/store/db.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

describe(`an approval and a rejection of one proposal at once (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let ctx: TestContext;
  const as = (id: string, role: 'admin' | 'manager') => ({ ...ctx, actor: { id, role, channel: 'api' as const } });
  const changesOf = async (recommendationId: string) => (await ctx.db.query<{ n: number }>('select count(*)::int as n from targeting_history where recommendation_id = $1 and not dry_run', [recommendationId]))[0]!.n;
  /** The approving context, with `between` run before its n-th transaction. */
  const approvingWith = (n: number, between: () => Promise<unknown>) => {
    let count = 0;
    const db: Db = { ...ctx.db, transaction: async (work) => {
      if (++count === n) await between();
      return ctx.db.transaction(work);
    } };
    return { ...as('boss', 'admin'), db };
  };

  beforeAll(async () => {
    ctx = await openTestContext({ META_TARGETING_APPROVAL_REQUIRED: 'true' });
    await generateStubHistory(ctx, { campaigns: 1, days: 30, seed: 5, campaignIds: ['777'] });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('a rejection after the approval recorded its change is refused: the proposal ends approved, with the change', async () => {
    const [rec] = (await runOptimization(ctx, { campaignId: '777', budget: null, mode: 'stub' })).recommendations;
    const proposal = (await proposeApply(as('mgr', 'manager'), { recommendationId: rec!.recommendation_id, mode: 'stub' })).proposal;
    let rejection: unknown = null;
    // The approval's first transaction records the change; the rejection comes before it closes the proposal.
    const approved = await approveProposal(approvingWith(2, () => rejectProposal(as('other', 'admin'), proposal.id, 'no').then((r) => (rejection = r), (e: unknown) => (rejection = e))), proposal.id, { force: false });
    expect(rejection).toBeInstanceOf(ConflictError);
    expect((rejection as Error).message).toMatch(/has been applied since it was proposed \(targeting history row \d+/);
    expect(approved.proposal).toMatchObject({ status: 'approved', decided_by: 'boss' });
    expect(await changesOf(rec!.recommendation_id)).toBe(1);
  });

  it('a rejection before the approval records its change stops the apply: nothing recorded, the proposal stays rejected', async () => {
    // Another ad set's recommendation: the first test's is in force, and an apply of it would change nothing.
    const [, rec] = (await runOptimization(ctx, { campaignId: '777', budget: null, mode: 'stub' })).recommendations;
    const proposal = (await proposeApply(as('mgr', 'manager'), { recommendationId: rec!.recommendation_id, mode: 'stub' })).proposal;
    const error = await approveProposal(approvingWith(1, () => rejectProposal(as('other', 'admin'), proposal.id, 'no')), proposal.id, { force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/was rejected by other meanwhile: nothing applied/);
    expect(await changesOf(rec!.recommendation_id)).toBe(0);
    expect((await ctx.db.query<{ status: string }>('select status from apply_proposals where id = $1', [proposal.id]))[0]!.status).toBe('rejected');
  });
});
