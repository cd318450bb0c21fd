// Imports a canonical pixel-events CSV: all rows in one transaction, or nothing when a row is
// invalid (unless skipInvalid), with every problem named by line and column, as insights imports.
import { createReadStream, statSync } from 'node:fs';
import type { AppContext } from '../context.ts';
import { parsePixelEventsCsv } from '../sources/pixel-events.ts';
import { upsertPixelEventDays } from '../store/pixel-events.ts';
import { ImportRejectedError, InputError, type Problem } from './errors.ts';
import { auditChange } from './audit.ts';
import { latestDeliveryDay } from './dates.ts';

export interface PixelImportReport {
  file: string;
  format: 'pixel-events';
  rowsRead: number;
  imported: number;
  skipped: number;
  problems: Problem[];
  campaigns: string[];
  /** Campaigns with events but no stored history yet: their events count once their insights are imported. */
  campaignsWithoutHistory: string[];
  dateRange: { start: string; end: string } | null;
  /** Imported events by event name. */
  events: Record<string, number>;
  durationMs: number;
}

export async function importPixelEventsFile(ctx: AppContext, file: string, options: { skipInvalid?: boolean } = {}): Promise<PixelImportReport> {
  const started = performance.now();
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new InputError('file', `${file} does not exist`);
  if (!stat.isFile()) throw new InputError('file', `${file} is not a file`);
  const parsed = await parsePixelEventsCsv(createReadStream(file), { latestDate: latestDeliveryDay(ctx.clock.now()) });
  if (parsed.headerProblems.length > 0) throw new ImportRejectedError(parsed.headerProblems, []);
  if (parsed.problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError([], parsed.problems);

  const known = await ctx.db.transaction(async (tx) => {
    const stored = await upsertPixelEventDays(tx, parsed.rows, 'pixel-events-csv');
    await auditChange(tx, ctx, { action: 'import pixel events', summary: { source: 'pixel-events-csv', rows: parsed.rows.length } });
    return stored;
  });
  const campaigns = [...new Set(parsed.rows.map((r) => r.campaignId))].sort();
  const withHistory = new Set(
    (await ctx.db.query<{ campaign_id: string }>('select distinct campaign_id from insights where campaign_id = any($1::text[])', [known])).map((r) => r.campaign_id),
  );
  const events: Record<string, number> = {};
  let start: string | null = null;
  let end: string | null = null;
  for (const r of parsed.rows) {
    events[r.eventName] = (events[r.eventName] ?? 0) + r.count;
    if (start === null || r.date < start) start = r.date;
    if (end === null || r.date > end) end = r.date;
  }
  ctx.logger.info({ rows: parsed.rows.length, campaigns: campaigns.length }, 'pixel events imported');
  return {
    file,
    format: 'pixel-events',
    rowsRead: parsed.rowsRead,
    imported: parsed.rows.length,
    skipped: new Set(parsed.problems.map((p) => p.line)).size,
    problems: parsed.problems,
    campaigns,
    campaignsWithoutHistory: campaigns.filter((c) => !withHistory.has(c)),
    dateRange: start !== null && end !== null ? { start, end } : null,
    events,
    durationMs: Math.round(performance.now() - started),
  };
}
