// Reads the dashboard needs beside the specification's endpoints: a campaign's latest run and its
// delivery, segments' daily series, the ad set's previous recommendation, the list of experiments.
import type { Metrics } from '../engine/types.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { Db } from './db.ts';
import { metricsColumns, readMetrics } from './metrics-sql.ts';

export interface LatestRun {
  runId: string;
  status: string;
  strategy: string;
  mode: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  actor: string | null;
  error: string | null;
}

export async function latestRunOfCampaign(db: Db, campaignId: string): Promise<LatestRun | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select run_id::text as run_id, status, strategy, mode, started_at, finished_at, duration_ms, actor, error
     from runs where $1 = any(campaign_ids) order by started_at desc, run_id limit 1`,
    [campaignId],
  );
  const r = rows[0];
  if (r === undefined) return null;
  return {
    runId: String(r.run_id),
    status: String(r.status),
    strategy: String(r.strategy),
    mode: String(r.mode),
    startedAt: new Date(r.started_at as string).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at as string).toISOString() : null,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    actor: (r.actor as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  };
}

// Which breakdown a row belongs to; each ad set's delivery is read from one of them only, as in
// adset-metrics.ts, so that an impression reported in two breakdowns is not counted twice.
const KIND_SQL = `case when segment_type = '' and country = '' and age = '' and gender = '' then 'plain'
              when country <> '' then 'country'
              when age <> '' or gender <> '' then 'demographic'
              else 'segment' end`;
const BREAKDOWNS = ['plain', 'country', 'demographic', 'segment'] as const;

/** The campaign's delivery over [start, end] (YYYY-MM-DD, inclusive), each ad set read from one breakdown. */
export async function campaignDelivery(db: Db, campaignId: string, start: string, end: string): Promise<Metrics[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select adset_id, ${KIND_SQL} as kind, ${metricsColumns('t_')}
     from insights where campaign_id = $1 and date between $2::date and $3::date group by 1, 2`,
    [campaignId, start, end],
  );
  const byAdset = new Map<string, Map<string, Metrics>>();
  for (const r of rows) {
    const kinds = byAdset.get(String(r.adset_id)) ?? new Map<string, Metrics>();
    kinds.set(String(r.kind), readMetrics(r, 't_'));
    byAdset.set(String(r.adset_id), kinds);
  }
  return [...byAdset.values()].flatMap((kinds) => {
    const first = BREAKDOWNS.map((k) => kinds.get(k)).find((m) => m !== undefined && m.impressions > 0);
    return first === undefined ? [] : [first];
  });
}

export interface SegmentDay {
  segmentType: string;
  segmentId: string;
  currency: string;
  date: string;
  impressions: number;
  clicks: number;
  spendMinor: number;
}

/** Segments' daily delivery over [start, end]; only the listed segments when ids are given. */
export async function segmentDays(db: Db, q: { start: string; end: string; segmentType: string | null; segmentIds: readonly string[] | null }): Promise<SegmentDay[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select segment_type, segment_id, currency, to_char(date, 'YYYY-MM-DD') as day,
       bigint_sum(impressions)::float8 as impressions, bigint_sum(clicks)::float8 as clicks, bigint_sum(spend_minor)::float8 as spend_minor
     from insights
     where segment_type <> '' and segment_id <> '' and date between $1::date and $2::date
       and ($3::text is null or segment_type = $3) and ($4::text[] is null or segment_id = any($4::text[]))
     group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    [q.start, q.end, q.segmentType, q.segmentIds === null ? null : [...q.segmentIds]],
  );
  return rows.map((r) => ({
    segmentType: String(r.segment_type),
    segmentId: String(r.segment_id),
    currency: String(r.currency),
    date: String(r.day),
    impressions: Number(r.impressions),
    clicks: Number(r.clicks),
    spendMinor: Number(r.spend_minor),
  }));
}

/** The latest stored day of delivery (YYYY-MM-DD), or null on an empty store. */
export async function latestDeliveryDay(db: Db): Promise<string | null> {
  const rows = await db.query<{ day: string | null }>(`select to_char(max(date), 'YYYY-MM-DD') as day from insights`);
  return rows[0]?.day ?? null;
}

/** The recommendation for the same ad set from the run before the given recommendation's run, or null. */
export async function previousRecommendation(db: Db, rec: Pick<Recommendation, 'campaign_id' | 'adset_id' | 'run_id' | 'created_at'>): Promise<Recommendation | null> {
  const rows = await db.query<{ document: Recommendation | string }>(
    `select document from recommendations
     where campaign_id = $1 and adset_id is not distinct from $2 and run_id <> $3::uuid and created_at < $4::timestamptz
     order by created_at desc, run_id limit 1`,
    [rec.campaign_id, rec.adset_id, rec.run_id, rec.created_at],
  );
  const d = rows[0]?.document;
  if (d === undefined) return null;
  return typeof d === 'string' ? (JSON.parse(d) as Recommendation) : d;
}

export interface ExperimentListing {
  experimentId: string;
  campaignId: string;
  runId: string;
  holdoutShare: number;
  startedAt: string;
  adsets: number;
}

export async function listExperiments(db: Db, campaignId: string | null, limit: number): Promise<ExperimentListing[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select experiment_id::text as experiment_id, campaign_id, run_id::text as run_id, holdout_share, started_at, jsonb_array_length(assignment) as adsets
     from experiments where ($1::text is null or campaign_id = $1) order by started_at desc, experiment_id limit $2`,
    [campaignId, limit],
  );
  return rows.map((r) => ({
    experimentId: String(r.experiment_id),
    campaignId: String(r.campaign_id),
    runId: String(r.run_id),
    holdoutShare: Number(r.holdout_share),
    startedAt: new Date(r.started_at as string).toISOString(),
    adsets: Number(r.adsets),
  }));
}
