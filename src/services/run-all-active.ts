import type { AppContext } from '../context.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import { type Mode, runOptimization } from './run-optimization.ts';

/** The response of POST /meta/targeting/run, for one campaign or for all active ones. */
export interface RunSummary {
  /** The first campaign's run (the specification's single run id); every run is in run_ids. */
  run_id: string;
  /** completed: every campaign optimized; partial: some failed (all failing is an error). */
  status: 'completed' | 'partial';
  campaign_ids: string[];
  recommendations_count: number;
  duration_ms: number;
  message: string;
  /** One run per campaign, in the order of campaign_ids (runs are per campaign: the lock, reuse and history are). */
  run_ids: string[];
  /** Campaigns whose latest fresh run was returned instead of a new one (history unchanged). */
  reused_campaign_ids: string[];
  failed_campaign_ids: string[];
}

export interface RunCampaignsRequest {
  mode: Mode;
  forceRefresh: boolean;
  /** Daily budget in major units as text, for one campaign; null or absent: the stored daily budget. */
  budget?: string | null;
  /** One campaign only: generate a synthetic STUB history when it has none (runOptimization). */
  generateStub?: boolean;
}

/** One campaign through runOptimization (the given budget, else its stored daily budget), as a RunSummary. */
export async function runOneCampaign(ctx: AppContext, campaignId: string, req: RunCampaignsRequest): Promise<RunSummary> {
  const t0 = performance.now();
  const result = await runOptimization(ctx, { campaignId, budget: req.budget ?? null, mode: req.mode, forceRefresh: req.forceRefresh, generateStub: req.generateStub ?? false });
  const { run } = result;
  const durationMs = result.reused ? Math.round(performance.now() - t0) : (run.durationMs ?? 0);
  return {
    run_id: run.runId,
    status: 'completed',
    campaign_ids: run.campaignIds,
    recommendations_count: run.recommendationsCount,
    duration_ms: durationMs,
    message: result.reused
      ? `Reused run ${run.runId} from ${run.startedAt} (${run.recommendationsCount} recommendations): the history has not changed since; send force_refresh: true to recompute`
      : `Generated ${run.recommendationsCount} recommendations in ${durationMs}ms`,
    run_ids: [run.runId],
    reused_campaign_ids: result.reused ? [campaignId] : [],
    failed_campaign_ids: [],
  };
}

/**
 * Optimizes every active campaign (campaigns.active), one after another: each run takes its own
 * per-campaign lock, so running them in parallel would only contend for the database. A failed
 * campaign does not stop the others; it is reported in failed_campaign_ids (its failed run is
 * stored by runOptimization). Response shape decision: the specification has one run_id, but a run
 * belongs to one campaign (its lock, its reuse rule, its history rows), so this creates one run per
 * campaign, returns the first one's id as run_id and all of them in run_ids.
 */
export async function runAllActive(ctx: AppContext, req: RunCampaignsRequest): Promise<RunSummary> {
  const t0 = performance.now();
  const campaigns = await ctx.db.query<{ campaign_id: string }>('select campaign_id from campaigns where active order by campaign_id');
  if (campaigns.length === 0) throw new NotFoundError('no active campaigns: generate (stub generate) or import history first, or give a campaign_id');
  const parts: RunSummary[] = [];
  const failed: string[] = [];
  const reasons: string[] = [];
  let theirsToFix = true;
  for (const { campaign_id } of campaigns) {
    try {
      parts.push(await runOneCampaign(ctx, campaign_id, { ...req, budget: null, generateStub: false }));
    } catch (error) {
      failed.push(campaign_id);
      theirsToFix &&= error instanceof InputError || error instanceof NotFoundError || error instanceof ConflictError;
      reasons.push(`${campaign_id}: ${error instanceof Error ? error.message : String(error)}`);
      ctx.logger.warn({ campaignId: campaign_id, err: error instanceof Error ? error.message : String(error) }, 'campaign run failed');
    }
  }
  const durationMs = Math.round(performance.now() - t0);
  const count = parts.reduce((n, p) => n + p.recommendations_count, 0);
  const runIds = parts.map((p) => p.run_id);
  // Every campaign refused for a reason its owner can fix (no daily budget stored, say): say each.
  if (parts.length === 0 && theirsToFix) throw new ConflictError(`no active campaign could be optimized: ${reasons.join('; ')}`);
  if (parts.length === 0) throw new Error(`every active campaign failed to optimize: ${failed.join(', ')}`);
  return {
    run_id: runIds[0]!,
    status: failed.length === 0 ? 'completed' : 'partial',
    campaign_ids: parts.map((p) => p.campaign_ids[0]!),
    recommendations_count: count,
    duration_ms: durationMs,
    message: `Generated ${count} recommendations for ${parts.length} campaign(s) in ${durationMs}ms${failed.length > 0 ? `; ${failed.length} failed: ${failed.join(', ')}` : ''}`,
    run_ids: runIds,
    reused_campaign_ids: parts.flatMap((p) => p.reused_campaign_ids),
    failed_campaign_ids: failed,
  };
}
