import { parseArgs } from 'node:util';
import { toMajor } from '../engine/money.ts';
import { SEGMENT_TYPES, type SegmentType } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import { listSegmentPerformance, type SegmentListing } from '../store/segments.ts';
import { type CliIo, parseLimit, pct, printJson, printLines, UsageError } from './io.ts';

export const usage = `segments [--type ${SEGMENT_TYPES.join('|')}] [--limit 1..500] [--json]`;

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

export async function segmentsCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { type: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.type !== undefined && !(SEGMENT_TYPES as readonly string[]).includes(values.type)) {
    throw new UsageError(`--type: must be one of ${SEGMENT_TYPES.join(', ')}, got ${JSON.stringify(values.type)}`);
  }
  const rows = await listSegmentPerformance(ctx.db, { segmentType: (values.type as SegmentType | undefined) ?? null, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows.map(segmentDocument));
  if (rows.length === 0) return printLines(io, ['No segments stored yet. Generate or import history first.']);
  printLines(io, rows.map((s) => `${s.segmentType.padEnd(15)} ${s.segmentId.padEnd(20)} ${s.segmentName.slice(0, 36).padEnd(36)} impr ${String(s.totalImpressions).padStart(10)}  CTR ${pct(s.avgCtr)}  ROAS ${s.avgRoas === null ? 'n/a' : s.avgRoas.toFixed(2)}${s.isFatigued ? `  FATIGUED: ${s.fatigueReason}` : ''}${s.restsInForce.length > 0 ? `  RESTING in ${s.restsInForce.length} ad set${s.restsInForce.length === 1 ? '' : 's'} since ${s.restsInForce.map((r) => r.since).sort()[0]!}` : ''}`));
}
