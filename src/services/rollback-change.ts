// Rolling back an applied change: the ad sets get back exactly the targeting, budget and status the
// history stored from before it (ad sets the change created are paused), recorded as a history row
// of its own that points at the row it rolls back. STUB mode restores the stored old targeting in
// the history. A dry run (the default of the API and CLI) shows the requests and changes nothing.
import type { AppContext } from '../context.ts';
import { GONE_STATUSES, readAds, send, updateRequest, type AdSetWrite, type GraphRequest } from '../meta/adset-writes.ts';
import type { MetaClient } from '../meta/client.ts';
import { updateDiff, type FieldChange } from '../meta/targeting-spec.ts';
import { getStoredChange, insertTargetingChange, recentPendingOf, targetingInForce, type StoredChange, type StoredMetaError } from '../store/history.ts';
import { splitMembersOf } from '../store/meta.ts';
import { auditChange } from './audit.ts';
import { enforceLiveGuardrails, landedRefs, type LiveBudgetChange, type LivePass, recordingGuardrailBlocks, withdrawLivePasses } from './apply-guardrails.ts';
import type { Db } from '../store/db.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import { requestsOf, sendChanges, type LiveOutcome } from './live-apply.ts';
import { adsPutBack, deliverySafeOrder, metaErrorOf, readState, restoreRequest, statusLeftBy, type AdSetChange, type AdSetState, type AdStatusChange, type ChangesDocument } from './live-changes.ts';
import { metaClientFor, translate } from './meta.ts';
import { PENDING_GRACE_MS, reconcilePendingChanges } from './reconcile-changes.ts';
import type { Mode } from './run-optimization.ts';

export interface RollbackRequest {
  historyId: number;
  /** Must match the row's mode when given. */
  mode?: Mode;
  dryRun: boolean;
}

export interface RollbackResult {
  /** The new history row (null for a dry run). */
  history_id: number | null;
  rolled_back_history_id: number;
  success: boolean;
  dry_run: boolean;
  mode: Mode;
  message: string;
  /**
   * Per ad set, in the order sent: what it gets back (restore), that it is paused (created by the
   * change), or that it is left as it is (archived or deleted since); the fields that change; and
   * why anything of it is not put back.
   */
  changes: { adset_id: string | null; action: 'restore' | 'pause' | 'leave'; diff: FieldChange[]; note: string | null }[];
  /** The exact requests sent (or that would be sent), in order; none in STUB mode. */
  requests: GraphRequest[];
  validation: { validated_by_meta: boolean; errors: { path: string; error: StoredMetaError }[] };
  /** After a failure: the ad sets put back as they were before the rollback started. */
  rolled_back: { adset_id: string; step: string; restored: boolean; error: string | null }[];
  meta_error: StoredMetaError | null;
}

