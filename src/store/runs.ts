import type { Decision, EngineSettings } from '../engine/types.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { Db } from './db.ts';

export type RunStatus = 'running' | 'completed' | 'failed';

export interface RunRecord {
  runId: string;
  status: RunStatus;
  mode: 'stub' | 'live';
  strategy: string;
  campaignIds: string[];
  totalBudgetMinor: number | null;
  currency: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  recommendationsCount: number;
  error: string | null;
  actor: string | null;
}

export interface NewRun {
  runId: string;
  mode: 'stub' | 'live';
  strategy: string;
  campaignIds: string[];
  totalBudgetMinor: number;
  currency: string | null;
  startedAt: Date;
  historyVersion: number | null;
  /** Who asked for the run: a token subject, cli:<os user> or scheduler. */
  actor: string | null;
}

export async function insertRun(db: Db, run: NewRun): Promise<void> {
  await db.query(
    `insert into runs (run_id, status, mode, strategy, campaign_ids, total_budget_minor, currency, started_at, history_version, actor)
     values ($1, 'running', $2, $3, $4::text[], $5, $6, $7, $8, $9)`,
    [run.runId, run.mode, run.strategy, run.campaignIds, run.totalBudgetMinor, run.currency, run.startedAt, run.historyVersion, run.actor],
  );
}

/**
 * The latest completed run of the campaign since `since` that decided from what this run would: the same
 * history version, budget, strategy and mode, and — from its stored decision inputs — the same
 * engine version, engine settings and window length. A changed TARGETING_* setting or an upgraded
 * engine therefore computes a new run instead of returning one decided under other rules. Runs
 * without decision inputs (stored before migration 005) are never reused.
 */
export async function findReusableRun(db: Db, q: { campaignId: string; historyVersion: number; totalBudgetMinor: number; strategy: string; mode: 'stub' | 'live'; since: Date; engineVersion: number; settings: EngineSettings; windowDays: number }): Promise<string | null> {
  const rows = await db.query<{ run_id: string }>(
    `select r.run_id::text as run_id from runs r join decision_inputs d on d.run_id = r.run_id
     where r.status = 'completed' and r.campaign_ids = array[$1]::text[] and r.history_version = $2 and r.total_budget_minor = $3
       and r.strategy = $4 and r.mode = $5 and r.started_at >= $6
       and d.strategy_version = $7 and d.settings = $8::jsonb
       and (d.snapshot->>'windowEnd')::date - (d.snapshot->>'windowStart')::date + 1 = $9
     order by r.started_at desc limit 1`,
    [q.campaignId, q.historyVersion, q.totalBudgetMinor, q.strategy, q.mode, q.since, q.engineVersion, JSON.stringify(q.settings), q.windowDays],
  );
  return rows[0]?.run_id ?? null;
}

export async function recommendationsOfRun(db: Db, runId: string): Promise<Recommendation[]> {
  const rows = await db.query<{ document: Recommendation | string }>('select document from recommendations where run_id = $1 order by adset_id nulls first', [runId]);
  return rows.map((r) => (typeof r.document === 'string' ? (JSON.parse(r.document) as Recommendation) : r.document));
}

export async function completeRun(tx: Db, runId: string, finishedAt: Date, durationMs: number, recommendationsCount: number): Promise<void> {
  await tx.query(
    `update runs set status = 'completed', finished_at = $2, duration_ms = $3, recommendations_count = $4 where run_id = $1`,
    [runId, finishedAt, durationMs, recommendationsCount],
  );
}

export async function failRun(db: Db, runId: string, finishedAt: Date, durationMs: number, error: string): Promise<void> {
  await db.query(
    `update runs set status = 'failed', finished_at = $2, duration_ms = $3, recommendations_count = 0, error = $4 where run_id = $1`,
    [runId, finishedAt, durationMs, error],
  );
}

