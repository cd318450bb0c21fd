// Holdout experiments: apply the latest run's recommendations of a campaign to
// a seeded random share of its ad sets and keep the others on their old targeting, then report the
// lift of treatment over holdout with 95 % intervals once delivery after the start exists.
import type { AppContext } from '../context.ts';
import { assignArms, type ExperimentArm, holdoutCount, MAX_HOLDOUT_SHARE } from '../engine/holdout.ts';
import { type ArmCell, compareArms, DEFAULT_LIFT_RULES, type RatioLift, summarizeArm } from '../engine/lift.ts';
import { observedCtr, observedCvr, observedRoas } from '../engine/metrics.ts';
import { toMajor } from '../engine/money.ts';
import { deriveSeed } from '../engine/random.ts';
import { adsetDailyMetrics } from '../store/adset-metrics.ts';
import { type AssignedAdset, type ExperimentRecord, experimentOfRun, firstChangeAfter, getExperiment, insertExperiment, updateExperimentAssignment } from '../store/experiments.ts';
import { getCampaign } from '../store/insights.ts';
import { latestRecommendations } from '../store/runs.ts';
import { approvedBy, enforceGuardrails, recordingGuardrailBlocks } from './apply-guardrails.ts';
import { isTargetingOf, lockAdset, recordTargetingChange } from './apply-recommendation.ts';
import { targetingInForce } from '../store/history.ts';
import { auditChange } from './audit.ts';
import { campaignDayOf } from './campaign-day.ts';
import { addDays } from './dates.ts';
import { InputError, NotFoundError, UnavailableError } from './errors.ts';
import type { Mode } from './run-optimization.ts';
import { campaignIdFrom } from './campaign-id.ts';

export interface StartExperimentRequest {
  campaignId: string;
  mode: Mode;
  /** Share of the ad sets kept on their old targeting, 0 to 0.5 (0: apply to all, no holdout). */
  holdoutShare: number;
  /** Draw and show the assignment; store nothing (the real start draws the same from the same run). */
  dryRun: boolean;
}

export interface ExperimentStart {
  /** Null in a dry run. */
  experiment_id: string | null;
  campaign_id: string;
  run_id: string;
  holdout_share: number;
  seed: number;
  started_at: string;
  dry_run: boolean;
  assignment: AssignedAdset[];
  message: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startExperiment(ctx: AppContext, req: StartExperimentRequest): Promise<ExperimentStart> {
  const campaignId = campaignIdFrom(req.campaignId, 'campaign_id');
  if (req.mode !== 'stub' && req.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(req.mode)}`);
  if (typeof req.holdoutShare !== 'number' || !(req.holdoutShare >= 0 && req.holdoutShare <= MAX_HOLDOUT_SHARE)) {
    throw new InputError('holdout_share', `must be a number from 0 to ${MAX_HOLDOUT_SHARE}, got ${JSON.stringify(req.holdoutShare)}`);
  }
  if (req.mode === 'live') throw new UnavailableError('LIVE experiments need the Meta Marketing API client, which is not part of this version yet; use mode stub (simulated)');

  return recordingGuardrailBlocks(ctx, () => ctx.db.transaction(async (tx) => {
    // One start per campaign at a time: two concurrent starts on the same run would both pass the check below.
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-experiment:${campaignId}`]);
    const recs = await latestRecommendations(tx, campaignId);
    if (recs.length === 0) throw new NotFoundError(`no recommendation for campaign ${campaignId}; optimize it first (POST /meta/targeting/run or targeting-optimizer run)`);
    const runId = recs[0]!.run_id;
    const existing = await experimentOfRun(tx, runId);
    if (existing !== null) {
      throw new InputError('campaign_id', `the latest run ${runId} of campaign ${campaignId} is already in experiment ${existing}; optimize again to test newer recommendations`);
    }
    if (holdoutCount(recs.length, req.holdoutShare) === null) {
      throw new InputError('holdout_share', `a holdout needs at least 2 ad sets, and the latest run of campaign ${campaignId} has ${recs.length}; use holdout_share 0 to apply without a holdout`);
    }
    // The seed follows from the run id: anyone can recompute the draw (assignArms) from the stored run.
    const seed = deriveSeed(runId, 'holdout');
    const arms = assignArms(recs.map((r) => r.adset_id), req.holdoutShare, seed);
    const recOf = new Map(recs.map((r) => [r.adset_id ?? '', r]));
    const startedAt = ctx.clock.now();
    const assignment: AssignedAdset[] = arms.map((a) => ({ adset_id: a.adsetId, arm: a.arm, recommendation_id: recOf.get(a.adsetId ?? '')!.recommendation_id, history_id: null }));
    const holdouts = assignment.filter((a) => a.arm === 'holdout').length;
    const base = { campaign_id: campaignId, run_id: runId, holdout_share: req.holdoutShare, seed, started_at: startedAt.toISOString(), dry_run: req.dryRun };
    const split = `${assignment.length - holdouts} ad set(s) in treatment, ${holdouts} in holdout`;
    if (req.dryRun) {
      await auditChange(tx, ctx, { action: 'experiment', summary: { campaign_id: campaignId, run_id: runId, outcome: 'dry_run' } });
      return { experiment_id: null, ...base, assignment, message: `Dry run in STUB mode: nothing applied; ${split}` };
    }

    // Each treatment ad set is an apply: the same guardrails (kill switch, approval step, confidence,
    // budget limits) judge it under its ad set's lock, and a refusal starts nothing.
    for (const a of assignment) {
      if (a.arm !== 'treatment') continue;
      const rec = recOf.get(a.adset_id ?? '')!;
      await lockAdset(tx, rec.campaign_id, rec.adset_id);
      const inForce = await targetingInForce(tx, rec.campaign_id, rec.adset_id);
      if (inForce !== null && isTargetingOf(inForce.targeting, rec)) continue;
      await enforceGuardrails(ctx, tx, rec, { mode: req.mode, dryRun: false, approved: approvedBy(ctx, false) });
    }

    const experimentId = ctx.newId();
    await insertExperiment(tx, { experiment_id: experimentId, campaign_id: campaignId, run_id: runId, holdout_share: req.holdoutShare, seed, started_at: startedAt, assignment });
    for (const a of assignment) {
      a.history_id = await recordTargetingChange(ctx, tx, recOf.get(a.adset_id ?? '')!, { dryRun: false, appliedAt: startedAt, experiment: { id: experimentId, arm: a.arm } });
    }
    await updateExperimentAssignment(tx, experimentId, assignment);
    await auditChange(tx, ctx, { action: 'experiment', summary: { campaign_id: campaignId, run_id: runId, experiment_id: experimentId, outcome: 'started' } });
    ctx.logger.info({ experimentId, campaignId, runId, holdouts, adsets: assignment.length }, 'experiment started (stub)');
    return { experiment_id: experimentId, ...base, assignment, message: `Experiment started in STUB mode (simulated): ${split}` };
  }));
}

