// The targetings syncs saw each ad set hold (migration 021): what a re-read day is credited to.
import type { Db } from './db.ts';

export interface TargetingSeen {
  adsetId: string;
  segmentsKey: string;
  /** Meta's targeting spec, as read. */
  targeting: Record<string, unknown>;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** Meta's updated_time at the first sight. */
  updatedAt: Date | null;
}

/** Every targeting seen of the campaign's ad sets, each ad set's in the order first seen. */
export async function targetingsSeenOf(db: Db, campaignId: string): Promise<TargetingSeen[]> {
  const rows = await db.query<{ adset_id: string; segments_key: string; targeting: Record<string, unknown>; first_seen_at: Date; last_seen_at: Date; updated_at: Date | null }>(
    'select adset_id, segments_key, targeting, first_seen_at, last_seen_at, updated_at from meta_adset_targetings_seen where campaign_id = $1 order by adset_id, first_seen_at',
    [campaignId],
  );
  return rows.map((r) => ({ adsetId: r.adset_id, segmentsKey: r.segments_key, targeting: r.targeting, firstSeenAt: new Date(r.first_seen_at), lastSeenAt: new Date(r.last_seen_at), updatedAt: r.updated_at === null ? null : new Date(r.updated_at) }));
}

/** A sync's sight of each ad set: the same segments as last seen extend that sight, others start a new one. */
export async function recordTargetingsSeen(tx: Db, campaignId: string, seen: readonly Omit<TargetingSeen, 'firstSeenAt' | 'lastSeenAt'>[], at: Date): Promise<void> {
  for (const s of seen) {
    const [last] = await tx.query<{ segments_key: string; first_seen_at: Date }>('select segments_key, first_seen_at from meta_adset_targetings_seen where adset_id = $1 order by first_seen_at desc limit 1', [s.adsetId]);
    if (last !== undefined && last.segments_key === s.segmentsKey) {
      await tx.query('update meta_adset_targetings_seen set last_seen_at = greatest(last_seen_at, $3), targeting = $4::jsonb where adset_id = $1 and first_seen_at = $2', [s.adsetId, last.first_seen_at, at, JSON.stringify(s.targeting)]);
      continue;
    }
    await tx.query(
      `insert into meta_adset_targetings_seen (adset_id, campaign_id, segments_key, targeting, first_seen_at, last_seen_at, updated_at)
       values ($1, $2, $3, $4::jsonb, $5, $5, $6) on conflict (adset_id, first_seen_at) do nothing`,
      [s.adsetId, campaignId, s.segmentsKey, JSON.stringify(s.targeting), at, s.updatedAt],
    );
  }
}