export async function getRun(db: Db, runId: string): Promise<RunRecord | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select run_id, status, mode, strategy, campaign_ids, total_budget_minor::float8 as tb, currency,
       started_at, finished_at, duration_ms, recommendations_count, error, actor from runs where run_id = $1`,
    [runId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    runId: String(r.run_id),
    status: r.status as RunStatus,
    mode: r.mode as 'stub' | 'live',
    strategy: String(r.strategy),
    campaignIds: r.campaign_ids as string[],
    totalBudgetMinor: r.tb === null ? null : Number(r.tb),
    currency: (r.currency as string | null) ?? null,
    startedAt: new Date(r.started_at as string).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at as string).toISOString() : null,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    recommendationsCount: Number(r.recommendations_count),
    error: (r.error as string | null) ?? null,
    actor: (r.actor as string | null) ?? null,
  };
}

/** Stores each recommendation's document with the engine's decision it presents (decisions[i] is recs[i]'s), in one insert. */
export async function insertRecommendations(tx: Db, recs: readonly Recommendation[], currency: string, decisions: readonly Decision[]): Promise<void> {
  if (recs.length === 0) return;
  if (decisions.length !== recs.length) throw new Error(`${recs.length} recommendations but ${decisions.length} decisions`);
  await tx.query(
    `insert into recommendations (recommendation_id, run_id, campaign_id, adset_id, created_at, currency, total_budget_minor,
       confidence, expected_roas, document, decision)
     select id::uuid, run::uuid, c, a, ts::timestamptz, $10, b, conf, er, doc::jsonb, dec::jsonb
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::float8[], $8::float8[], $9::text[], $11::text[])
       as u(id, run, c, a, ts, b, conf, er, doc, dec)`,
    [
      recs.map((r) => r.recommendation_id),
      recs.map((r) => r.run_id),
      recs.map((r) => r.campaign_id),
      recs.map((r) => r.adset_id),
      recs.map((r) => r.created_at),
      decisions.map((d) => d.budgetMinor),
      recs.map((r) => r.confidence),
      recs.map((r) => r.expected_roas),
      recs.map((r) => JSON.stringify(r)),
      currency,
      decisions.map((d) => JSON.stringify(d)),
    ],
  );
  await storeLatestBodies(tx, recs);
}

/** The latest run's recommendations for the campaign, one per ad set. */
export async function latestRecommendations(db: Db, campaignId: string): Promise<Recommendation[]> {
  const rows = await db.query<{ document: Recommendation | string }>(
    `select document from recommendations
     where run_id = (select run_id from recommendations where campaign_id = $1 order by created_at desc, run_id limit 1)
       and campaign_id = $1
     order by adset_id nulls first`,
    [campaignId],
  );
  return rows.map((r) => (typeof r.document === 'string' ? (JSON.parse(r.document) as Recommendation) : r.document));
}

/**
 * The latest run's recommendation for one ad set of the campaign, taken from the same stored body
 * latestRecommendationBody answers with (so in the specification's field order), or null; `adsets`
 * lists that run's ad sets, for the message when it is null (empty: no recommendation at all).
 */
export async function latestRecommendationOfAdset(db: Db, campaignId: string, adsetId: string): Promise<{ document: string | null; adsets: (string | null)[] }> {
  const body = await latestRecommendationBody(db, campaignId);
  if (body === null) return { document: null, adsets: [] };
  const parsed = JSON.parse(body) as Recommendation | Recommendation[];
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const one = docs.find((d) => d.adset_id === adsetId);
  return { document: one === undefined ? null : JSON.stringify(one), adsets: docs.map((d) => d.adset_id) };
}

/**
 * The newest recommendation for the same ad set of the same campaign from a later run than the
 * given one (created after it), or null when the given one is the newest.
 */
export async function newerRecommendation(db: Db, rec: Pick<Recommendation, 'campaign_id' | 'adset_id' | 'run_id' | 'created_at'>): Promise<{ recommendationId: string; runId: string; createdAt: string } | null> {
  const rows = await db.query<{ recommendation_id: string; run_id: string; created_at: string | Date }>(
    `select recommendation_id::text as recommendation_id, run_id::text as run_id, created_at from recommendations
     where campaign_id = $1 and adset_id is not distinct from $2 and run_id <> $3::uuid and created_at > $4::timestamptz
     order by created_at desc, run_id limit 1`,
    [rec.campaign_id, rec.adset_id, rec.run_id, rec.created_at],
  );
  const r = rows[0];
  return r === undefined ? null : { recommendationId: r.recommendation_id, runId: r.run_id, createdAt: new Date(r.created_at).toISOString() };
}

/**
 * The engine's decision stored with a recommendation: undefined when there is no such
 * recommendation, null when it was stored before decisions were kept with recommendations.
 */
export async function getRecommendationDecision(db: Db, recommendationId: string): Promise<Decision | null | undefined> {
  const rows = await db.query<{ decision: Decision | string | null }>('select decision from recommendations where recommendation_id = $1', [recommendationId]);
  if (rows[0] === undefined) return undefined;
  const d = rows[0].decision;
  return d === null ? null : typeof d === 'string' ? (JSON.parse(d) as Decision) : d;
}

export async function getRecommendation(db: Db, recommendationId: string): Promise<Recommendation | null> {
  const rows = await db.query<{ document: Recommendation | string }>('select document from recommendations where recommendation_id = $1', [recommendationId]);
  const d = rows[0]?.document;
  if (d === undefined) return null;
  return typeof d === 'string' ? (JSON.parse(d) as Recommendation) : d;
}

/**
 * The latest recommendation of the campaign as the JSON text the HTTP API answers (one document
 * when the latest run has one, else the array of its documents), or null when it has none. It is
 * precomputed by insertRecommendations (see migration 003), so this is one primary-key lookup and
 * the API sends the text as it is, without parsing and re-serialising ~50 KB per request.
 */
export async function latestRecommendationBody(db: Db, campaignId: string): Promise<string | null> {
  const rows = await db.query<{ body: string }>('select body from latest_recommendations where campaign_id = $1', [campaignId]);
  return rows[0]?.body ?? null;
}

/**
 * Stores each campaign's latest-recommendation body (migration 003) for the runs just inserted:
 * the documents' compact JSON in the specification's field order, in latestRecommendations' ad set
 * order (asked from the database, so that its collation decides, as it does for the CLI). A run
 * whose clock time is older than the stored one (clock skew between machines) does not replace it.
 */
async function storeLatestBodies(tx: Db, recs: readonly Recommendation[]): Promise<void> {
  const text = new Map(recs.map((r) => [r.recommendation_id, JSON.stringify(r)]));
  const order = await tx.query<{ recommendation_id: string; campaign_id: string; run_id: string }>(
    `select recommendation_id::text as recommendation_id, campaign_id, run_id::text as run_id from recommendations
     where recommendation_id = any($1::uuid[]) order by campaign_id, run_id, adset_id nulls first`,
    [recs.map((r) => r.recommendation_id)],
  );
  const byCampaign = new Map<string, { runId: string; docs: string[] }>();
  for (const o of order) {
    const entry = byCampaign.get(o.campaign_id) ?? { runId: o.run_id, docs: [] };
    byCampaign.set(o.campaign_id, entry);
    if (entry.runId === o.run_id) entry.docs.push(text.get(o.recommendation_id)!);
  }
  for (const [campaignId, { runId, docs }] of byCampaign) {
    const createdAt = recs.find((r) => r.run_id === runId)!.created_at;
    await tx.query(
      `insert into latest_recommendations (campaign_id, run_id, created_at, body) values ($1, $2, $3, $4)
       on conflict (campaign_id) do update set run_id = excluded.run_id, created_at = excluded.created_at, body = excluded.body
         where excluded.created_at >= latest_recommendations.created_at`,
      [campaignId, runId, createdAt, docs.length === 1 ? docs[0]! : `[${docs.join(',')}]`],
    );
  }
}