export interface ArmReport {
  adset_ids: (string | null)[];
  /** Ad sets and days with delivery since the start. */
  adsets_with_delivery: number;
  days: number;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Major units of the campaign's currency. */
  spend: number;
  revenue: number;
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

export interface LiftReport {
  state: 'ok' | 'not_enough_data';
  reason: string | null;
  treatment: number | null;
  holdout: number | null;
  /** treatment / holdout − 1 (0.12 = +12 %). */
  lift: number | null;
  ci95: { low: number; high: number } | null;
  /** The lift divided by the same arms' ratio over the baseline period (see engine/lift.ts); null without one. */
  adjusted: { lift: number; ci95: { low: number; high: number } } | null;
}

/** The stored experiment (its assignment included) and what has happened since. */
export interface ExperimentReport extends ExperimentRecord {
  currency: string;
  /** First day counted (the day after the start: the start day mixes old and new targeting) and the last day with delivery counted (never on or after the day of a later change of one of its ad sets). */
  period: { start: string; end: string | null };
  /** The days before the start whose arm ratios the adjusted lift divides out (TARGETING_WINDOW_DAYS). */
  baseline_period: { start: string; end: string };
  /** no_holdout: holdout_share 0, nothing to compare; not_enough_data: see reason; ready: at least one lift has an interval. */
  status: 'no_holdout' | 'not_enough_data' | 'ready';
  reason: string | null;
  arms: { treatment: ArmReport; holdout: ArmReport };
  lift: { ctr: LiftReport; cvr: LiftReport; roas: LiftReport };
  rules: { min_days: number; min_clicks: number; min_conversions: number };
  method: string;
}

export const LIFT_METHOD =
  'Each rate is a ratio of sums over the arm\'s ad set-days since the start; lift = treatment / holdout − 1; 95 % interval by the delta method on the log ratio, ' +
  'with each arm\'s variance from the spread of its ad set-days and a Student t quantile (Welch–Satterthwaite degrees of freedom). Ad set-days are treated as independent: ' +
  'differences between ad sets that persist over all days are not in that interval, so with few ad sets the raw lift can reflect which ad sets were drawn. ' +
  'adjusted divides out the same arms\' ratio over the baseline period before the start (difference in differences on the log scale, the four variances added): the figure to act on when it exists.';

export async function experimentReport(ctx: AppContext, experimentId: string): Promise<ExperimentReport> {
  if (!UUID.test(experimentId)) throw new InputError('experiment_id', `must be a UUID, got ${JSON.stringify(experimentId.slice(0, 80))}`);
  const exp = await getExperiment(ctx.db, experimentId.toLowerCase());
  if (exp === null) throw new NotFoundError(`no experiment ${experimentId}`);
  const campaign = await getCampaign(ctx.db, exp.campaign_id);
  const currency = campaign?.currency ?? ctx.config.defaultCurrency;
  const firstDay = addDays(await campaignDayOf(ctx.db, exp.campaign_id, new Date(exp.started_at)), 1);
  const adsetIds = exp.assignment.map((a) => a.adset_id);
  // A later change of any of its ad sets ends the experiment the day before that change's day (which
  // mixes both targetings): after it, the arms no longer compare the recommendation with the old targeting.
  const changedAt = await firstChangeAfter(ctx.db, exp);
  const lastCounted = changedAt === null ? null : addDays(await campaignDayOf(ctx.db, exp.campaign_id, changedAt), -1);
  const days = await adsetDailyMetrics(ctx.db, exp.campaign_id, adsetIds, firstDay, lastCounted);
  // The baseline: the analysis window before the start day (whose delivery was all old targeting).
  const baselineEnd = addDays(firstDay, -2);
  const baselineStart = addDays(baselineEnd, -(ctx.config.windowDays - 1));
  const before = await adsetDailyMetrics(ctx.db, exp.campaign_id, adsetIds, baselineStart, baselineEnd);
  const armOf = new Map<string, ExperimentArm>(exp.assignment.map((a) => [a.adset_id ?? '', a.arm]));
  const split = (list: typeof days) => {
    const out = { treatment: [] as ArmCell[], holdout: [] as ArmCell[] };
    for (const d of list) out[armOf.get(d.adsetId) ?? 'treatment'].push({ date: d.date, adsetId: d.adsetId, metrics: d.metrics });
    return out;
  };
  const cells = split(days);

  const arm = (name: ExperimentArm): ArmReport => {
    const s = summarizeArm(cells[name]);
    return {
      adset_ids: exp.assignment.filter((a) => a.arm === name).map((a) => a.adset_id),
      adsets_with_delivery: s.adsets,
      days: s.days,
      impressions: s.total.impressions,
      clicks: s.total.clicks,
      conversions: s.total.conversions,
      spend: toMajor(s.total.spendMinor, currency),
      revenue: toMajor(s.total.revenueMinor, currency),
      ctr: observedCtr(s.total),
      cvr: observedCvr(s.total),
      roas: observedRoas(s.total),
    };
  };
  const noHoldout = !exp.assignment.some((a) => a.arm === 'holdout');
  const result = compareArms(cells.treatment, cells.holdout, DEFAULT_LIFT_RULES, split(before));
  const noHoldoutReason = 'the experiment has no holdout (holdout_share 0): there is nothing to compare with';
  const lift = (r: RatioLift): LiftReport => ({
    state: r.state,
    reason: noHoldout ? noHoldoutReason : r.reason,
    treatment: r.treatment,
    holdout: r.holdout,
    lift: r.lift,
    ci95: r.ci95,
    adjusted: r.adjusted === null ? null : { lift: r.adjusted.lift, ci95: r.adjusted.ci95 },
  });
  const lastDay = days.reduce<string | null>((m, d) => (d.metrics.impressions > 0 && (m === null || d.date > m) ? d.date : m), null);
  return {
    experiment_id: exp.experiment_id,
    campaign_id: exp.campaign_id,
    run_id: exp.run_id,
    holdout_share: exp.holdout_share,
    seed: exp.seed,
    started_at: exp.started_at,
    currency,
    period: { start: firstDay, end: lastDay },
    baseline_period: { start: baselineStart, end: baselineEnd },
    status: noHoldout ? 'no_holdout' : result.state === 'ok' ? 'ready' : 'not_enough_data',
    reason: noHoldout ? noHoldoutReason : result.reason,
    assignment: exp.assignment,
    arms: { treatment: arm('treatment'), holdout: arm('holdout') },
    lift: { ctr: lift(result.ctr), cvr: lift(result.cvr), roas: lift(result.roas) },
    rules: { min_days: DEFAULT_LIFT_RULES.minDays, min_clicks: DEFAULT_LIFT_RULES.minClicks, min_conversions: DEFAULT_LIFT_RULES.minConversions },
    method: LIFT_METHOD,
  };
}
