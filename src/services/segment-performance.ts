import { observedCtr, observedCvr, observedRoas } from '../engine/metrics.ts';
import { detectFatigue } from '../engine/scoring.ts';
import type { EngineSettings } from '../engine/types.ts';
import type { Db } from '../store/db.ts';
import { countSegmentRows } from '../store/insights.ts';
import { segmentAggregatesOf, type SegmentDays } from '../store/segment-days.ts';
import { loadSegmentAggregates, replaceSegmentPerformance, type SegmentPerformanceRow } from '../store/segments.ts';

/** Rows just written, for refreshSegmentPerformance: their sums, and what the store held before. */
export interface WrittenRows {
  days: SegmentDays;
  /** The store held a segment row before the write. */
  hadSegmentRows: boolean;
  /** The write may have replaced stored rows. */
  mayHaveReplaced: boolean;
}

/**
 * Recomputes the segment performance table from all stored insights, with the engine's fatigue
 * verdict. Called inside the transaction that changed the insights, so the table never disagrees
 * with them. When the store's segment rows are now exactly the `written` ones (it had none, or
 * every one was replaced: the written keys are distinct, so equal counts mean equal sets), the
 * table is built from their sums instead of a pass over the store.
 */
export async function refreshSegmentPerformance(tx: Db, settings: EngineSettings, written?: WrittenRows): Promise<number> {
  const onlyWritten = written !== undefined && (!written.hadSegmentRows || (written.mayHaveReplaced && (await countSegmentRows(tx)) === written.days.rows));
  const aggregates = (onlyWritten && (await segmentAggregatesOf(tx, written.days, settings.recentDays))) || (await loadSegmentAggregates(tx, settings.recentDays));
  const rows: SegmentPerformanceRow[] = aggregates.map((a) => {
    // On the segment's own rows: an equal share of a blended ad set's day is the ad set's figure, not the segment's.
    const fatigue = detectFatigue(a.own.total, a.own.recent, settings);
    return {
      segmentType: a.segmentType,
      segmentId: a.segmentId,
      segmentName: a.segmentName,
      currency: a.currency,
      totalImpressions: a.total.impressions,
      totalClicks: a.total.clicks,
      totalConversions: a.total.clicksWithConversions > 0 || a.total.conversions > 0 ? a.total.conversions : null,
      totalSpendMinor: a.total.spendMinor,
      totalRevenueMinor: a.total.spendWithRevenueMinor > 0 || a.total.revenueMinor > 0 ? a.total.revenueMinor : null,
      avgCtr: observedCtr(a.total),
      avgCvr: observedCvr(a.total),
      avgRoas: observedRoas(a.total),
      campaignsCount: a.campaignsCount,
      lastUsed: a.lastUsed,
      isFatigued: fatigue.isFatigued,
      fatigueReason: fatigue.reason,
    };
  });
  await replaceSegmentPerformance(tx, rows);
  return rows.length;
}
