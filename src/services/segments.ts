// Reads of the segment performance table for the API and the CLI (the table is written by
// segment-performance.ts inside the transaction that changed the insights).
import type { AppContext } from '../context.ts';
import { listSegmentPerformance, listSegmentPerformancePage, type SegmentFilter, type SegmentListing } from '../store/segments.ts';

export type { SegmentFilter, SegmentListing };

/** Most impressions first, at most options.limit rows. */
export function segmentPerformance(ctx: AppContext, options: SegmentFilter): Promise<SegmentListing[]> {
  return listSegmentPerformance(ctx.db, options);
}

/** One page, most impressions first; nextCursor is null on the last page. */
export function segmentPerformancePage(ctx: AppContext, options: SegmentFilter & { cursor: string | null }): Promise<{ items: SegmentListing[]; nextCursor: string | null }> {
  return listSegmentPerformancePage(ctx.db, options);
}
