import type { SegmentType } from './types.ts';

/**
 * A segment's identity wherever segments of several ad sets, runs or snapshots meet: its type and
 * the source's id ("interest:6003139266461"). An id alone is not enough: an interest and a custom
 * audience may share one.
 */
export type SegmentKey = `${SegmentType}:${string}`;

export function segmentKey(s: { readonly segmentType: SegmentType; readonly segmentId: string }): SegmentKey {
  return `${s.segmentType}:${s.segmentId}`;
}
