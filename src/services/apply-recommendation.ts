import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { AppContext } from '../context.ts';
import type { ExperimentArm } from '../engine/holdout.ts';
import { canonicalJson } from '../engine/canonical-json.ts';
import type { Db } from '../store/db.ts';
import { adsetObservedRates } from '../store/adset-metrics.ts';
import { appliedChangeOf, insertTargetingChange, lastAppliedTargeting, recentPendingOf, targetingInForce } from '../store/history.ts';
import { updateDiff, type FieldChange, type UpdateNote } from '../meta/targeting-spec.ts';
import type { WireTargeting } from '../meta/graph.ts';
import type { GraphRequest } from '../meta/adset-writes.ts';
import type { StoredMetaError } from '../store/history.ts';
import { changesNothing, executeLivePlan, isNoop, planLiveApply, requestsOf, validatePlan, type LivePlan } from './live-apply.ts';
import type { ChangesDocument } from './live-changes.ts';
import { metaClientFor, translate } from './meta.ts';
import { reconcilePendingChanges, PENDING_GRACE_MS } from './reconcile-changes.ts';
import { getProposal } from '../store/proposals.ts';
import { getRecommendation, newerRecommendation } from '../store/runs.ts';
import { approvedBy, enforceGuardrails, enforceLiveGuardrails, type GuardrailReport, type LiveBudgetChange, type LivePass, type LiveSplitFacts, landedRefs, recordingGuardrailBlocks, withdrawLivePasses } from './apply-guardrails.ts';
import { auditChange } from './audit.ts';
import { campaignDayOf } from './campaign-day.ts';
import { addDays } from './dates.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import { lookalikesForLive, type LookalikesInApply } from './live-lookalikes.ts';
import type { Mode } from './run-optimization.ts';

export interface ApplyRequest {
  recommendationId: string;
  mode: Mode;
  /** Validate and report what would change: answered and audited, never stored in the history. The API and CLI default to it. */
  dryRun: boolean;
  /** Apply even when a newer run superseded the recommendation (the API allows it to admins only). */
  force?: boolean;
  /** The apply carries out an admin's approval of a proposal (the approval step). */
  viaApproval?: boolean;
  /** That proposal: the change is recorded only while it is still open, so a rejection that came first stops it. */
  proposalId?: number;
}

/** The specification's apply response, plus dry_run, already_in_force and the history row's id. */
export interface ApplyResult {
  recommendation_id: string;
  adset_id: string | null;
  success: boolean;
  applied_changes: {
    countries: string[];
    age_range: string;
    interests_count: number;
    behaviors_count: number;
    lookalikes_count: number;
  };
  message: string;
  dry_run: boolean;
  /** The ad set already has exactly this targeting: nothing was applied or recorded. */
  already_in_force: boolean;
  /** The history row written, or (already in force) the one that put the targeting in force; null for a dry run that would change something. */
  history_id: number | null;
  /** What the guardrails said (a dry run reports it without recording anything); null when already in force (nothing to check). */
  guardrails: GuardrailReport | null;
  mode: Mode;
  /** The history row's state: applied, failed (nothing of it left in force), or null when nothing was recorded. */
  state: 'applied' | 'failed' | null;
  /** The exact requests sent (or, in a dry run, that would be sent), in order; none in STUB mode. */
  requests: GraphRequest[];
  /** Whether Meta validated the requests (validate_only) in a LIVE dry run, and what it refused. */
  validation: { validated_by_meta: boolean; errors: { path: string; error: StoredMetaError }[] };
  /** Each ad set the apply changes, creates or retires, with its fields before and after. */
  adsets: { adset_id: string | null; step: 'update' | 'create' | 'retire'; countries: string[]; daily_budget_minor: number | null; diff: FieldChange[] }[];
  /** What was recorded but not sent (advisory), left out by a special ad category, or taken by Meta as a suggestion. */
  notes: (UpdateNote & { adset_id: string | null })[];
  /** After a failure: the ad sets whose changes were undone (or paused, when created) and any that could not be. */
  rolled_back: { adset_id: string; step: string; restored: boolean; error: string | null }[];
  /** Meta's error when the apply failed (code, subcode, fbtrace_id, message): never a token. */
  meta_error: StoredMetaError | null;
  /** LIVE: the recommendation's lookalikes, made or reused on the account; null when it proposes none, or in STUB mode. */
  lookalikes: LookalikesInApply | null;
}

