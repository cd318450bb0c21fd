// A campaign as the dashboard's Campaigns page shows it: the stored campaign, its latest run, what
// the latest recommendations expect against what the campaign last delivered, and its spend.
import { addMetrics, emptyMetrics, observedCtr, observedCvr, observedRoas } from '../engine/metrics.ts';
import { toMajor } from '../engine/money.ts';
import type { AppContext } from '../context.ts';
import { campaignDelivery, latestRunOfCampaign, type LatestRun } from '../store/dashboard-reads.ts';
import { latestRecommendations } from '../store/runs.ts';
import { type CampaignDocument, listCampaigns } from './campaigns.ts';
import { addDays } from './dates.ts';

/** Days of delivery the "last actual" rates and the spend are read over, ending at the campaign's last day. */
export const ACTUAL_DAYS = 7;
export const SPEND_DAYS = 30;

interface Rates {
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

export interface CampaignOverview extends CampaignDocument {
  latest_run: { run_id: string; status: string; strategy: string; mode: string; started_at: string; finished_at: string | null; duration_ms: number | null; actor: string | null; error: string | null } | null;
  /** Budget-weighted over the latest run's recommendations (one per ad set); null without one. */
  expected: (Rates & { confidence: number }) | null;
  /** Observed over the campaign's last ACTUAL_DAYS days of delivery. */
  actual: Rates & { days: number };
  /** Major units of the currency over the last SPEND_DAYS days of delivery. */
  spend: { amount: number; days: number };
}

export async function campaignOverviewPage(ctx: AppContext, page: { limit: number; cursor: string | null }): Promise<{ items: CampaignOverview[]; nextCursor: string | null }> {
  const listed = await listCampaigns(ctx, page);
  const items: CampaignOverview[] = [];
  for (const c of listed.items) items.push(await overviewOf(ctx, c));
  return { items, nextCursor: listed.nextCursor };
}

async function overviewOf(ctx: AppContext, c: CampaignDocument): Promise<CampaignOverview> {
  const [run, recs] = await Promise.all([latestRunOfCampaign(ctx.db, c.campaign_id), latestRecommendations(ctx.db, c.campaign_id)]);
  const expected = weightedExpectation(recs);
  if (c.last_data_day === null) return { ...c, latest_run: runDocument(run), expected, actual: { ctr: null, cvr: null, roas: null, days: ACTUAL_DAYS }, spend: { amount: 0, days: SPEND_DAYS } };
  const end = c.last_data_day;
  const [recent, month] = await Promise.all([
    campaignDelivery(ctx.db, c.campaign_id, addDays(end, -(ACTUAL_DAYS - 1)), end),
    campaignDelivery(ctx.db, c.campaign_id, addDays(end, -(SPEND_DAYS - 1)), end),
  ]);
  const r = recent.reduce((acc, m) => addMetrics(acc, m), emptyMetrics());
  const spendMinor = month.reduce((sum, m) => sum + m.spendMinor, 0);
  return {
    ...c,
    latest_run: runDocument(run),
    expected,
    actual: { ctr: observedCtr(r), cvr: observedCvr(r), roas: observedRoas(r), days: ACTUAL_DAYS },
    spend: { amount: toMajor(spendMinor, c.currency), days: SPEND_DAYS },
  };
}

function runDocument(run: LatestRun | null): CampaignOverview['latest_run'] {
  if (run === null) return null;
  return { run_id: run.runId, status: run.status, strategy: run.strategy, mode: run.mode, started_at: run.startedAt, finished_at: run.finishedAt, duration_ms: run.durationMs, actor: run.actor, error: run.error };
}

function weightedExpectation(recs: readonly { total_budget: number; expected_ctr: number; expected_cvr: number; expected_roas: number; confidence: number }[]): CampaignOverview['expected'] {
  if (recs.length === 0) return null;
  const total = recs.reduce((s, r) => s + r.total_budget, 0);
  // Ad sets without budget weigh alike, so an all-zero run still has an expectation.
  const weight = (r: (typeof recs)[number]) => (total > 0 ? r.total_budget / total : 1 / recs.length);
  const avg = (pick: (r: (typeof recs)[number]) => number) => recs.reduce((s, r) => s + weight(r) * pick(r), 0);
  return { ctr: avg((r) => r.expected_ctr), cvr: avg((r) => r.expected_cvr), roas: avg((r) => r.expected_roas), confidence: avg((r) => r.confidence) };
}
