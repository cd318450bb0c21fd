import { createReadStream, statSync } from 'node:fs';
import type { InsightRow } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import { parseCanonicalCsv } from '../sources/csv.ts';
import { CurrencyConflictError, refreshStatistics, upsertCampaigns, upsertInsights } from '../store/insights.ts';
import { ImportRejectedError, InputError, type Problem } from './errors.ts';
import { refreshSegmentPerformance } from './segment-performance.ts';

export interface ImportReport {
  file: string;
  rowsRead: number;
  imported: number;
  skipped: number;
  problems: Problem[];
  campaigns: string[];
  dateRange: { start: string; end: string } | null;
  currencies: string[];
  durationMs: number;
}

export interface ImportOptions {
  skipInvalid?: boolean;
  onProgress?: (rowsRead: number) => void;
}

export async function importInsightsFile(ctx: AppContext, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new InputError('file', `${file} does not exist`);
  if (!stat.isFile()) throw new InputError('file', `${file} is not a file`);

  const parsed = await parseCanonicalCsv(createReadStream(file), {
    defaultCurrency: ctx.config.defaultCurrency,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (parsed.headerProblems.length > 0) throw new ImportRejectedError(parsed.headerProblems, []);
  if (parsed.problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError([], parsed.problems);

  const imported = await storeInsights(ctx, parsed.rows, 'csv');
  const badLines = new Set(parsed.problems.map((p) => p.line));
  return {
    file,
    rowsRead: parsed.rowsRead,
    imported,
    skipped: badLines.size,
    problems: parsed.problems,
    ...summarise(parsed.rows),
    durationMs: Math.round(performance.now() - started),
  };
}

/** Writes rows, their campaigns and the refreshed segment table in one transaction. */
export async function storeInsights(ctx: AppContext, rows: readonly InsightRow[], source: string): Promise<number> {
  const campaigns = new Map<string, { currency: string }>();
  for (const r of rows) if (!campaigns.has(r.campaignId)) campaigns.set(r.campaignId, { currency: r.currency });
  try {
    const n = await ctx.db.transaction(async (tx) => {
      await upsertCampaigns(tx, campaigns, source);
      const written = await upsertInsights(tx, rows, source);
      await refreshSegmentPerformance(tx, ctx.config.engine);
      return written;
    });
    await refreshStatistics(ctx.db);
    return n;
  } catch (error) {
    if (error instanceof CurrencyConflictError) throw new InputError('currency', error.message);
    throw error;
  }
}

function summarise(rows: readonly InsightRow[]): Pick<ImportReport, 'campaigns' | 'dateRange' | 'currencies'> {
  let start: string | null = null;
  let end: string | null = null;
  const campaigns = new Set<string>();
  const currencies = new Set<string>();
  for (const r of rows) {
    if (start === null || r.date < start) start = r.date;
    if (end === null || r.date > end) end = r.date;
    campaigns.add(r.campaignId);
    currencies.add(r.currency);
  }
  return {
    campaigns: [...campaigns].sort(),
    dateRange: start !== null && end !== null ? { start, end } : null,
    currencies: [...currencies].sort(),
  };
}