const EMPTY_LIVE = { requests: [], validation: { validated_by_meta: false, errors: [] }, adsets: [], notes: [], rolled_back: [], meta_error: null, lookalikes: null };

/** An ad set's targeting in the shape of Meta's targeting spec (Marketing API, ad set `targeting`). */
export interface TargetingSpec {
  geo_locations: { countries: string[] };
  age_min: number;
  age_max: number;
  /** 1 = male, 2 = female; absent = all genders (Meta's convention). */
  genders?: number[];
  flexible_spec: { interests?: { id: string; name: string }[]; behaviors?: { id: string; name: string }[] }[];
  custom_audiences: { id: string; name: string }[];
  frequency_cap: { max_frequency: number; window_days: number };
}

export function targetingSpecOf(r: Recommendation): TargetingSpec {
  const detailed: TargetingSpec['flexible_spec'][number] = {};
  if (r.interests.length > 0) detailed.interests = r.interests.map((i) => ({ id: i.interest_id, name: i.interest_name }));
  if (r.behaviors.length > 0) detailed.behaviors = r.behaviors.map((b) => ({ id: b.behavior_id, name: b.behavior_name }));
  return {
    geo_locations: { countries: [...r.countries] },
    age_min: r.age_min,
    age_max: r.age_max,
    ...(r.gender === 'male' ? { genders: [1] } : r.gender === 'female' ? { genders: [2] } : {}),
    // Inside one flexible_spec object the lists are OR-ed: people matching any chosen interest or behavior.
    flexible_spec: Object.keys(detailed).length > 0 ? [detailed] : [],
    custom_audiences: r.custom_audiences.map((c) => ({ id: c.audience_id, name: c.name })),
    frequency_cap: { max_frequency: r.frequency_cap, window_days: r.frequency_window_days },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Applies a stored recommendation to its ad set. STUB mode simulates the change and records it in
 * the targeting history as mode 'stub': old targeting = what was last applied to the ad set (null
 * the first time), new targeting = the recommendation as a Meta targeting spec, before_* = the ad
 * set's observed rates over the analysis window before the change, after_* = null until delivery
 * after the change exists. LIVE mode needs the Meta client: refused.
 *
 * Applies of one ad set are serialised (an advisory lock), and inside the lock:
 * - a recommendation that a later run superseded for the same ad set is refused (ConflictError
 *   naming the newer one) unless forced;
 * - a targeting that is already in force records nothing and says so, so that twenty identical
 *   requests make one change, not twenty;
 * - a dry run answers what would change and records nothing in the history (its audit row says who looked).
 */
export async function applyRecommendation(ctx: AppContext, req: ApplyRequest): Promise<ApplyResult> {
  if (!UUID.test(req.recommendationId)) throw new InputError('recommendation_id', `must be a UUID, got ${JSON.stringify(req.recommendationId.slice(0, 80))}`);
  if (req.mode !== 'stub' && req.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(req.mode)}`);
  if (req.mode === 'live') return recordingGuardrailBlocks(ctx, () => applyLive(ctx, req));
  return recordingGuardrailBlocks(ctx, () => ctx.db.transaction(async (tx) => {
    const rec = await getRecommendation(tx, req.recommendationId);
    if (rec === null) throw new NotFoundError(`no recommendation ${req.recommendationId}; GET /meta/targeting/recommendations/{campaign_id} lists the latest ones`);
    await lockAdset(tx, rec.campaign_id, rec.adset_id);
    const newer = await newerRecommendation(tx, rec);
    if (newer !== null && req.force !== true) {
      throw new ConflictError(`recommendation ${rec.recommendation_id} was superseded by recommendation ${newer.recommendationId} (run ${newer.runId}, ${newer.createdAt}) for the same ad set; apply that one, or force this one (admin only)`);
    }
    const base = {
      recommendation_id: rec.recommendation_id,
      adset_id: rec.adset_id,
      success: true,
      applied_changes: {
        countries: [...rec.countries],
        age_range: `${rec.age_min}-${rec.age_max}`,
        interests_count: rec.interests.length,
        behaviors_count: rec.behaviors.length,
        lookalikes_count: rec.lookalikes.length,
      },
      dry_run: req.dryRun,
      mode: 'stub' as const,
      ...EMPTY_LIVE,
    };
    const audit = (outcome: string, historyId: number | null) =>
      auditChange(tx, ctx, { action: 'apply', summary: { recommendation_id: rec.recommendation_id, adset_id: rec.adset_id, outcome, history_id: historyId, forced: newer !== null } });

    const inForce = await targetingInForce(tx, rec.campaign_id, rec.adset_id);
    if (inForce !== null && isTargetingOf(inForce.targeting, rec)) {
      await audit('already_in_force', inForce.historyId);
      return { ...base, already_in_force: true, history_id: inForce.historyId, state: 'applied', guardrails: null, message: `Already in force (targeting history row ${inForce.historyId}): nothing applied, nothing recorded` };
    }
    if (!req.dryRun) await checkStillProposed(tx, req.proposalId);
    const guardrails = await enforceGuardrails(ctx, tx, rec, { mode: req.mode, dryRun: req.dryRun, approved: approvedBy(ctx, req.viaApproval === true) });
    if (req.dryRun) {
      await audit('dry_run', null);
      const diff = updateDiff({ targeting: (inForce?.targeting ?? {}) as WireTargeting, dailyBudgetMinor: null }, { targeting: targetingSpecOf(rec) as unknown as WireTargeting });
      return { ...base, adsets: [{ adset_id: rec.adset_id, step: 'update', countries: [...rec.countries], daily_budget_minor: null, diff }], already_in_force: false, history_id: null, state: null, guardrails, message: `Dry run in STUB mode: nothing applied or recorded; this is what would change (${guardrails.allowed ? 'the guardrails would allow it' : `the guardrails would refuse it: ${guardrails.message}`})` };
    }
    const historyId = await recordTargetingChange(ctx, tx, rec, { dryRun: false, appliedAt: ctx.clock.now(), experiment: null });
    await audit('applied', historyId);
    ctx.logger.info({ recommendationId: rec.recommendation_id, adsetId: rec.adset_id, historyId, actor: ctx.actor.id }, 'recommendation applied (stub)');
    return { ...base, already_in_force: false, history_id: historyId, state: 'applied', guardrails, message: newer === null ? 'Applied in STUB mode (simulated)' : `Applied in STUB mode (simulated), forced over the newer recommendation ${newer.recommendationId}` };
  }));
}

/** Whether a targeting in force is exactly the recommendation's: applying it would change nothing. */
export function isTargetingOf(targeting: unknown, rec: Recommendation): boolean {
  return canonicalJson(targeting) === canonicalJson(targetingSpecOf(rec));
}

/** An approval's apply records its change only while the proposal is open: it holds the proposal's row until the record commits, which a rejection waits for. */
async function checkStillProposed(tx: Db, proposalId: number | undefined): Promise<void> {
  if (proposalId === undefined) return;
  const p = await getProposal(tx, proposalId, true);
  if (p !== null && p.status === 'proposed') return;
  throw new ConflictError(`proposal ${proposalId} was ${p === null ? 'removed' : `${p.status} by ${p.decided_by}`} meanwhile: nothing applied`);
}

/** One change of an ad set at a time (any process on the database): held until the transaction ends; taking it twice is harmless. */
export async function lockAdset(tx: Db, campaignId: string, adsetId: string | null): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-apply:${JSON.stringify([campaignId, adsetId])}`]);
}