export async function rollbackChange(ctx: AppContext, req: RollbackRequest): Promise<RollbackResult> {
  if (!Number.isSafeInteger(req.historyId) || req.historyId < 1) throw new InputError('history_id', `must be a positive whole number, got ${JSON.stringify(req.historyId)}`);
  if (req.mode !== undefined && req.mode !== 'stub' && req.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(req.mode)}`);
  const row = await getStoredChange(ctx.db, req.historyId);
  if (row === null) throw new NotFoundError(`no targeting history row ${req.historyId}; GET /meta/targeting/history lists them`);
  if (req.mode !== undefined && req.mode !== row.mode) throw new InputError('mode', `row ${row.id} was applied in ${row.mode} mode; roll it back in ${row.mode} mode`);
  return row.mode === 'live' ? recordingGuardrailBlocks(ctx, () => rollbackLive(ctx, row, req.dryRun)) : rollbackStub(ctx, row, req.dryRun);
}

/** Only the change now in force on its ad set can be rolled back: an older one would undo later changes too. */
async function checkRollbackable(ctx: AppContext, row: StoredChange): Promise<void> {
  if (row.state !== 'applied') throw new ConflictError(`targeting history row ${row.id} is ${row.state}: only an applied change can be rolled back${row.state === 'failed' ? ' (nothing of a failed change is left in force)' : ''}`);
  if (row.rolledBackBy !== null) throw new ConflictError(`targeting history row ${row.id} was already rolled back by row ${row.rolledBackBy}`);
  const inForce = await targetingInForce(ctx.db, row.campaignId, row.adsetId);
  if (inForce !== null && inForce.historyId !== row.id) throw new ConflictError(`targeting history row ${row.id} is not the change in force on ad set ${row.adsetId ?? '(whole campaign)'} (row ${inForce.historyId} is): roll back row ${inForce.historyId} first`);
}

async function rollbackStub(ctx: AppContext, row: StoredChange, dryRun: boolean): Promise<RollbackResult> {
  await checkRollbackable(ctx, row);
  const base = { rolled_back_history_id: row.id, dry_run: dryRun, mode: 'stub' as const, requests: [], validation: { validated_by_meta: false, errors: [] }, rolled_back: [], meta_error: null };
  const changes = [{ adset_id: row.adsetId, action: 'restore' as const, diff: [{ field: 'targeting', before: row.newTargeting, after: row.oldTargeting }], note: null }];
  if (dryRun) return { ...base, history_id: null, success: true, changes, message: `Dry run in STUB mode: would restore the targeting stored before row ${row.id}; nothing changed. Confirm to roll back` };
  const historyId = await ctx.db.transaction(async (tx) => {
    const id = await insertTargetingChange(tx, {
      run_id: row.runId, recommendation_id: row.recommendationId, campaign_id: row.campaignId, adset_id: row.adsetId, mode: 'stub', dry_run: false, applied_at: ctx.clock.now(),
      old_targeting: row.newTargeting, new_targeting: row.oldTargeting, before_ctr: null, before_cvr: null, before_roas: null, after_ctr: null, after_cvr: null, after_roas: null,
      success: true, error_message: null, actor: ctx.actor.id, state: 'applied', rolls_back_history_id: row.id,
    });
    await auditChange(tx, ctx, { action: 'rollback', summary: { history_id: id, rolled_back_history_id: row.id, mode: 'stub', outcome: 'applied' } });
    return id;
  });
  return { ...base, history_id: historyId, success: true, changes, message: `Rolled back in STUB mode (simulated): row ${row.id}'s old targeting restored; recorded as targeting history row ${historyId}` };
}

