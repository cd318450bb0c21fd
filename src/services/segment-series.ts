// Each segment's daily delivery over the last days of the store, for the Segments page's sparklines.
import { toMajor } from '../engine/money.ts';
import type { AppContext } from '../context.ts';
import { latestDeliveryDay, segmentDays } from '../store/dashboard-reads.ts';
import { addDays } from './dates.ts';

export interface SegmentSeries {
  segment_type: string;
  segment_id: string;
  currency: string;
  /** One entry per calendar day from `start` to `end`; a day without delivery has zeros and a null CTR. */
  days: { date: string; impressions: number; clicks: number; spend: number; ctr: number | null }[];
}

export interface SegmentSeriesResult {
  start: string | null;
  end: string | null;
  series: SegmentSeries[];
}

export async function segmentSeries(ctx: AppContext, q: { days: number; segmentType: string | null; segmentIds: readonly string[] | null }): Promise<SegmentSeriesResult> {
  const end = await latestDeliveryDay(ctx.db);
  if (end === null) return { start: null, end: null, series: [] };
  const start = addDays(end, -(q.days - 1));
  const rows = await segmentDays(ctx.db, { start, end, segmentType: q.segmentType, segmentIds: q.segmentIds });
  const calendar = Array.from({ length: q.days }, (_, i) => addDays(start, i));
  const bySegment = new Map<string, { head: Omit<SegmentSeries, 'days'>; days: Map<string, (typeof rows)[number]> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.segmentType, r.segmentId, r.currency]);
    const entry = bySegment.get(key) ?? { head: { segment_type: r.segmentType, segment_id: r.segmentId, currency: r.currency }, days: new Map() };
    entry.days.set(r.date, r);
    bySegment.set(key, entry);
  }
  const series = [...bySegment.values()].map(({ head, days }) => ({
    ...head,
    days: calendar.map((date) => {
      const d = days.get(date);
      if (d === undefined) return { date, impressions: 0, clicks: 0, spend: 0, ctr: null };
      return { date, impressions: d.impressions, clicks: d.clicks, spend: toMajor(d.spendMinor, d.currency), ctr: d.impressions > 0 ? d.clicks / d.impressions : null };
    }),
  }));
  return { start, end, series };
}