/**
 * Writes the history row of one ad set's change (STUB: simulated), inside the caller's
 * transaction: old targeting = the last one applied to the ad set, before_* = its observed rates
 * over the analysis window before the change. In a holdout experiment the holdout arm's row records
 * the withheld recommendation and keeps the old targeting as the new one (nothing changes).
 */
export async function recordTargetingChange(
  ctx: AppContext,
  tx: Db,
  rec: Recommendation,
  opts: { dryRun: boolean; appliedAt: Date; experiment: { id: string; arm: ExperimentArm } | null },
): Promise<number> {
  // One apply per ad set at a time, so "old targeting" is never read while another apply writes it.
  await lockAdset(tx, rec.campaign_id, rec.adset_id);
  const end = addDays(await campaignDayOf(tx, rec.campaign_id, opts.appliedAt), -1);
  const before = await adsetObservedRates(tx, rec.campaign_id, rec.adset_id, addDays(end, -(ctx.config.windowDays - 1)), end);
  const oldTargeting = await lastAppliedTargeting(tx, rec.campaign_id, rec.adset_id);
  return insertTargetingChange(tx, {
    run_id: rec.run_id,
    recommendation_id: rec.recommendation_id,
    campaign_id: rec.campaign_id,
    adset_id: rec.adset_id,
    mode: 'stub',
    dry_run: opts.dryRun,
    applied_at: opts.appliedAt,
    old_targeting: oldTargeting,
    new_targeting: opts.experiment?.arm === 'holdout' ? oldTargeting : targetingSpecOf(rec),
    before_ctr: before.ctr,
    before_cvr: before.cvr,
    before_roas: before.roas,
    after_ctr: null,
    after_cvr: null,
    after_roas: null,
    success: true,
    error_message: null,
    experiment_id: opts.experiment?.id ?? null,
    experiment_arm: opts.experiment?.arm ?? null,
    actor: ctx.actor.id,
  });
}

