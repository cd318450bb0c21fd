// What a sync needs, beyond the campaign's ad sets as Meta lists them now, to credit each day's
// delivery to the segments it was really delivered to: the ad sets Meta no longer lists, the
// targeting the optimizer's own changes replaced, and the changes made elsewhere (Ads Manager)
// that the syncs' sights of each ad set show.
import { readAdSet } from '../meta/adset-writes.ts';
import type { MetaClient } from '../meta/client.ts';
import { parseAdSet, type MetaAdSet } from '../meta/graph.ts';
import { type EarlierTargeting, segmentsKeyOf } from '../meta/rows.ts';
import type { Db } from '../store/db.ts';
import { liveChangesSince } from '../store/history.ts';
import type { TargetingSeen } from '../store/targetings-seen.ts';
import { addDays } from './dates.ts';
import type { ChangesDocument } from './live-changes.ts';

/**
 * What the optimizer's own changes since `since` replaced: each changed ad set's targeting before
 * the change, and the account's day of the change. A copy a change created had none before it.
 */
export async function earlierTargeting(db: Db, campaignId: string, since: string, dayOf: (at: Date) => string): Promise<(EarlierTargeting & { changedAt: Date })[]> {
  // A day before `since` in UTC: an account's day can start up to 14 hours either side of UTC's.
  const changes = await liveChangesSince(db, campaignId, new Date(Date.parse(`${addDays(since, -1)}T00:00:00Z`)));
  return changes.flatMap((row) =>
    ((row.changes as ChangesDocument | null)?.adsets ?? []).flatMap((c) =>
      c.adset_id === null || c.before === null || !c.sent ? [] : [{ adsetId: c.adset_id, changeDay: dayOf(row.appliedAt), changedAt: row.appliedAt, adset: parseAdSet({ id: c.adset_id, campaign_id: campaignId, targeting: c.before.targeting }) }],
    ),
  );
}

/**
 * The changes of segments the syncs saw that none of the optimizer's own explains (made in Ads
 * Manager, or by another tool), given every earlier sight of the campaign's ad sets and this sync's.
 * Such a change came after the earlier sight and no later than the ad set's updated_time at the
 * later one: the days before the earlier sight's day held the earlier targeting; the later sight's
 * day (the change's, or one after it) goes to the later, as an optimizer's change day does; the
 * days between could be either, and are credited to no segment.
 */
export function changesSeenElsewhere(campaignId: string, seen: readonly TargetingSeen[], now: readonly MetaAdSet[], at: Date, optimizer: readonly { adsetId: string; changedAt: Date }[], dayOf: (at: Date) => string): EarlierTargeting[] {
  const byAdset = new Map<string, TargetingSeen[]>();
  for (const s of seen) byAdset.set(s.adsetId, [...(byAdset.get(s.adsetId) ?? []), s]);
  for (const a of now) byAdset.set(a.id, [...(byAdset.get(a.id) ?? []), { adsetId: a.id, segmentsKey: segmentsKeyOf(a), targeting: a.targeting, firstSeenAt: at, lastSeenAt: at, updatedAt: a.updatedAt }]);
  const out: EarlierTargeting[] = [];
  for (const [adsetId, sights] of byAdset) {
    const ordered = [...sights].sort((x, y) => x.firstSeenAt.getTime() - y.firstSeenAt.getTime());
    for (let i = 1; i < ordered.length; i++) {
      const before = ordered[i - 1]!;
      const after = ordered[i]!;
      if (before.segmentsKey === after.segmentsKey) continue;
      const from = before.lastSeenAt.getTime();
      const ours = optimizer.some((c) => c.adsetId === adsetId && c.changedAt.getTime() >= from && c.changedAt.getTime() <= after.firstSeenAt.getTime());
      if (ours) continue;
      // An updated_time before the earlier sight says nothing about this change (another clock, or a later edit undone).
      const latest = after.updatedAt !== null && after.updatedAt.getTime() >= from ? Math.min(after.updatedAt.getTime(), after.firstSeenAt.getTime()) : after.firstSeenAt.getTime();
      const firstUnknown = dayOf(before.lastSeenAt);
      const firstAfter = dayOf(new Date(latest));
      out.push({ adsetId, changeDay: firstUnknown, adset: parseAdSet({ id: adsetId, campaign_id: campaignId, targeting: before.targeting }) });
      if (firstAfter > firstUnknown) out.push({ adsetId, changeDay: firstAfter, adset: null });
    }
  }
  return out;
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
