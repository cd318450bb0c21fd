// A campaign's snapshot built in memory from insight rows, shaped as the store's
// loadCampaignSnapshot shapes it (one entry per ad set, each breakdown aggregated over its own
// rows, the ad set's total from its country rows, daily points for the fatigue fit's candidates),
// so that benchmarks can hand the engine exactly what a run on the same rows would read, without
// a database. Audience sizes join each segment as the store's segment_sizes table joins them: one
// size per campaign and segment, on every ad set's history of it.
import { fatigueFitCandidates, fatigueFitStart } from '../engine/fatigue-fit.ts';
import { addMetrics, addRow, dayOf, emptyMetrics } from '../engine/metrics.ts';
import type { AdSetSnapshot, CampaignSnapshot, DemographicHistory, InsightRow, Metrics, PixelEventCount, SegmentDay, SegmentHistory, SegmentSize, SegmentType } from '../engine/types.ts';
import { addBlendDay, blendDayOf } from '../engine/segment-blends.ts';

/** A segment's stored audience size, as a row of segment_sizes holds it. */
export interface SizedSegment {
  segmentType: string;
  segmentId: string;
  lower: number;
  upper: number;
}

/** Sizes by segment key (type NUL id), from one source, as the store's snapshot reads them. */
export function segmentSizeMap(sizes: readonly SizedSegment[], source: SegmentSize['source']): Map<string, SegmentSize> {
  return new Map(sizes.map((s) => [`${s.segmentType}\u0000${s.segmentId}`, { lower: s.lower, upper: s.upper, source }]));
}

/** Sets each history's size where one is known (a copy per history, as each stored row is read apart). */
export function attachSegmentSizes(histories: readonly SegmentHistory[], sizes: ReadonlyMap<string, SegmentSize>): void {
  for (const h of histories) {
    const size = sizes.get(`${h.segmentType}\u0000${h.segmentId}`);
    if (size !== undefined) h.size = { ...size };
  }
}

export interface RowsWindow {
  start: string;
  end: string;
  /** First day counted as recent (fatigue). */
  recentStart: string;
}