/**
 * LIVE: plan against the ad sets as Meta has them now, then either preview (dry run: Meta
 * validates, nothing changes) or record, send and settle. The same recommendation applied twice
 * sends nothing the second time; a pending change an earlier process left is settled first.
 */
async function applyLive(ctx: AppContext, req: ApplyRequest): Promise<ApplyResult> {
  const { client } = metaClientFor(ctx);
  const rec = await getRecommendation(ctx.db, req.recommendationId);
  if (rec === null) throw new NotFoundError(`no recommendation ${req.recommendationId}; GET /meta/targeting/recommendations/{campaign_id} lists the latest ones`);
  const newer = await newerRecommendation(ctx.db, rec);
  if (newer !== null && req.force !== true) {
    throw new ConflictError(`recommendation ${rec.recommendation_id} was superseded by recommendation ${newer.recommendationId} (run ${newer.runId}, ${newer.createdAt}) for the same ad set; apply that one, or force this one (admin only)`);
  }
  const audit = (outcome: string, historyId: number | null) =>
    ctx.db.transaction((tx) => auditChange(tx, ctx, { action: 'apply', summary: { recommendation_id: rec.recommendation_id, adset_id: rec.adset_id, mode: 'live', outcome, history_id: historyId, forced: newer !== null } }));
  const base = {
    recommendation_id: rec.recommendation_id,
    adset_id: rec.adset_id,
    applied_changes: { countries: [...rec.countries], age_range: `${rec.age_min}-${rec.age_max}`, interests_count: rec.interests.length, behaviors_count: rec.behaviors.length, lookalikes_count: rec.lookalikes.length },
    dry_run: req.dryRun,
    mode: 'live' as const,
  };
  return translate(async () => {
    await reconcilePendingChanges(ctx, client, rec.campaign_id);
    const done = await appliedChangeOf(ctx.db, rec.recommendation_id, 'live');
    if (done !== null) {
      await audit('already_in_force', done.id);
      return { ...base, ...EMPTY_LIVE, success: true, already_in_force: true, history_id: done.id, state: 'applied', guardrails: null, message: `Already applied (targeting history row ${done.id}): nothing sent to Meta` };
    }
    const approved = approvedBy(ctx, req.viaApproval === true);
    let plan = await planLiveApply(ctx, client, rec);
    // The guardrails judge the budgets, which lookalikes do not change: checked on the first plan,
    // before any write reaches Meta (lookalikes and validate_only included). A refusal is thrown
    // (and recorded by recordingGuardrailBlocks); a dry run only reports.
    // An approval's proposal rejected meanwhile stops it here too, before any lookalike is made.
    const checked = await ctx.db.transaction(async (tx) => {
      if (!req.dryRun) await checkStillProposed(tx, req.proposalId);
      return enforceLiveGuardrails(ctx, tx, rec, budgetChangesOf(plan), { stage: req.dryRun ? 'report' : 'precheck', approved, split: splitFactsOf(plan) });
    });
    const lookalikes = await lookalikesForLive(ctx, rec, !req.dryRun);
    if (lookalikes.target.length > 0) plan = await planLiveApply(ctx, client, rec, lookalikes.target);
    const shown = { ...base, ...answerOf(plan), lookalikes: lookalikes.answer };
    if (changesNothing(plan)) {
      await audit('already_in_force', null);
      return { ...shown, requests: [], success: true, already_in_force: true, history_id: null, state: null, guardrails: null, message: 'The ad sets already hold this targeting and budget at Meta: nothing sent, nothing recorded' };
    }
    const validation = await validatePlan(client, plan.doc);
    const refused = { validated_by_meta: true, errors: validation.errors };
    if (req.dryRun) {
      await audit('dry_run', null);
      const ok = validation.errors.length === 0;
      const guard = checked.report.allowed ? 'the guardrails would allow it' : `the guardrails would refuse it: ${checked.report.message}`;
      return { ...shown, validation: refused, success: ok, already_in_force: false, history_id: null, state: null, guardrails: checked.report, message: ok ? `Dry run in LIVE mode: Meta validated the ${shown.requests.length} request(s) (validate_only); nothing changed (${guard}). Confirm to apply` : `Dry run in LIVE mode: Meta refused ${validation.errors.length} request(s) in validation; nothing changed (${guard})` };
    }
    if (validation.errors.length > 0) {
      const first = validation.errors[0]!.error;
      const historyId = await recordLive(ctx, plan, plan.doc, 'failed', first);
      await audit('refused_by_meta', historyId);
      return { ...shown, validation: refused, success: false, already_in_force: false, history_id: historyId, state: 'failed', meta_error: first, guardrails: checked.report, message: `Meta refused ${validation.errors.length} request(s) in validation (${first.message}); nothing was sent. Recorded as failed` };
    }
    // Checked again under the locks, with the pending row: the passes and the row land together.
    let guarded: { report: GuardrailReport; passes: LivePass[] } | null = null;
    const outcome = await executeLivePlan(ctx, client, plan, (_state, doc) =>
      recordLive(ctx, plan, doc, 'pending', null, async (tx) => {
        await checkStillProposed(tx, req.proposalId);
        guarded = await enforceLiveGuardrails(ctx, tx, rec, budgetChangesOf(plan), { stage: 'enforce', approved, split: splitFactsOf(plan) });
      }),
    );
    const passed = guarded as { report: GuardrailReport; passes: LivePass[] } | null;
    await audit(outcome.state, outcome.historyId);
    ctx.logger.info({ recommendationId: rec.recommendation_id, historyId: outcome.historyId, state: outcome.state, adsets: outcome.doc.adsets.length, actor: ctx.actor.id }, 'recommendation applied to Meta');
    const answer = { ...shown, ...answerOf({ ...plan, doc: outcome.doc }), lookalikes: lookalikes.answer, validation: refused, already_in_force: false, history_id: outcome.historyId, guardrails: passed?.report ?? checked.report };
    if (outcome.state === 'applied') return { ...answer, success: true, state: 'applied', message: `Applied in LIVE mode to ${outcome.doc.adsets.length} ad set(s); targeting history row ${outcome.historyId}` };
    if (passed !== null) await withdrawLivePasses(ctx, passed.passes, landedRefs(outcome.doc));
    const restored = outcome.doc.rolled_back.filter((r) => r.restored).map((r) => r.adset_id);
    const left = outcome.doc.rolled_back.filter((r) => !r.restored).map((r) => r.adset_id);
    return {
      ...answer,
      success: false,
      state: 'failed',
      meta_error: outcome.metaError,
      message: `Meta refused a change (${outcome.metaError?.message ?? 'unknown error'}). ${restored.length === 0 ? 'Nothing had landed.' : `Rolled back: ${restored.join(', ')}.`}${left.length > 0 ? ` NOT restored (check them in Ads Manager): ${left.join(', ')}.` : ''} Recorded as failed in targeting history row ${outcome.historyId}`,
    };
  });
}

