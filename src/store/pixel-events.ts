import type { Db } from './db.ts';

export interface PixelEventDay {
  date: string;
  campaignId: string;
  eventName: string;
  contentCategory: string;
  count: number;
}

const BATCH = 5_000;

/**
 * Writes imported pixel events by day (a key already stored is replaced), and bumps the history
 * version of the stored campaigns among them, so that a run on the new events is not answered by a
 * reused earlier run. Returns the campaigns of the rows that are stored in `campaigns`.
 */
export async function upsertPixelEventDays(tx: Db, rows: readonly PixelEventDay[], source: string): Promise<string[]> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    await tx.query(
      `insert into pixel_event_days (campaign_id, date, event_name, content_category, count, source)
       select c, d, e, k, n, $6 from unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::int8[]) as u(c, d, e, k, n)
       on conflict (campaign_id, date, event_name, content_category) do update set
         count = excluded.count, source = excluded.source, imported_at = now()`,
      [batch.map((r) => r.campaignId), batch.map((r) => r.date), batch.map((r) => r.eventName), batch.map((r) => r.contentCategory), batch.map((r) => r.count), source],
    );
  }
  const ids = [...new Set(rows.map((r) => r.campaignId))];
  const known = await tx.query<{ campaign_id: string }>(
    'update campaigns set history_version = history_version + 1 where campaign_id = any($1::text[]) returning campaign_id',
    [ids],
  );
  return known.map((k) => k.campaign_id).sort();
}
