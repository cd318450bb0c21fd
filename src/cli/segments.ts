import { parseArgs } from 'node:util';
import { SEGMENT_TYPES, type SegmentType } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import { segmentDocument } from '../services/segment-document.ts';
import { segmentPerformance } from '../services/segments.ts';
import { type CliIo, parseLimit, pct, printJson, printLines, UsageError } from './io.ts';

export const usage = `segments [--type ${SEGMENT_TYPES.join('|')}] [--limit 1..500] [--json]`;

export async function segmentsCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { type: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.type !== undefined && !(SEGMENT_TYPES as readonly string[]).includes(values.type)) {
    throw new UsageError(`--type: must be one of ${SEGMENT_TYPES.join(', ')}, got ${JSON.stringify(values.type)}`);
  }
  const rows = await segmentPerformance(ctx, { segmentType: (values.type as SegmentType | undefined) ?? null, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows.map(segmentDocument));
  if (rows.length === 0) return printLines(io, ['No segments stored yet. Generate or import history first.']);
  printLines(io, rows.map((s) => `${s.segmentType.padEnd(15)} ${s.segmentId.padEnd(20)} ${s.segmentName.slice(0, 36).padEnd(36)} impr ${String(s.totalImpressions).padStart(10)}  CTR ${pct(s.avgCtr)}  ROAS ${s.avgRoas === null ? 'n/a' : s.avgRoas.toFixed(2)}${s.isFatigued ? `  FATIGUED: ${s.fatigueReason}` : ''}${s.restsInForce.length > 0 ? `  RESTING in ${s.restsInForce.length} ad set${s.restsInForce.length === 1 ? '' : 's'} since ${s.restsInForce.map((r) => r.since).sort()[0]!}` : ''}`));
}