/**
 * The Meta ad sets whose daily budget the plan sets, as the guardrails judge them: an update that
 * sends a budget (against the budget Meta holds now), a geo split's copy (new: its whole budget).
 * A retire only pauses; a campaign or lifetime budget is not sent, so nothing is judged.
 */
function budgetChangesOf(plan: LivePlan): LiveBudgetChange[] {
  const out: LiveBudgetChange[] = [];
  for (const [ref, c] of plan.doc.adsets.entries()) {
    if (c.step === 'retire' || isNoop(c) || c.after.daily_budget === undefined || c.after.daily_budget === null) continue;
    const current = c.step === 'create' || c.before?.daily_budget == null ? null : Number(c.before.daily_budget);
    out.push({ ref, adsetId: c.step === 'create' ? null : c.adset_id, currentMinor: current, proposedMinor: Number(c.after.daily_budget), group: c.group === null ? null : { key: c.group.key, countries: c.group.countries } });
  }
  return out;
}

/** What the guardrails need of a plan that creates copies of the original ad set or regroups its split (null when it does neither). */
function splitFactsOf(plan: LivePlan): LiveSplitFacts | null {
  if (!plan.doc.adsets.some((c) => c.step === 'create') && plan.regroup === null) return null;
  const base = { originalAdsetId: plan.source.id, splitAdsetIds: plan.splitAdsetIds, originalBudgetMinor: plan.source.dailyBudgetMinor, first: plan.firstSplit, window: plan.rec.reasoning.window };
  if (plan.regroup === null) return base;
  const proposedTotalMinor = plan.doc.adsets.reduce((s, c) => s + (c.step === 'retire' ? 0 : (c.group?.budget_minor ?? 0)), 0);
  return { ...base, regroup: { inForce: plan.regroup, proposedTotalMinor } };
}

