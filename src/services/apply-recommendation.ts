import type { Recommendation } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import type { ExperimentArm } from '../engine/holdout.ts';
import type { Db } from '../store/db.ts';
import { adsetObservedRates } from '../store/adset-metrics.ts';
import { insertTargetingChange, lastAppliedTargeting, targetingInForce } from '../store/history.ts';
import { getRecommendation, newerRecommendation } from '../store/runs.ts';
import { approvedBy, enforceGuardrails, type GuardrailReport, recordingGuardrailBlocks } from './apply-guardrails.ts';
import { auditChange } from './audit.ts';
import { addDays, isoDate } from './dates.ts';
import { ConflictError, InputError, NotFoundError, UnavailableError } from './errors.ts';
import type { Mode } from './run-optimization.ts';

export interface ApplyRequest {
  recommendationId: string;
  mode: Mode;
  /** Validate and report what would change: answered and audited, never stored in the history. */
  dryRun: boolean;
  /** Apply even when a newer run superseded the recommendation (the API allows it to admins only). */
  force?: boolean;
  /** The apply carries out an admin's approval of a proposal (the approval step). */
  viaApproval?: boolean;
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
}

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
  if (req.mode === 'live') {
    throw new UnavailableError('LIVE apply needs the Meta Marketing API client, which is not part of this version yet; use mode stub (simulated)');
  }
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
    };
    const audit = (outcome: string, historyId: number | null) =>
      auditChange(tx, ctx, { action: 'apply', summary: { recommendation_id: rec.recommendation_id, adset_id: rec.adset_id, outcome, history_id: historyId, forced: newer !== null } });

    const inForce = await targetingInForce(tx, rec.campaign_id, rec.adset_id);
    if (inForce !== null && canonicalJson(inForce.targeting) === canonicalJson(targetingSpecOf(rec))) {
      await audit('already_in_force', inForce.historyId);
      return { ...base, already_in_force: true, history_id: inForce.historyId, guardrails: null, message: `Already in force (targeting history row ${inForce.historyId}): nothing applied, nothing recorded` };
    }
    const guardrails = await enforceGuardrails(ctx, tx, rec, { mode: req.mode, dryRun: req.dryRun, approved: approvedBy(ctx, req.viaApproval === true) });
    if (req.dryRun) {
      await audit('dry_run', null);
      return { ...base, already_in_force: false, history_id: null, guardrails, message: `Dry run in STUB mode: nothing applied or recorded; this is what would change (${guardrails.allowed ? 'the guardrails would allow it' : `the guardrails would refuse it: ${guardrails.message}`})` };
    }
    const historyId = await recordTargetingChange(ctx, tx, rec, { dryRun: false, appliedAt: ctx.clock.now(), experiment: null });
    await audit('applied', historyId);
    ctx.logger.info({ recommendationId: rec.recommendation_id, adsetId: rec.adset_id, historyId, actor: ctx.actor.id }, 'recommendation applied (stub)');
    return { ...base, already_in_force: false, history_id: historyId, guardrails, message: newer === null ? 'Applied in STUB mode (simulated)' : `Applied in STUB mode (simulated), forced over the newer recommendation ${newer.recommendationId}` };
  }));
}

/** One change of an ad set at a time (any process on the database): held until the transaction ends; taking it twice is harmless. */
async function lockAdset(tx: Db, campaignId: string, adsetId: string | null): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-apply:${JSON.stringify([campaignId, adsetId])}`]);
}

/** JSON with object keys sorted at every level: jsonb does not keep key order, so compare this. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
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
  const end = addDays(isoDate(opts.appliedAt), -1);
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
