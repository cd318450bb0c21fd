import { addCalendarDays } from '../engine/calendar.ts';
import { addMetrics, addRow, emptyMetrics } from '../engine/metrics.ts';
import type { InsightRow, Metrics, SegmentType } from '../engine/types.ts';
import type { Db } from './db.ts';
import type { SegmentAggregate } from './segments.ts';

// The segment table's sums (loadSegmentAggregates) added up in JavaScript as rows are read, for an
// import that leaves the store's segment rows exactly the rows it wrote: then the SQL pass over all
// of them, a quarter of such an import's time beside the write, gives nothing these sums do not.
// Plain data (Maps, Sets, Metrics), so a worker thread can build it and post it whole.

interface SegmentEntry {
  segmentType: SegmentType;
  segmentId: string;
  currency: string;
  /** The first name seen, and any other the segment's rows carry (their max is the database's to pick: its collation). */
  name: string;
  otherNames: Set<string> | null;
  campaigns: Set<string>;
  days: Map<string, Metrics>;
}

export interface SegmentDays {
  /**
   * By id, then type and currency (the segment table's key): a file's ids are shared strings whose
   * hash is computed once, where a key joined per row cost a new string and its hash every time.
   */
  segments: Map<string, SegmentEntry[]>;
  /** How many segment rows (segment_type not empty) were added. */
  rows: number;
  /**
   * By campaign, ad set and day, the rows that could be equal shares of one delivery (no other
   * breakdown): their count and the range of their impressions, the database's screen of such a
   * day (share-rows.ts). A day it passes may be shares, which the store tells apart.
   */
  shareScreens: Map<string, Map<string, Map<string, ShareScreen>>>;
}

interface ShareScreen {
  rows: number;
  leastImpressions: number;
  mostImpressions: number;
}

export function emptySegmentDays(): SegmentDays {
  return { segments: new Map(), rows: 0, shareScreens: new Map() };
}

function screenRow(days: SegmentDays, r: InsightRow): void {
  if (r.segmentType === 'demographic' || r.country !== '' || r.age !== '' || r.gender !== '') return;
  let adsets = days.shareScreens.get(r.campaignId);
  if (adsets === undefined) days.shareScreens.set(r.campaignId, (adsets = new Map()));
  let dates = adsets.get(r.adsetId);
  if (dates === undefined) adsets.set(r.adsetId, (dates = new Map()));
  const screen = dates.get(r.date);
  if (screen === undefined) dates.set(r.date, { rows: 1, leastImpressions: r.impressions, mostImpressions: r.impressions });
  else {
    screen.rows++;
    if (r.impressions < screen.leastImpressions) screen.leastImpressions = r.impressions;
    if (r.impressions > screen.mostImpressions) screen.mostImpressions = r.impressions;
  }
}

function mayHoldShares(days: SegmentDays): boolean {
  for (const adsets of days.shareScreens.values()) {
    for (const dates of adsets.values()) for (const s of dates.values()) if (s.rows >= 2 && s.mostImpressions - s.leastImpressions <= 1) return true;
  }
  return false;
}

export function addSegmentDay(days: SegmentDays, r: InsightRow): void {
  if (r.segmentType === '') return;
  days.rows++;
  screenRow(days, r);
  let list = days.segments.get(r.segmentId);
  if (list === undefined) {
    list = [];
    days.segments.set(r.segmentId, list);
  }
  let e = list.find((x) => x.segmentType === r.segmentType && x.currency === r.currency);
  if (e === undefined) {
    e = { segmentType: r.segmentType, segmentId: r.segmentId, currency: r.currency, name: r.segmentName, otherNames: null, campaigns: new Set(), days: new Map() };
    list.push(e);
  } else if (r.segmentName !== e.name) (e.otherNames ??= new Set()).add(r.segmentName);
  e.campaigns.add(r.campaignId);
  let d = e.days.get(r.date);
  if (d === undefined) {
    d = emptyMetrics();
    e.days.set(r.date, d);
  }
  addRow(d, r);
}

/**
 * What loadSegmentAggregates reads from the store when its segment rows are exactly the added ones:
 * per segment, every day's sums, and the recent ones counted back from its own last day. Null when
 * a sum leaves the integers a double holds exactly (the database adds in bigint), or when some ad
 * set-day's rows may be equal shares (loadSegmentAggregates sets them apart): the caller asks it.
 */
export async function segmentAggregatesOf(db: Db, days: SegmentDays, recentDays: number): Promise<SegmentAggregate[] | null> {
  if (mayHoldShares(days)) return null;
  const out: SegmentAggregate[] = [];
  const named: { at: number; names: string[] }[] = [];
  for (const e of [...days.segments.values()].flat()) {
    let last = '';
    for (const date of e.days.keys()) if (date > last) last = date;
    const after = addCalendarDays(last, -recentDays);
    const total = emptyMetrics();
    const recent = emptyMetrics();
    for (const [date, d] of e.days) {
      addMetrics(total, d);
      if (date > after) addMetrics(recent, d);
    }
    // Every sum of non-negative rows is at most its total: the totals being exact makes all exact.
    if (!Object.values(total).every(Number.isSafeInteger)) return null;
    if (e.otherNames !== null) named.push({ at: out.length, names: [e.name, ...e.otherNames] });
    out.push({ segmentType: e.segmentType, segmentId: e.segmentId, segmentName: e.name, currency: e.currency, campaignsCount: e.campaigns.size, lastUsed: last, total, recent, own: { total, recent } });
  }
  if (named.length > 0) {
    // max(segment_name) in SQL orders by the database's collation, which JavaScript does not know.
    const picked = await db.query<{ i: number; name: string }>(
      'select i, max(n) as name from unnest($1::int[], $2::text[]) as u(i, n) group by i',
      [named.flatMap((x) => x.names.map(() => x.at)), named.flatMap((x) => x.names)],
    );
    for (const p of picked) out[Number(p.i)]!.segmentName = p.name;
  }
  return out;
}