/** What a LIVE answer shows of a plan: the requests, each ad set's diff, and the notes. */
function answerOf(plan: LivePlan): Pick<ApplyResult, 'requests' | 'validation' | 'adsets' | 'notes' | 'rolled_back' | 'meta_error'> {
  const doc = plan.doc;
  return {
    requests: requestsOf(doc),
    validation: { validated_by_meta: false, errors: [] },
    adsets: doc.adsets.map((c) => ({ adset_id: c.adset_id, step: c.step, countries: c.group?.countries ?? [], daily_budget_minor: c.after.daily_budget === undefined ? null : Number(c.after.daily_budget), diff: c.diff })),
    notes: doc.adsets.flatMap((c) => c.notes.map((n) => ({ ...n, adset_id: c.adset_id }))),
    rolled_back: doc.rolled_back,
    meta_error: null,
  };
}

/**
 * The history row of a LIVE apply, committed before any write: old targeting = the ad set's as
 * Meta returned it, new = what it is sent. One apply of an ad set at a time: a younger pending row
 * of the campaign is another apply at work (409).
 */
async function recordLive(ctx: AppContext, plan: LivePlan, doc: ChangesDocument, state: 'pending' | 'failed', metaError: StoredMetaError | null, guard: ((tx: Db) => Promise<void>) | null = null): Promise<number> {
  const rec = plan.rec;
  return ctx.db.transaction(async (tx) => {
    // Campaign-wide: the pending check below must see every other LIVE change of the campaign.
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-live:${rec.campaign_id}`]);
    const busy = await recentPendingOf(tx, rec.campaign_id, new Date(ctx.clock.now().getTime() - PENDING_GRACE_MS));
    if (busy !== null && state === 'pending') throw new ConflictError(`another apply of campaign ${rec.campaign_id} is in progress (targeting history row ${busy}); try again when it has finished`);
    if (guard !== null) {
      await lockAdset(tx, rec.campaign_id, rec.adset_id);
      await guard(tx);
    }
    const at = ctx.clock.now();
    const end = addDays(await campaignDayOf(tx, rec.campaign_id, at), -1);
    const before = await adsetObservedRates(tx, rec.campaign_id, rec.adset_id, addDays(end, -(ctx.config.windowDays - 1)), end);
    const source = doc.adsets.find((c) => c.adset_id === doc.source_adset_id);
    const id = await insertTargetingChange(tx, {
      run_id: rec.run_id,
      recommendation_id: rec.recommendation_id,
      campaign_id: rec.campaign_id,
      adset_id: rec.adset_id,
      mode: 'live',
      dry_run: false,
      applied_at: at,
      old_targeting: plan.source.targeting,
      new_targeting: source?.after.targeting ?? plan.source.targeting,
      before_ctr: before.ctr,
      before_cvr: before.cvr,
      before_roas: before.roas,
      after_ctr: null,
      after_cvr: null,
      after_roas: null,
      success: false,
      error_message: metaError === null ? null : `Meta refused the request in validation: ${metaError.message}`,
      actor: ctx.actor.id,
      state,
      changes: doc,
      meta_error: metaError,
    });
    return id;
  });
}
