// Segment rows that may be equal shares of one ad set-day's delivery: how LIVE sync credits an ad
// set of several segments, Meta having no interest breakdown. The snapshot reads them as the
// engine's blends; the segment table leaves them out of its fatigue verdict. Both ask the database
// for the days its screen passes and let the engine's isEqualShareDay decide on their rows.
import type { ShareRow } from '../engine/segment-blends.ts';
import type { SegmentType } from '../engine/types.ts';

/** The only rows a share can be: a segment's, with no country, age or gender breakdown. */
export const SHARE_CANDIDATE_ROWS = `segment_type <> '' and segment_type <> 'demographic' and country = '' and age = '' and gender = ''`;

/**
 * An ad set-day's candidate rows that may be shares (a HAVING clause): two or more, whose
 * impressions agree within one. Cheap, so that days of real per-segment figures stay in the database.
 */
export const SHARE_DAY_SCREEN = `count(*) >= 2 and max(impressions) - min(impressions) <= 1`;

/** The columns of a candidate row as ShareQueryRow reads them. */
export const SHARE_ROW_COLUMNS = `adset_id, to_char(date, 'YYYY-MM-DD') as date, segment_type, segment_id, impressions::float8 as impressions,
  reach::float8 as reach, clicks::float8 as clicks, spend_minor::float8 as spend_minor, conversions::float8 as conversions,
  revenue_minor::float8 as revenue_minor`;

export interface ShareQueryRow {
  adset_id: string;
  date: string;
  segment_type: string;
  segment_id: string;
  impressions: number;
  reach: number | null;
  clicks: number;
  spend_minor: number;
  conversions: number | null;
  revenue_minor: number | null;
}

/** A nullable count as a number (the driver may give bigints as strings); null stays unknown. */
const optional = (x: number | null) => (x === null ? null : Number(x));

export function shareRowOf(r: ShareQueryRow): ShareRow {
  return { segmentType: r.segment_type as SegmentType, segmentId: String(r.segment_id), impressions: Number(r.impressions), reach: optional(r.reach), clicks: Number(r.clicks), spendMinor: Number(r.spend_minor), conversions: optional(r.conversions), revenueMinor: optional(r.revenue_minor) };
}
