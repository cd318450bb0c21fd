// What every non-canonical importer (Ads Manager exports, the public Kaggle data set) tells the user
// besides its rows: how it read the file, what it skipped and why, and what the optimizer can and
// cannot do with the breakdowns it found.

import { createHash } from 'node:crypto';
import type { InsightRow } from '../engine/types.ts';
import type { ParseResult } from './csv.ts';

export type SourceFormat = 'ads-manager' | 'kaggle-conversion';

export interface Breakdowns {
  day: boolean;
  country: boolean;
  age: boolean;
  gender: boolean;
  /** Ad set names scored as interest segments. */
  adset: boolean;
}

export interface SkippedRows {
  reason: string;
  count: number;
  /** The first few lines, to find them in the file. */
  lines: number[];
}

export interface SourceReport {
  format: SourceFormat;
  fileType: 'csv' | 'xlsx';
  /** Header language: en, es, or "en+es" when a file mixes them. */
  language: string | null;
  delimiter: string | null;
  decimalMark: { mark: '.' | ','; decidedBy: string } | null;
  currency: string | null;
  currencySource: string;
  breakdowns: Breakdowns;
  /** Rows deliberately not imported (totals rows, unknown country, …); invalid rows are problems instead. */
  skippedRows: SkippedRows[];
  /** Rows that shared a key with an earlier row (e.g. several ads of one ad set and day) and were summed into it. */
  mergedRows: number;
  ignoredColumns: string[];
  /** Decisions made while reading (derived ids, dates, mappings). */
  notes: string[];
  /** What the optimizer can and cannot do with this data. */
  capabilities: string[];
  warnings: string[];
}

export interface SourceParseResult extends ParseResult {
  report: SourceReport;
  /** Campaign names by campaign id, where the file names its campaigns (stored with the campaign). */
  campaignNames: ReadonlyMap<string, string>;
}

export interface SourceOptions {
  /** TARGETING_DEFAULT_CURRENCY: used, with a warning, when neither the file nor `currency` says. */
  defaultCurrency: string;
  /** --currency: the currency of a file that does not state one (a stated one must agree). */
  currency?: string | undefined;
  /** --date (YYYY-MM-DD): the day of rows that carry no date. */
  date?: string | undefined;
  /** The latest day a row may be dated (the importer's tomorrow in UTC, from the service's clock): a later one is the row's problem. */
  latestDate?: string | undefined;
  onProgress?: ((rowsRead: number) => void) | undefined;
}

const SLUG_MAX = 48;

/**
 * A stable id from a name, for exports without id columns: "name:" + a readable slug + 8 hex digits
 * of the name's SHA-1, so "Promo, Lima" and "Promo Lima" (same slug) still get different ids while
 * the same name always gets the same id, across files and runs.
 */
export function idFromName(prefix: string, name: string): string {
  const slug = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, SLUG_MAX);
  const hash = createHash('sha1').update(name.trim()).digest('hex').slice(0, 8);
  return `${prefix}:${slug === '' ? 'x' : slug}-${hash}`;
}

const KEY_SEP = '\u0001';
export function rowKey(r: InsightRow): string {
  return `${r.date}${KEY_SEP}${r.campaignId}${KEY_SEP}${r.adsetId}${KEY_SEP}${r.segmentType}${KEY_SEP}${r.segmentId}${KEY_SEP}${r.country}${KEY_SEP}${r.age}${KEY_SEP}${r.gender}`;
}

const sumKnown = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/**
 * Sums rows that share the store's key: an export "by ad" has one row per ad, and the store keeps
 * one per ad set. Reach sums over-count people seen by two ads (as daily reach sums already do);
 * conversions or revenue unknown on any part stay unknown for the sum rather than read as zero.
 */
export class RowMerger {
  readonly rows: InsightRow[] = [];
  merged = 0;
  private readonly index = new Map<string, number>();

  add(row: InsightRow): void {
    const key = rowKey(row);
    const at = this.index.get(key);
    if (at === undefined) {
      this.index.set(key, this.rows.length);
      this.rows.push(row);
      return;
    }
    const r = this.rows[at]!;
    this.rows[at] = {
      ...r,
      impressions: r.impressions + row.impressions,
      clicks: r.clicks + row.clicks,
      spendMinor: r.spendMinor + row.spendMinor,
      reach: sumKnown(r.reach, row.reach),
      conversions: sumKnown(r.conversions, row.conversions),
      revenueMinor: sumKnown(r.revenueMinor, row.revenueMinor),
    };
    this.merged++;
  }
}

export class SkipCounter {
  private readonly byReason = new Map<string, SkippedRows>();
  add(reason: string, line: number): void {
    let s = this.byReason.get(reason);
    if (!s) this.byReason.set(reason, (s = { reason, count: 0, lines: [] }));
    s.count++;
    if (s.lines.length < 5) s.lines.push(line);
  }
  list(): SkippedRows[] {
    return [...this.byReason.values()];
  }
  get total(): number {
    let n = 0;
    for (const s of this.byReason.values()) n += s.count;
    return n;
  }
}

/** What the optimizer can and cannot do with rows of these breakdowns (the engine's behaviour, in words). */
export function describeCapabilities(rows: readonly InsightRow[], breakdowns: Breakdowns): string[] {
  const countries = new Set<string>();
  const interests = new Set<string>();
  let withConversions = 0;
  let withRevenue = 0;
  for (const r of rows) {
    if (r.country !== '') countries.add(r.country);
    if (r.segmentType === 'interest') interests.add(r.segmentId);
    if (r.conversions !== null) withConversions++;
    if (r.revenueMinor !== null) withRevenue++;
  }
  const out: string[] = [];
  out.push(breakdowns.day
    ? 'day breakdown: fatigue (recent against earlier CTR) can be measured'
    : 'no day breakdown: each row is one reporting period, stored on its last day; fatigue (recent against earlier CTR) cannot be measured');
  out.push(breakdowns.country
    ? `country breakdown (${countries.size} ${countries.size === 1 ? 'country' : 'countries'}): geo allocation uses their observed rates, smoothed toward the priors`
    : 'no country breakdown: geo allocation will use priors (with no country observed, the whole budget goes to Spain, scored from the prior rates)');
  out.push(breakdowns.age
    ? 'age breakdown: the age range is chosen from the observed buckets'
    : 'no age breakdown: the recommendation keeps Meta\'s full age range');
  out.push(breakdowns.gender
    ? 'gender breakdown: the gender is chosen from observed performance'
    : 'no gender breakdown: the recommendation targets all genders');
  out.push(interests.size > 0
    ? `interest segments (${interests.size}): interests are ranked by their smoothed CTR, CVR and ROAS`
    : 'no interest segments (no ad set breakdown): the recommendation cannot rank interests');
  if (withConversions === 0) out.push('no conversions: CVR uses the prior');
  else if (withConversions < rows.length) out.push(`conversions known on ${withConversions} of ${rows.length} rows: CVR counts only the clicks of those rows`);
  if (withRevenue === 0) out.push('no revenue: ROAS uses the prior (expected_roas is the prior; confidence is the specification\'s function of impressions, so it does not fall for missing revenue)');
  else if (withRevenue < rows.length) out.push(`revenue known on ${withRevenue} of ${rows.length} rows: ROAS counts only the spend of those rows`);
  return out;
}
