// Daily ad set insights of one campaign, by one breakdown. Short ranges are read synchronously;
// long ones (or a synchronous call Meta refuses as too large or too slow) through an asynchronous
// report: POST → report_run_id → poll async_status → read the report's pages.
import type { MetaClient } from './client.ts';
import { MetaApiError, MetaAsyncJobError } from './errors.ts';
import { INSIGHT_FIELDS, parseInsightRow, type MetaInsightRow, type WireInsightRow, type WireReportRun } from './graph.ts';

export type Breakdown = 'country' | 'age,gender';

export interface InsightsRequest {
  campaignId: string;
  since: string;
  until: string;
  breakdown: Breakdown;
  currency: string;
  purchaseActionType: string;
  /** Ranges longer than this many days go straight to an asynchronous report (default 7). */
  syncMaxDays?: number;
  /** First poll interval; it doubles up to 30 s. */
  pollMs?: number;
  /** Polls before giving up on a report that never finishes. */
  maxPolls?: number;
}

// Meta's answers for "too much data" (100/1487534) and sync timeouts (100/1504018, 2/1504038): the
// same request works as an asynchronous report.
const USE_ASYNC = new Set(['100/1487534', '100/1504018', '2/1504038']);

function days(since: string, until: string): number {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${since}T00:00:00Z`)) / 86_400_000) + 1;
}

function params(req: InsightsRequest) {
  return {
    level: 'adset',
    fields: INSIGHT_FIELDS,
    breakdowns: req.breakdown,
    time_range: { since: req.since, until: req.until },
    time_increment: 1,
    // Purchases counted on the day of the click or view that led to them, as Ads Manager shows.
    action_report_time: 'impression',
    limit: 500,
  };
}

export async function readInsights(client: MetaClient, req: InsightsRequest): Promise<MetaInsightRow[]> {
  const parse = (rows: WireInsightRow[]) => rows.map((r) => parseInsightRow(r, req.currency, req.purchaseActionType));
  if (days(req.since, req.until) <= (req.syncMaxDays ?? 7)) {
    try {
      return parse(await client.all<WireInsightRow>(`${req.campaignId}/insights`, params(req)));
    } catch (error) {
      if (!(error instanceof MetaApiError && USE_ASYNC.has(`${error.code}/${error.subcode}`))) throw error;
    }
  }
  return parse(await readAsyncReport(client, req));
}

async function readAsyncReport(client: MetaClient, req: InsightsRequest): Promise<WireInsightRow[]> {
  const started = await client.post<{ report_run_id?: string }>(`${req.campaignId}/insights`, params(req));
  const id = started.report_run_id;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new Error(`Meta did not return a report_run_id for the insights of campaign ${req.campaignId}`);
  let interval = req.pollMs ?? 2_000;
  const maxPolls = req.maxPolls ?? 200;
  for (let poll = 0; ; poll++) {
    const run = await client.get<WireReportRun>(id, { fields: 'id,async_status,async_percent_completion,error_code,error_subcode,error_message,error_user_title,error_user_msg' });
    if (run.async_status === 'Job Completed') break;
    if (run.async_status === 'Job Failed' || run.async_status === 'Job Skipped') {
      throw new MetaAsyncJobError(id, run.async_status, {
        code: run.error_code ?? null,
        subcode: run.error_subcode ?? null,
        message: run.error_message ?? null,
        userTitle: run.error_user_title ?? null,
        userMessage: run.error_user_msg ?? null,
      });
    }
    if (poll + 1 >= maxPolls) throw new Error(`Meta insights report ${id} still "${run.async_status}" after ${maxPolls} polls`);
    await client.pause(interval);
    interval = Math.min(30_000, interval * 2);
  }
  return client.all<WireInsightRow>(`${id}/insights`, { limit: 500 });
}
