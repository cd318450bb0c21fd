import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { toMajor } from '../engine/money.ts';
import type { InsightRow } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import { expectedHeaders } from '../sources/ads-manager-headers.ts';
import { looksLikeAdsManager, parseAdsManagerCsv, parseAdsManagerXlsx } from '../sources/ads-manager.ts';
import { CANONICAL_COLUMNS, parseCanonicalCsv, type ParseResult } from '../sources/csv.ts';
import { isCalendarDate, lateDateProblem } from '../sources/field-rules.ts';
import type { SourceOptions, SourceReport } from '../sources/import-report.ts';
import { looksLikeKaggleConversion, parseKaggleConversion } from '../sources/kaggle-conversion.ts';
import { looksLikePixelEvents, PIXEL_COLUMNS } from '../sources/pixel-events.ts';
import { sniffDelimiter } from '../sources/tabular.ts';
import { CurrencyConflictError, hasSegmentRows, mayReplaceStoredRows, refreshStatistics, storedCampaignDays, upsertCampaigns, upsertInsights, upsertSegmentSizes } from '../store/insights.ts';
import { addSegmentDay, emptySegmentDays } from '../store/segment-days.ts';
import { ImportRejectedError, InputError, type Problem } from './errors.ts';
import { refreshSegmentPerformance } from './segment-performance.ts';
import { refreshAfterMetrics } from './after-metrics.ts';
import { auditChange } from './audit.ts';
import { importCanonicalOverlapped } from './canonical-import.ts';
import { latestDeliveryDay } from './dates.ts';
import { budgetsToStore, olderBudgetNote, type OlderBudget } from './import-budgets.ts';

