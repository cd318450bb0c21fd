// The job the scheduler runs per campaign, as a plain function: the worker calls it for each
// pg-boss job and tests call it directly.
import type { AppContext } from '../context.ts';
import { InputError, NotFoundError, UnavailableError } from '../services/errors.ts';
import { MetaAuthError } from '../services/meta.ts';
import { type Mode, runOptimization } from '../services/run-optimization.ts';

export interface OptimizeCampaignData {
  campaignId: string;
  mode: Mode;
}

export type OptimizeCampaignOutcome =
  | { status: 'completed'; campaignId: string; runId: string; reused: boolean; recommendations: number }
  /** A problem no retry can fix (no budget stored, LIVE mode unavailable): recorded, not retried. */
  | { status: 'skipped'; campaignId: string; reason: string };

/** Job payloads come back from the database: checked rather than trusted. */
export function parseOptimizeCampaignData(data: unknown): OptimizeCampaignData {
  const d = (data ?? {}) as { campaignId?: unknown; mode?: unknown };
  if (typeof d.campaignId !== 'string' || d.campaignId === '') throw new InputError('campaignId', 'the job carries no campaign id');
  if (d.mode !== 'stub' && d.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(d.mode)}`);
  return { campaignId: d.campaignId, mode: d.mode };
}

/**
 * Optimizes one campaign for its stored daily budget. The service takes the per-campaign advisory
 * lock (the second line behind the queue's one-active-job-per-campaign policy), reuses a run on
 * unchanged history within the interval, and writes a run in one transaction: an error or an
 * interrupted process leaves a failed run or nothing, never half a run. Other errors are thrown
 * so that pg-boss retries the job.
 */
export async function optimizeCampaignJob(ctx: AppContext, data: OptimizeCampaignData): Promise<OptimizeCampaignOutcome> {
  try {
    const result = await runOptimization(ctx, { campaignId: data.campaignId, budget: null, mode: data.mode, forceRefresh: false });
    return { status: 'completed', campaignId: data.campaignId, runId: result.run.runId, reused: result.reused, recommendations: result.recommendations.length };
  } catch (error) {
    // A refused token or LIVE mode without credentials needs a person, not a retry.
    if (error instanceof InputError || error instanceof NotFoundError || error instanceof UnavailableError || error instanceof MetaAuthError) {
      ctx.logger.warn({ campaignId: data.campaignId, reason: error.message }, 'scheduled run skipped');
      return { status: 'skipped', campaignId: data.campaignId, reason: error.message };
    }
    throw error;
  }
}
