// Fatigue rests (migration 008): what the next run is told as earlierRuns.resting, and what a run's
// decisions begin and end.
import type { EarlierRuns, RestingSegment, SegmentType } from '../engine/types.ts';
import type { Db } from './db.ts';

/** The campaign's rests in force, in a fixed order so that the stored decision inputs hash the same. */
export async function restsInForce(db: Db, campaignId: string): Promise<RestingSegment[]> {
  const rows = await db.query<{ adset_id: string; segment_type: string; segment_id: string; since: string }>(
    `select adset_id, segment_type, segment_id, to_char(since, 'YYYY-MM-DD') as since from segment_rests
     where campaign_id = $1 and ended_run_id is null order by adset_id, segment_type, segment_id, since`,
    [campaignId],
  );
  return rows.map((r) => ({ adsetId: r.adset_id === '' ? null : r.adset_id, segmentType: r.segment_type as SegmentType, segmentId: r.segment_id, since: String(r.since) }));
}

/** Stores the rests a run began and ends the ones it let back (inside the run's transaction). */
export async function recordRests(tx: Db, runId: string, campaignId: string, rests: { started: readonly RestingSegment[]; ended: readonly RestingSegment[] }): Promise<void> {
  for (const r of rests.ended) {
    await tx.query(
      `update segment_rests set ended_run_id = $6 where campaign_id = $1 and adset_id = $2 and segment_type = $3 and segment_id = $4 and since = $5::date and ended_run_id is null`,
      [campaignId, r.adsetId ?? '', r.segmentType, r.segmentId, r.since, runId],
    );
  }
  if (rests.started.length === 0) return;
  // A run repeated on the same history finds its rests already in force and starts none; the
  // conflict clause only guards against two rows for one rest.
  await tx.query(
    `insert into segment_rests (campaign_id, adset_id, segment_type, segment_id, since, started_run_id)
     select $1, a, t, s, d::date, $6 from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as u(a, t, s, d)
     on conflict do nothing`,
    [campaignId, rests.started.map((r) => r.adsetId ?? ''), rests.started.map((r) => r.segmentType), rests.started.map((r) => r.segmentId), rests.started.map((r) => r.since), runId],
  );
}

/** The earlier runs' other parts with the rests in force added (none: unchanged, still null for a first run). */
export function withRests(earlier: EarlierRuns | null, resting: RestingSegment[]): EarlierRuns | null {
  return resting.length === 0 ? earlier : { ...earlier, resting };
}