export function snapshotFromRows(campaignId: string, currency: string, rows: Iterable<InsightRow>, window: RowsWindow, pixelEvents: readonly PixelEventCount[], sizes: ReadonlyMap<string, SegmentSize> = new Map()): CampaignSnapshot {
  interface Building {
    adset: AdSetSnapshot;
    segments: Map<string, SegmentHistory & { days: Map<string, SegmentDay> }>;
    countries: Map<string, { countryCode: string; total: ReturnType<typeof emptyMetrics>; days: Map<string, Metrics> }>;
    demographics: Map<string, DemographicHistory>;
    countryRecent: ReturnType<typeof emptyMetrics>;
  }
  const adsets = new Map<string, Building>();
  const fitStart = fatigueFitStart(window.start, window.end);
  // Each ad set-day's segment rows without another breakdown, to tell shares of one blend from per-segment figures.
  const segmentDays = new Map<string, InsightRow[]>();
  for (const r of rows) {
    if (r.campaignId !== campaignId || r.date < window.start || r.date > window.end) continue;
    let b = adsets.get(r.adsetId);
    if (!b) {
      b = { adset: { adsetId: r.adsetId === '' ? null : r.adsetId, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() }, segments: new Map(), countries: new Map(), demographics: new Map(), countryRecent: emptyMetrics() };
      adsets.set(r.adsetId, b);
    }
    if (r.country !== '') {
      let c = b.countries.get(r.country);
      if (!c) b.countries.set(r.country, (c = { countryCode: r.country, total: emptyMetrics(), days: new Map() }));
      addRow(c.total, r);
      if (r.date >= window.recentStart) addRow(b.countryRecent, r);
      c.days.set(r.date, addRow(c.days.get(r.date) ?? emptyMetrics(), r));
    } else if (r.segmentType === 'demographic') {
      const key = `${r.age}|${r.gender}`;
      let d = b.demographics.get(key);
      if (!d) b.demographics.set(key, (d = { age: r.age, gender: r.gender, total: emptyMetrics() }));
      addRow(d.total, r);
    } else if (r.segmentType !== '') {
      const key = `${r.segmentType}\u0000${r.segmentId}`;
      let s = b.segments.get(key);
      if (!s) b.segments.set(key, (s = { segmentType: r.segmentType as SegmentType, segmentId: r.segmentId, segmentName: r.segmentName, total: emptyMetrics(), recent: emptyMetrics(), activeDays: 0, days: new Map() }));
      addRow(s.total, r);
      if (r.date >= window.recentStart) addRow(s.recent, r);
      if (r.country === '' && r.age === '' && r.gender === '') {
        const dayKey = `${r.adsetId}\u0000${r.date}`;
        const list = segmentDays.get(dayKey);
        if (list === undefined) segmentDays.set(dayKey, [r]);
        else list.push(r);
      }
      const day = s.days.get(r.date) ?? { date: r.date, impressions: 0, clicks: 0, reach: 0 };
      day.impressions += r.impressions;
      day.clicks += r.clicks;
      day.reach += r.reach ?? 0;
      s.days.set(r.date, day);
    }
  }
  // Shared ad set-days (ad set \0 day): as the store does, none of their rows is a segment's own daily point.
  const sharedDays = new Set<string>();
  for (const dayRows of segmentDays.values()) {
    const blend = blendDayOf(dayRows);
    if (blend === null) continue;
    const b = adsets.get(dayRows[0]!.adsetId)!;
    for (const r of dayRows) {
      const s = b.segments.get(`${r.segmentType}\u0000${r.segmentId}`)!;
      s.shared = addRow(s.shared ?? emptyMetrics(), r);
    }
    addBlendDay(b.adset, blend.segments, blend.total);
    sharedDays.add(`${dayRows[0]!.adsetId}\u0000${dayRows[0]!.date}`);
  }
  const list: AdSetSnapshot[] = [];
  for (const b of [...adsets.values()].sort((x, y) => (x.adset.adsetId ?? '').localeCompare(y.adset.adsetId ?? ''))) {
    const a = b.adset;
    for (const s of b.segments.values()) {
      const days = [...s.days.values()].sort((x, y) => (x.date < y.date ? -1 : 1));
      const history: SegmentHistory = { segmentType: s.segmentType, segmentId: s.segmentId, segmentName: s.segmentName, total: s.total, recent: s.recent, activeDays: days.filter((d) => d.impressions > 0).length, ...(s.shared !== undefined ? { shared: s.shared } : {}) };
      attachSegmentSizes([history], sizes);
      a.segments.push(history);
      // A share of a blend shows the set's CTR, not the segment's: not one of its own daily points.
      const own = (d: SegmentDay) => !sharedDays.has(`${a.adsetId ?? ''}\u0000${d.date}`);
      s.days = new Map(days.filter((d) => d.date >= fitStart && own(d)).map((d) => [d.date, d]));
    }
    // Daily points only for the segments the fatigue fit could look at, as the store loads them.
    const byKey = new Map([...b.segments.values()].map((s) => [`${s.segmentType}\u0000${s.segmentId}`, s]));
    for (const h of fatigueFitCandidates(a.segments, () => false)) h.daily = [...byKey.get(`${h.segmentType}\u0000${h.segmentId}`)!.days.values()];
    for (const c of b.countries.values()) {
      a.countries.push({ countryCode: c.countryCode, total: c.total, daily: [...c.days.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([date, d]) => dayOf(date, d)) });
      addMetrics(a.total, c.total);
    }
    a.recent = b.countryRecent;
    a.demographics.push(...b.demographics.values());
    list.push(a);
  }
  return { campaignId, currency, windowStart: window.start, windowEnd: window.end, adsets: list, pixelEvents: [...pixelEvents] };
}