async function rollbackLive(ctx: AppContext, row: StoredChange, dryRun: boolean): Promise<RollbackResult> {
  const { client } = metaClientFor(ctx);
  return translate(async () => {
    await reconcilePendingChanges(ctx, client, row.campaignId);
    await checkRollbackable(ctx, (await getStoredChange(ctx.db, row.id))!);
    const applied = row.changes as ChangesDocument | null;
    if (applied === null) throw new ConflictError(`targeting history row ${row.id} holds no per-ad-set changes to restore`);
    // Which group each ad set holds now, and, where the change kept it, which it held before: the
    // rollback gives that back (an ad set whose group the change gave another holds it again).
    const heldNow = new Map((await splitMembersOf(ctx.db, applied.source_adset_id)).map((m) => [m.adsetId, m.groupKey]));
    const givesGroupsBack = applied.adsets.every((c) => c.held_group !== undefined);
    // Each ad set the change reached, as it is now, and the request that puts it back.
    const found: AdSetChange[] = [];
    const changes: RollbackResult['changes'] = [];
    for (const c of applied.adsets) {
      const back = await putBack(client, c, { heldNow, givesGroupsBack });
      if (back === null) continue;
      if (back.step !== null) found.push(back.step);
      changes.push(back.change);
    }
    // Pauses first, activations last: a rollback stopped part-way never has two ad sets deliver the same countries.
    const steps = deliverySafeOrder(found);
    changes.sort((a, b) => orderOf(steps, a.adset_id) - orderOf(steps, b.adset_id));
    const doc: ChangesDocument = { source_adset_id: applied.source_adset_id, adsets: steps, rolled_back: [] };
    const requests = requestsOf(doc);
    const guard = (tx: Db, stage: 'precheck' | 'enforce') => enforceLiveGuardrails(ctx, tx, { recommendation_id: row.recommendationId!, campaign_id: row.campaignId, adset_id: row.adsetId, confidence: 1 }, rollbackBudgetChanges(doc), { stage, approved: true, rollback: true });
    // Meta's hourly limit, before anything reaches Meta (validate_only included): a refusal is thrown and recorded.
    if (!dryRun) await ctx.db.transaction((tx) => guard(tx, 'precheck'));
    const errors: RollbackResult['validation']['errors'] = [];
    for (const r of requests) {
      try {
        await send(client, r, { validateOnly: true });
      } catch (e) {
        errors.push({ path: r.path, error: metaErrorOf(e) });
      }
    }
    const base = { rolled_back_history_id: row.id, dry_run: dryRun, mode: 'live' as const, changes, requests, validation: { validated_by_meta: true, errors }, rolled_back: [], meta_error: null };
    if (dryRun) {
      await ctx.db.transaction((tx) => auditChange(tx, ctx, { action: 'rollback', summary: { rolled_back_history_id: row.id, mode: 'live', outcome: 'dry_run' } }));
      return { ...base, history_id: null, success: errors.length === 0, message: errors.length === 0 ? `Dry run in LIVE mode: Meta validated the ${requests.length} request(s) that restore row ${row.id}'s ad sets; nothing changed. Confirm to roll back` : `Dry run in LIVE mode: Meta refused ${errors.length} request(s) in validation; nothing changed` };
    }
    if (errors.length > 0) return { ...base, history_id: null, success: false, meta_error: errors[0]!.error, message: `Meta refused ${errors.length} request(s) of the rollback in validation (${errors[0]!.error.message}); nothing was sent or recorded` };
    let passes: LivePass[] = [];
    const historyId = await recordRollback(ctx, row, doc, async (tx) => {
      passes = (await guard(tx, 'enforce')).passes;
    });
    const outcome: LiveOutcome = await sendChanges(ctx, client, doc, historyId, givesGroupsBack ? { campaignId: row.campaignId } : null);
    if (outcome.state === 'failed') await withdrawLivePasses(ctx, passes, landedRefs(outcome.doc));
    await ctx.db.transaction((tx) => auditChange(tx, ctx, { action: 'rollback', summary: { history_id: historyId, rolled_back_history_id: row.id, mode: 'live', outcome: outcome.state } }));
    const kept = changes.filter((c) => c.note !== null).length;
    if (outcome.state === 'applied') return { ...base, history_id: historyId, success: true, message: `Rolled back in LIVE mode: ${steps.filter((s) => s.diff.length > 0).length} ad set(s) restored as stored before row ${row.id}${changes.some((c) => c.action === 'pause') ? ' (ad sets it created paused)' : ''}${kept > 0 ? `; ${kept} kept something changed at Meta since (see each change's note)` : ''}; recorded as targeting history row ${historyId}` };
    return { ...base, history_id: historyId, success: false, rolled_back: outcome.doc.rolled_back, meta_error: outcome.metaError, message: `Meta refused a rollback request (${outcome.metaError?.message ?? 'unknown error'}); the ad sets it had restored were put back as they were; recorded as failed in targeting history row ${historyId}. Row ${row.id} is still in force` };
  });
}

/**
 * What puts back one ad set the change reached, as it is now (null: the change never reached it).
 * One archived or deleted since is left as it is (no step); one paused since by someone else gets
 * everything back but its status; ads archived or deleted since are left out.
 */
async function putBack(client: MetaClient, c: AdSetChange, groups: { heldNow: ReadonlyMap<string, string | null>; givesGroupsBack: boolean }): Promise<{ step: AdSetChange | null; change: RollbackResult['changes'][number] } | null> {
  const restore = c.sent || (c.step === 'create' && c.adset_id !== null) ? restoreRequest(c) : null;
  if (restore === null) return null;
  const now = await readState(client, c.adset_id!);
  if (GONE_STATUSES.has(now.status ?? '')) return { step: null, change: { adset_id: c.adset_id, action: 'leave', diff: [], note: `${now.status} at Meta since the change: nothing of it can change again, and it delivers nothing` } };
  const { request, note } = withoutLiftingTheirPause(restore, c, now);
  const write = request.params as AdSetWrite;
  const target = c.before === null ? { status: 'PAUSED' } : { targeting: c.before.targeting, ...(write.daily_budget === undefined ? {} : { daily_budget: c.before.daily_budget }), ...(write.status === undefined ? {} : { status: write.status }) };
  const adsBack = await adsStillThere(client, c.adset_id!, adsPutBack(c, { unsent: false }).filter((st) => st.before !== st.after));
  const diff = [...updateDiff({ targeting: now.targeting, dailyBudgetMinor: now.daily_budget === null ? null : Number(now.daily_budget), status: now.status }, write as never), ...adsBack.map((st) => ({ field: `ads.${st.ad_id}.status`, before: st.before, after: st.after }))];
  const group = groups.givesGroupsBack ? groupGivenBack(c) : null;
  return {
    step: { step: 'update', adset_id: c.adset_id, group, held_group: groups.heldNow.get(c.adset_id!) ?? null, copy: null, update: request, ad_statuses: adsBack, activate: false, before: now, after: target, diff, notes: [], sent: false, activated: false },
    change: { adset_id: c.adset_id, action: c.before === null ? 'pause' : 'restore', diff, note },
  };
}

/** The group an ad set held before the change, as the rollback gives it back: its countries and budget as they were then. */
function groupGivenBack(c: AdSetChange): AdSetChange['group'] {
  if (c.held_group == null || c.before === null) return null;
  return { key: c.held_group, countries: [...(c.before.targeting.geo_locations?.countries ?? [])], budget_minor: c.before.daily_budget === null ? 0 : Number(c.before.daily_budget) };
}

const orderOf = (steps: readonly AdSetChange[], adsetId: string | null) => {
  const i = steps.findIndex((st) => st.adset_id === adsetId);
  return i < 0 ? steps.length : i;
};

/**
 * The optimizer never lifts a pause it did not make: an ad set the change left delivering that is
 * paused now (in Ads Manager) gets its targeting and budget back, not its status.
 */
function withoutLiftingTheirPause(request: GraphRequest, change: AdSetChange, now: AdSetState): { request: GraphRequest; note: string | null } {
  const { status, ...rest } = request.params as AdSetWrite;
  if (status !== 'ACTIVE' || now.status === 'ACTIVE' || now.status === statusLeftBy(change)) return { request, note: null };
  return { request: updateRequest(request.path, rest), note: `${now.status} since the change, by someone other than the optimizer: its targeting and budget are restored, and it stays ${now.status} (the optimizer does not lift a pause it did not make)` };
}

/** The ad status writes whose ad is still there to take them (an ad archived or deleted since can never change again). */
async function adsStillThere(client: MetaClient, adsetId: string, writes: AdStatusChange[]): Promise<AdStatusChange[]> {
  if (writes.length === 0) return writes;
  const there = new Set((await readAds(client, adsetId)).map((a) => a.id));
  return writes.filter((st) => there.has(st.ad_id));
}

/** The budgets a LIVE rollback puts back, per ad set, for Meta's hourly limit. */
function rollbackBudgetChanges(doc: ChangesDocument): LiveBudgetChange[] {
  return doc.adsets.flatMap((c, ref) => {
    const target = c.update.params.daily_budget;
    if (c.diff.length === 0 || target === undefined || target === null || c.adset_id === null) return [];
    return [{ ref, adsetId: c.adset_id, currentMinor: c.before?.daily_budget == null ? null : Number(c.before.daily_budget), proposedMinor: Number(target) }];
  });
}

async function recordRollback(ctx: AppContext, row: StoredChange, doc: ChangesDocument, guard: (tx: Db) => Promise<void>): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const busy = await recentPendingOf(tx, row.campaignId, new Date(ctx.clock.now().getTime() - PENDING_GRACE_MS));
    if (busy !== null) throw new ConflictError(`another change of campaign ${row.campaignId} is in progress (targeting history row ${busy}); try again when it has finished`);
    // One change of the ad set at a time, as an apply takes it; then Meta's hourly limit, recorded with the row.
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-apply:${JSON.stringify([row.campaignId, row.adsetId])}`]);
    await guard(tx);
    return insertTargetingChange(tx, {
      run_id: row.runId, recommendation_id: row.recommendationId, campaign_id: row.campaignId, adset_id: row.adsetId, mode: 'live', dry_run: false, applied_at: ctx.clock.now(),
      old_targeting: row.newTargeting, new_targeting: row.oldTargeting, before_ctr: null, before_cvr: null, before_roas: null, after_ctr: null, after_cvr: null, after_roas: null,
      success: false, error_message: null, actor: ctx.actor.id, state: 'pending', changes: doc, rolls_back_history_id: row.id,
    });
  });
}