export const IMPORT_FORMATS = ['canonical', 'ads-manager', 'kaggle-conversion', 'pixel-events'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportReport {
  file: string;
  format: ImportFormat;
  rowsRead: number;
  imported: number;
  skipped: number;
  problems: Problem[];
  campaigns: string[];
  dateRange: { start: string; end: string } | null;
  currencies: string[];
  durationMs: number;
  /** How a non-canonical file was read: breakdowns, skipped rows, decisions, what the optimizer can do. */
  source?: SourceReport;
  /** Daily budgets stored from the file, in major units by campaign id (canonical daily_budget, Ads Manager ad set budgets). */
  dailyBudgets: Record<string, number>;
  /** The file's budgets left as stored, each saying why (an older export's: its rows end before the stored days). */
  budgetsNotStored: string[];
}

export interface ImportOptions {
  skipInvalid?: boolean;
  onProgress?: (rowsRead: number) => void;
  /** Omitted: detected from the file (see detectFormat). */
  format?: ImportFormat;
  /** The currency of a file that does not state one (Ads Manager, Kaggle); the canonical default currency otherwise. */
  currency?: string;
  /** YYYY-MM-DD: the day of rows in a file without dates (Ads Manager, Kaggle); no later than tomorrow in UTC. */
  date?: string;
}

const isXlsx = (head: Buffer): boolean => head.length >= 4 && head.readUInt32LE(0) === 0x04034b50; // "PK\x03\x04": a zip, as every .xlsx is

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

function headerCells(head: Buffer): string[] {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const line = end < 0 ? text : text.slice(0, end);
  const delimiter = sniffDelimiter(line);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * The format of a file from its first bytes: an XLSX is an Ads Manager export; the Kaggle data set's
 * header is recognised by its column names; a CSV whose header has a canonical date or campaign_id
 * column (any case) is canonical, and its own parser then checks every column; else Ads Manager
 * headers in any language the header table knows. Anything else is refused with what was expected.
 */
export function detectFormat(file: string): ImportFormat {
  const head = readHead(file);
  if (isXlsx(head)) return 'ads-manager';
  const header = headerCells(head);
  if (looksLikeKaggleConversion(header)) return 'kaggle-conversion';
  if (looksLikePixelEvents(header)) return 'pixel-events';
  // Loose on purpose: "Date,Campaign_ID,…" is a canonical file with a typo, which the canonical
  // parser then names column by column, rather than "an unknown format".
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  if (names.has('date') || names.has('campaign_id')) return 'canonical';
  if (looksLikeAdsManager(header)) return 'ads-manager';
  const shown = header.slice(0, 8).map((h) => JSON.stringify(h)).join(', ');
  throw new InputError('format', `cannot tell the format of ${file} from its header (${shown}${header.length > 8 ? ', …' : ''}). Expected one of: ` +
    `the canonical CSV (${CANONICAL_COLUMNS.join(',')}); ` +
    `the pixel-events CSV (${PIXEL_COLUMNS.join(',')}); ` +
    `an Ads Manager export (CSV or XLSX, English or Spanish) with at least ${expectedHeaders(['campaignName', 'impressions', 'spend'])}; ` +
    'the Kaggle "Sales Conversion Optimization" CSV (ad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,Total_Conversion,Approved_Conversion). ' +
    `Or name it: --format ${IMPORT_FORMATS.join('|')}`);
}

function checkCanonical(file: string, options: ImportOptions): void {
  if (options.date !== undefined) throw new InputError('date', '--date applies to files without dates (ads-manager, kaggle-conversion); canonical rows carry their own date');
  if (isXlsx(readHead(file))) throw new InputError('format', `${file} is an XLSX workbook; the canonical format is CSV (an XLSX Ads Manager export imports with --format ads-manager)`);
}

/**
 * A --date after the latest day delivery can have reached is refused before the file is read: every
 * row of an undated file would be stored on it (a mistyped year would end every run's window there).
 * A --date that is no date at all is the parser's header problem, as before.
 */
function checkDateOption(options: ImportOptions, latestDate: string): void {
  const late = options.date !== undefined && isCalendarDate(options.date) ? lateDateProblem('--date', options.date, latestDate) : null;
  if (late !== null) throw new InputError('date', late);
}

async function parseFile(ctx: AppContext, file: string, format: Exclude<ImportFormat, 'pixel-events'>, options: ImportOptions): Promise<ParseResult & { source?: SourceReport; campaignNames?: ReadonlyMap<string, string> }> {
  const onProgress = options.onProgress ? { onProgress: options.onProgress } : {};
  const latestDate = latestDeliveryDay(ctx.clock.now());
  if (format === 'canonical') {
    checkCanonical(file, options);
    return parseCanonicalCsv(createReadStream(file), { defaultCurrency: options.currency ?? ctx.config.defaultCurrency, latestDate, ...onProgress });
  }
  checkDateOption(options, latestDate);
  const sourceOptions: SourceOptions = { defaultCurrency: ctx.config.defaultCurrency, currency: options.currency, date: options.date, latestDate, ...onProgress };
  const withSource = <T extends { report: SourceReport }>(r: T) => ({ ...r, source: r.report });
  if (format === 'kaggle-conversion') return withSource(await parseKaggleConversion(createReadStream(file), sourceOptions));
  return withSource(isXlsx(readHead(file)) ? await parseAdsManagerXlsx(file, sourceOptions) : await parseAdsManagerCsv(createReadStream(file), sourceOptions));
}

export async function importInsightsFile(ctx: AppContext, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new InputError('file', `${file} does not exist`);
  if (!stat.isFile()) throw new InputError('file', `${file} is not a file`);

  const format = options.format ?? detectFormat(file);
  if (format === 'pixel-events') throw new InputError('format', `${file} is a pixel-events file, not insights: import it with the import command (or importPixelEventsFile)`);
  if (format === 'canonical' && ctx.db.copyCsv !== undefined) return importCanonicalFile(ctx, file, options, started);
  const parsed = await parseFile(ctx, file, format, options);
  if (parsed.headerProblems.length > 0) throw new ImportRejectedError(parsed.headerProblems, []);
  if (parsed.problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError([], parsed.problems);

  // A budget belongs to a campaign whose rows are imported; a skipped row's campaign may have none left.
  const campaignsWithRows = new Set(parsed.rows.map((r) => r.campaignId));
  const budgets = new Map([...(parsed.dailyBudgets ?? [])].filter(([id]) => campaignsWithRows.has(id)));
  const { written: imported, budgets: storedBudgets, older } = await storeInsights(ctx, parsed.rows, format === 'canonical' ? 'csv' : format, parsed.campaignNames, budgets);
  const currencyOf = new Map(parsed.rows.map((r) => [r.campaignId, r.currency]));
  const badLines = new Set(parsed.problems.map((p) => p.line));
  const deliberatelySkipped = parsed.source?.skippedRows.reduce((n, s) => n + s.count, 0) ?? 0;
  return {
    file,
    format,
    rowsRead: parsed.rowsRead,
    imported,
    skipped: badLines.size + deliberatelySkipped,
    problems: parsed.problems,
    ...summarise(parsed.rows),
    durationMs: Math.round(performance.now() - started),
    ...(parsed.source ? { source: parsed.source } : {}),
    dailyBudgets: Object.fromEntries([...storedBudgets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, minor]) => [id, toMajor(minor, currencyOf.get(id)!)])),
    budgetsNotStored: older.map(olderBudgetNote),
  };
}

/** A canonical file, on either driver: read in a worker while its rows are written, never held whole (canonical-import.ts). */
async function importCanonicalFile(ctx: AppContext, file: string, options: ImportOptions, started: number): Promise<ImportReport> {
  checkCanonical(file, options);
  const defaultCurrency = options.currency ?? ctx.config.defaultCurrency;
  let r;
  try {
    r = await importCanonicalOverlapped(ctx, file, { defaultCurrency, skipInvalid: options.skipInvalid === true, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (error) {
    if (error instanceof CurrencyConflictError) throw new InputError('currency', error.message);
    throw error;
  }
  return {
    file,
    format: 'canonical',
    rowsRead: r.rowsRead,
    imported: r.written,
    skipped: new Set(r.problems.map((p) => p.line)).size,
    problems: r.problems,
    campaigns: [...r.campaigns.keys()].sort(),
    dateRange: r.dateRange,
    currencies: r.currencies,
    durationMs: Math.round(performance.now() - started),
    dailyBudgets: Object.fromEntries([...r.dailyBudgets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, minor]) => [id, toMajor(minor, r.campaigns.get(id)!)])),
    budgetsNotStored: r.olderBudgets.map(olderBudgetNote),
  };
}

/**
 * Writes rows, their campaigns (with the daily budgets the file gave, which replace stored ones:
 * the latest export is the account's state; an older export's are left, budgetsToStore) and the
 * refreshed segment table in one transaction.
 */
export async function storeInsights(ctx: AppContext, rows: readonly InsightRow[], source: string, names?: ReadonlyMap<string, string>, dailyBudgets?: ReadonlyMap<string, number>): Promise<{ written: number; budgets: Map<string, number>; older: OlderBudget[] }> {
  const lastDay = new Map<string, string>();
  for (const r of rows) if ((lastDay.get(r.campaignId) ?? '') < r.date) lastDay.set(r.campaignId, r.date);
  const days = emptySegmentDays();
  for (const r of rows) addSegmentDay(days, r);
  try {
    const n = await ctx.db.transaction(async (tx) => {
      const storedDays = await storedCampaignDays(tx, [...lastDay.keys()]);
      const budgets = budgetsToStore(dailyBudgets ?? new Map(), lastDay, new Map([...storedDays].map(([id, d]) => [id, d.last])));
      const campaigns = new Map<string, { currency: string; name?: string | null; dailyBudgetMinor?: number | null }>();
      for (const r of rows) if (!campaigns.has(r.campaignId)) campaigns.set(r.campaignId, { currency: r.currency, name: names?.get(r.campaignId) ?? null, dailyBudgetMinor: budgets.stored.get(r.campaignId) ?? null });
      await upsertCampaigns(tx, campaigns, source);
      const hadSegmentRows = await hasSegmentRows(tx);
      const mayReplace = await mayReplaceStoredRows(tx, rows);
      const written = await upsertInsights(tx, rows, source, mayReplace);
      await upsertSegmentSizes(tx, rows, 'csv');
      await refreshSegmentPerformance(tx, ctx.config.engine, { days, hadSegmentRows, mayHaveReplaced: mayReplace });
      await refreshAfterMetrics(tx, [...campaigns.keys()]);
      await auditChange(tx, ctx, { action: 'import', summary: { source, rows: written, campaigns: campaigns.size } });
      return { written, budgets: budgets.stored, older: budgets.older };
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
