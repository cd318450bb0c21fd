// A stored segment listing as the specification's segments document (snake_case, major units):
// what both the API and the CLI print.
import { toMajor } from '../engine/money.ts';
import type { SegmentListing } from '../store/segments.ts';

export function segmentDocument(s: SegmentListing) {
  return {
    segment_id: s.segmentId,
    segment_name: s.segmentName,
    segment_type: s.segmentType,
    total_impressions: s.totalImpressions,
    total_clicks: s.totalClicks,
    total_conversions: s.totalConversions,
    total_spend: toMajor(s.totalSpendMinor, s.currency),
    total_revenue: s.totalRevenueMinor === null ? null : toMajor(s.totalRevenueMinor, s.currency),
    currency: s.currency,
    avg_ctr: s.avgCtr,
    avg_cvr: s.avgCvr,
    avg_roas: s.avgRoas,
    campaigns_count: s.campaignsCount,
    // The specification's date-time; insights are daily, so it is the start (00:00 UTC) of the last day with delivery.
    last_used: `${s.lastUsed}T00:00:00Z`,
    is_fatigued: s.isFatigued,
    fatigue_reason: s.fatigueReason,
    rests_in_force: s.restsInForce.map((r) => ({ campaign_id: r.campaignId, adset_id: r.adsetId, since: r.since })),
  };
}
