import type { AppContext } from '../context.ts';
import { listExperiments } from '../store/dashboard-reads.ts';

export interface ExperimentSummary {
  experiment_id: string;
  campaign_id: string;
  run_id: string;
  holdout_share: number;
  started_at: string;
  adsets: number;
}

/** Holdout experiments, latest first (the lift of each: experimentReport). */
export async function experimentSummaries(ctx: AppContext, q: { campaignId: string | null; limit: number }): Promise<ExperimentSummary[]> {
  const rows = await listExperiments(ctx.db, q.campaignId, q.limit);
  return rows.map((e) => ({ experiment_id: e.experimentId, campaign_id: e.campaignId, run_id: e.runId, holdout_share: e.holdoutShare, started_at: e.startedAt, adsets: e.adsets }));
}
