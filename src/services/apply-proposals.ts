// The approval step (META_TARGETING_APPROVAL_REQUIRED): a manager proposes a recommendation; an
// admin approves it, which applies it through the same path as any apply, under the guardrails as
// they stand at approval time, or rejects it. Proposing works whether or not approval is required.
import type { AppContext } from '../context.ts';
import { changeRecordedFor, decideProposal, getProposal, insertOrFindOpenProposal, listProposals as listStored, type Proposal } from '../store/proposals.ts';
import { getRecommendation } from '../store/runs.ts';
import { applyRecommendation, type ApplyResult } from './apply-recommendation.ts';
import { auditChange } from './audit.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import type { Mode } from './run-optimization.ts';

export type { Proposal } from '../store/proposals.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProposalResult {
  proposal: Proposal;
  /** False when the recommendation already had an open proposal in this mode (that one is returned). */
  created: boolean;
  message: string;
}

export async function proposeApply(ctx: AppContext, req: { recommendationId: string; mode: Mode }): Promise<ProposalResult> {
  if (!UUID.test(req.recommendationId)) throw new InputError('recommendation_id', `must be a UUID, got ${JSON.stringify(req.recommendationId.slice(0, 80))}`);
  if (req.mode !== 'stub' && req.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(req.mode)}`);
  return ctx.db.transaction(async (tx) => {
    const rec = await getRecommendation(tx, req.recommendationId.toLowerCase());
    if (rec === null) throw new NotFoundError(`no recommendation ${req.recommendationId}`);
    const { proposal, created } = await insertOrFindOpenProposal(tx, { recommendationId: rec.recommendation_id, campaignId: rec.campaign_id, adsetId: rec.adset_id, mode: req.mode, by: ctx.actor.id, at: ctx.clock.now() });
    await auditChange(tx, ctx, { action: 'propose', summary: { recommendation_id: rec.recommendation_id, proposal_id: proposal.id, created } });
    return { proposal, created, message: created ? `Proposal ${proposal.id} recorded: an admin approves it (it is then applied, under the guardrails at that time) or rejects it` : `Proposal ${proposal.id} was already open for this recommendation` };
  });
}

export async function listProposals(ctx: AppContext, filter: { status: Proposal['status'] | null; limit: number }): Promise<Proposal[]> {
  return listStored(ctx.db, filter);
}

/** The mode of a proposal, or null when there is none with this id. */
export async function proposalMode(ctx: AppContext, id: number): Promise<Mode | null> {
  return (await getProposal(ctx.db, id))?.mode ?? null;
}

export interface ApprovalResult {
  proposal: Proposal;
  /** The apply the approval made; null when the proposal was approved before. */
  apply: ApplyResult | null;
  message: string;
}

/**
 * Approves and applies. The apply is the ordinary one (same checks, same history, same
 * guardrails); a guardrail that refuses it, or Meta refusing the change, leaves the proposal open.
 * An approval repeated answers the first one; a rejected proposal cannot be approved.
 */
export async function approveProposal(ctx: AppContext, id: number, opts: { force: boolean }): Promise<ApprovalResult> {
  const proposal = await openProposal(ctx, id, 'approve');
  if (proposal.status === 'approved') return { proposal, apply: null, message: `Proposal ${id} was already approved by ${proposal.decided_by} (targeting history row ${proposal.history_id})` };
  const apply = await applyRecommendation(ctx, { recommendationId: proposal.recommendation_id, mode: proposal.mode, dryRun: false, force: opts.force, viaApproval: true, proposalId: id });
  // Meta refused the change and nothing of it is in force: the proposal stays open, to be approved
  // again or rejected (a failed row cannot be rolled back, so closing it would strand the proposal).
  if (!apply.success) return { proposal, apply, message: `Proposal ${id} stays open: ${apply.message}` };
  // The apply has landed; closing the proposal is its own step. Should another approval close it
  // first, that one's apply found this targeting in force and sent nothing.
  const decided = await ctx.db.transaction(async (tx) => {
    const d = await decideProposal(tx, id, { status: 'approved', by: ctx.actor.id, at: ctx.clock.now(), historyId: apply.history_id, note: null });
    // An API request has its one audit row already (the apply's); the CLI's approval gets its own.
    if (d !== null && ctx.request?.audited !== true) await auditChange(tx, ctx, { action: 'approve', summary: { proposal_id: id, recommendation_id: proposal.recommendation_id, history_id: apply.history_id } });
    return d;
  });
  if (decided === null) {
    // Decided meanwhile: by another approval (this one's apply found its change in force), or rejected before this apply found nothing to change.
    const now = (await getProposal(ctx.db, id))!;
    return { proposal: now, apply, message: `Proposal ${id} was ${now.status} by ${now.decided_by} meanwhile: ${apply.message}` };
  }
  return { proposal: decided, apply, message: `Proposal ${id} approved: ${apply.message}` };
}

export async function rejectProposal(ctx: AppContext, id: number, note: string | null): Promise<{ proposal: Proposal; message: string }> {
  return ctx.db.transaction(async (tx) => {
    const proposal = await openProposal(ctx, id, 'reject', tx);
    if (proposal.status === 'rejected') return { proposal, message: `Proposal ${id} was already rejected by ${proposal.decided_by}` };
    // An approval at work has recorded its change (it held this row until then), or someone applied
    // the recommendation since: too late to reject.
    const applying = await changeRecordedFor(tx, proposal);
    if (applying !== null) throw new ConflictError(`proposal ${id}'s recommendation has been applied since it was proposed (targeting history row ${applying}, by an approval at work or directly); roll the change back instead`);
    const decided = await decideProposal(tx, id, { status: 'rejected', by: ctx.actor.id, at: ctx.clock.now(), historyId: null, note });
    if (decided === null) throw new ConflictError(`proposal ${id} was decided meanwhile; read it again`);
    await auditChange(tx, ctx, { action: 'reject', summary: { proposal_id: id, recommendation_id: proposal.recommendation_id } });
    return { proposal: decided, message: `Proposal ${id} rejected: nothing applied` };
  });
}

async function openProposal(ctx: AppContext, id: number, action: 'approve' | 'reject', db = ctx.db): Promise<Proposal> {
  if (!Number.isSafeInteger(id) || id < 1) throw new InputError('proposal_id', `must be a positive whole number, got ${JSON.stringify(String(id).slice(0, 40))}`);
  const proposal = await getProposal(db, id, db !== ctx.db);
  if (proposal === null) throw new NotFoundError(`no proposal ${id}; GET /meta/targeting/proposals lists them`);
  if (action === 'approve' && proposal.status === 'rejected') throw new ConflictError(`proposal ${id} was rejected by ${proposal.decided_by}; propose the recommendation again`);
  if (action === 'reject' && proposal.status === 'approved') throw new ConflictError(`proposal ${id} was already approved and applied (targeting history row ${proposal.history_id}); roll the change back instead`);
  return proposal;
}
