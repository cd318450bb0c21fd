// What a sync needs, beyond the campaign's ad sets as Meta lists them now, to credit each day's
// delivery to the segments it was really delivered to: the ad sets Meta no longer lists, and the
// targeting the optimizer's own changes replaced.
import { readAdSet } from '../meta/adset-writes.ts';
import type { MetaClient } from '../meta/client.ts';
import { parseAdSet, type MetaAdSet } from '../meta/graph.ts';
import type { EarlierTargeting } from '../meta/rows.ts';
import type { Db } from '../store/db.ts';
import { liveChangesSince } from '../store/history.ts';
import { addDays } from './dates.ts';
import type { ChangesDocument } from './live-changes.ts';

/**
 * What the optimizer's own changes since `since` replaced: each changed ad set's targeting before
 * the change, and the account's day of the change. A copy a change created had none before it.
 */
export async function earlierTargeting(db: Db, campaignId: string, since: string, dayOf: (at: Date) => string): Promise<EarlierTargeting[]> {
  // A day before `since` in UTC: an account's day can start up to 14 hours either side of UTC's.
  const changes = await liveChangesSince(db, campaignId, new Date(Date.parse(`${addDays(since, -1)}T00:00:00Z`)));
  return changes.flatMap((row) =>
    ((row.changes as ChangesDocument | null)?.adsets ?? []).flatMap((c) =>
      c.adset_id === null || c.before === null || !c.sent ? [] : [{ adsetId: c.adset_id, changeDay: dayOf(row.appliedAt), adset: parseAdSet({ id: c.adset_id, campaign_id: campaignId, targeting: c.before.targeting }) }],
    ),
  );
}

/**
 * The ad sets that delivered in the rows read but that the campaign's ad sets no longer list (Meta
 * leaves deleted and archived ones out of the edge; it still reports their days and reads them by
 * id): their days' segment rows are credited from their targeting like any other's, so that a day
 * read again keeps them.
 */
export async function adsetsGoneFromTheEdge(client: MetaClient, listed: readonly MetaAdSet[], rows: readonly { adsetId: string }[]): Promise<MetaAdSet[]> {
  const known = new Set(listed.map((a) => a.id));
  const missing = [...new Set(rows.map((r) => r.adsetId).filter((id) => !known.has(id)))].sort();
  const out: MetaAdSet[] = [];
  for (const id of missing) out.push(await readAdSet(client, id));
  return out;
}
