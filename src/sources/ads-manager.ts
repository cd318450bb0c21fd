// Reads an Ads Manager export (CSV or XLSX, English or Spanish headers) into insight rows, the
// problems of the rows it cannot read, and a report of how it read the file.
//
// The file is read whole before any cell is interpreted, because the decimal mark is decided per
// file (locale-number.ts): "1,250" means 1250 in an English export and 1.25 in a Spanish one, and
// only the other cells can tell. Then each record becomes one row:
//  - totals rows (no campaign, ad set or ad name; or "Total…" with no id) are skipped and counted;
//  - an ad set name becomes an interest segment (the ad set's audience is what users name it after);
//  - missing campaign / ad set ids are derived from the names (idFromName), reported;
//  - rows with the same key (one per ad in an export "by ad") are summed (RowMerger).

import { parseMinor, toMajor } from '../engine/money.ts';
import { AGE_BUCKETS } from '../engine/types.ts';
import type { AgeBucket, Gender } from '../engine/types.ts';
import { AdSetBudgets } from './ad-set-budgets.ts';
import { expectedHeaders, type HeaderMatch, type HeaderMeaning, matchHeader, normaliseHeader } from './ads-manager-headers.ts';
import { ROW_FIELD, type RowProblem } from './csv.ts';
import {
  ageBucket, calendarDate, countryNames, dateOptionProblem, isCalendarDate, isScientificNotation, lateDateProblem, MAX_ID_LENGTH,
  numericIdText, roundedNumericIdMessage, scientificIdMessage, utcDay, validCurrency, WHOLE_NUMBER,
} from './field-rules.ts';
import { type Breakdowns, describeCapabilities, idFromName, RowMerger, SkipCounter, type SourceOptions, type SourceParseResult, type SourceReport } from './import-report.ts';
import { addEvidence, decideDecimal, type DecimalMark, emptyEvidence, normaliseNumber } from './locale-number.ts';
import { type Cell, readCsvTable, readXlsxTable, type Table, type TableRecord } from './tabular.ts';

const COUNT_MEANINGS: readonly HeaderMeaning[] = ['impressions', 'reach', 'linkClicks', 'clicksAll', 'purchases', 'results'];
const DECIMAL_MEANINGS: readonly HeaderMeaning[] = ['spend', 'purchaseValue', 'ctr', 'cpc', 'cpm', 'frequency', 'costPerResult', 'roas'];
/** Recognised, and still not imported: each follows from the imported columns. */
const DERIVED_MEANINGS: ReadonlySet<HeaderMeaning> = new Set(['ctr', 'cpc', 'cpm', 'frequency', 'costPerResult', 'roas', 'reportingEnd', 'adName', 'adId']);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]*Z?)?$/;
const SLASH_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
// Ads Manager's summary row: no id and a name like "Total", "Results from 3 campaigns", "Resultados totales".
const TOTALS_NAME = /^(?:total|totales|grand total|total general|total results|resultados totales|results from\b.*|resultados de\b.*)$/;
const PURCHASE_INDICATOR = /purchase|compra/;

const UNKNOWN_TEXTS: ReadonlySet<string> = new Set(['unknown', 'desconocido', 'desconocida', 'unknown country']);
const GENDER_BY_TEXT: ReadonlyMap<string, Gender | ''> = new Map<string, Gender | ''>([
  ['male', 'male'], ['men', 'male'], ['m', 'male'], ['hombre', 'male'], ['hombres', 'male'], ['h', 'male'],
  ['female', 'female'], ['women', 'female'], ['f', 'female'], ['mujer', 'female'], ['mujeres', 'female'],
  ['unknown', 'unknown'], ['uncategorized', 'unknown'], ['desconocido', 'unknown'], ['sin categoria', 'unknown'], ['u', 'unknown'],
  // "All": the row is not split by gender.
  ['all', ''], ['todos', ''], ['todas', ''],
]);


const dateOfParts = (y: number, m: number, d: number): string | null => calendarDate(y, m, d);

export function isIsoDate(t: string): boolean {
  return isCalendarDate(t);
}

const text = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c).trim());

/** Where each meaning sits in the header, the header's languages, currency and ignored columns. */
function readHeader(header: readonly string[], options: SourceOptions) {
  const at = new Map<HeaderMeaning, number>();
  const matches = new Map<HeaderMeaning, HeaderMatch & { raw: string }>();
  const languages = new Set<string>();
  const ignored: string[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  header.forEach((raw, i) => {
    const m = matchHeader(raw);
    if (!m) {
      if (raw.trim() !== '') ignored.push(raw.trim());
      return;
    }
    languages.add(m.language);
    if (at.has(m.meaning)) {
      warnings.push(`column "${raw.trim()}" (position ${i + 1}) repeats "${header[at.get(m.meaning)!]!.trim()}"; the first one is read`);
      return;
    }
    at.set(m.meaning, i);
    matches.set(m.meaning, { ...m, raw: raw.trim() });
    if (DERIVED_MEANINGS.has(m.meaning)) ignored.push(raw.trim());
  });
  const need = (ok: boolean, meanings: HeaderMeaning[]) => {
    if (!ok) problems.push(`missing column ${expectedHeaders(meanings).replace(/, /g, ' or ')}`);
  };
  need(at.has('campaignName') || at.has('campaignId'), ['campaignName', 'campaignId']);
  need(at.has('impressions'), ['impressions']);
  need(at.has('linkClicks') || at.has('clicksAll'), ['linkClicks', 'clicksAll']);
  need(at.has('spend'), ['spend']);
  if (!at.has('day') && !at.has('reportingStart') && options.date === undefined) {
    problems.push(`missing a date column ${expectedHeaders(['day', 'reportingStart']).replace(/, /g, ' or ')}; give --date YYYY-MM-DD for an export without dates`);
  }
  const dateProblem = options.date === undefined ? null : dateOptionProblem(options.date, options.latestDate);
  if (dateProblem !== null) problems.push(dateProblem);
  const spend = matches.get('spend');
  let currency: string | null = null;
  let currencySource: string;
  if (spend?.currency) {
    currency = validCurrency(spend.currency);
    currencySource = `the header "${spend.raw}"`;
    if (currency === null) problems.push(`the header "${spend.raw}" names an unknown currency "${spend.currency}"`);
    else if (options.currency !== undefined && validCurrency(options.currency) !== currency) {
      problems.push(`--currency ${options.currency} disagrees with the header "${spend.raw}" (${currency})`);
    }
  } else if (at.has('currency')) {
    currencySource = `the column "${matches.get('currency')!.raw}"`;
  } else if (options.currency !== undefined) {
    currency = validCurrency(options.currency);
    currencySource = '--currency';
    if (currency === null) problems.push(`--currency must be an ISO 4217 code such as EUR, got "${options.currency}"`);
  } else {
    currency = validCurrency(options.defaultCurrency);
    currencySource = 'the default currency (TARGETING_DEFAULT_CURRENCY)';
    warnings.push(`the file does not state its currency (no "Amount spent (XXX)" header, no Currency column): amounts are read as ${currency}; give --currency if that is wrong`);
  }
  const language = languages.size === 0 ? null : [...languages].sort().join('+');
  return { at, matches, language, ignored, problems, warnings, currency, currencySource };
}

function emptyReport(fileType: 'csv' | 'xlsx', delimiter: string | null): SourceReport {
  return {
    format: 'ads-manager', fileType, language: null, delimiter, decimalMark: null, currency: null, currencySource: '',
    breakdowns: { day: false, country: false, age: false, gender: false, adset: false },
    skippedRows: [], mergedRows: 0, ignoredColumns: [], notes: [], capabilities: [], warnings: [],
  };
}

/** The columns the reader uses, each read from the first of its meanings the header has. */
const COLUMN_TABLE = {
  start: ['reportingStart'], end: ['reportingEnd'], day: ['day'],
  campaignName: ['campaignName'], campaignId: ['campaignId'], adsetName: ['adsetName'], adsetId: ['adsetId'],
  adName: ['adName'], adId: ['adId'], spend: ['spend'], currency: ['currency'], impressions: ['impressions'],
  // Link clicks are the clicks that reach the advertiser; "Clicks (all)" only when there are none.
  reach: ['reach'], clicks: ['linkClicks', 'clicksAll'], purchases: ['purchases'],
  value: ['purchaseValue'], results: ['results'], indicator: ['resultIndicator'],
  country: ['country'], age: ['age'], gender: ['gender'],
  budget: ['adsetBudget'], budgetType: ['adsetBudgetType'],
} as const satisfies Record<string, readonly HeaderMeaning[]>;
/** Each column's position in this file (-1 when absent). */
type Columns = { readonly [K in keyof typeof COLUMN_TABLE]: number };

function locateColumns(at: ReadonlyMap<HeaderMeaning, number>): Columns {
  const position = (meanings: readonly HeaderMeaning[]): number => meanings.map((m) => at.get(m) ?? -1).find((i) => i >= 0) ?? -1;
  return Object.fromEntries(Object.entries(COLUMN_TABLE).map(([name, meanings]) => [name, position(meanings)])) as unknown as Columns;
}

/** Pass 1: the file's decimal mark, from every numeric text cell (locale-number.ts). */
function decideFileDecimal(table: Table, at: ReadonlyMap<HeaderMeaning, number>, language: string | null, report: SourceReport): DecimalMark {
  const evidence = emptyEvidence();
  const numericColumns: [number, boolean][] = [
    ...COUNT_MEANINGS.map((m): [number, boolean] => [at.get(m) ?? -1, true]),
    ...DECIMAL_MEANINGS.map((m): [number, boolean] => [at.get(m) ?? -1, false]),
  ].filter(([i]) => i >= 0);
  for (const r of table.records) {
    for (const [i, isCount] of numericColumns) {
      const cell = r.cells[i];
      if (typeof cell === 'string' && cell !== '') addEvidence(evidence, cell, isCount);
    }
  }
  const byLanguage: DecimalMark = language === 'es' ? ',' : '.';
  const decided = decideDecimal(evidence, byLanguage, language === 'es' ? 'Spanish headers: decimal comma' : 'English headers: decimal point');
  report.decimalMark = { mark: decided.decimal, decidedBy: decided.decidedBy };
  if (evidence.dot > 0 && evidence.comma > 0) report.warnings.push(`the file mixes number formats: ${decided.decidedBy}; ambiguous cells such as "1,250" are read with "${decided.decimal}" as the decimal mark`);
  return decided.decimal;
}

/** What the report says about the columns themselves: which clicks and conversions are read, and how ad sets become segments. */
function describeColumns(c: Columns, at: ReadonlyMap<HeaderMeaning, number>, header: readonly string[], report: SourceReport): void {
  if (c.clicks === (at.get('clicksAll') ?? -1)) report.notes.push('no "Link clicks" column: clicks are read from "Clicks (all)", which also counts clicks on the page, likes and expansions');
  if (c.purchases >= 0) for (const i of [c.results, c.indicator]) if (i >= 0) report.ignoredColumns.push(header[i]!.trim());
  if (c.purchases < 0 && c.results >= 0) {
    report.notes.push(c.indicator >= 0
      ? 'no "Purchases" column: conversions are read from "Results" on the rows whose result indicator is a purchase; other rows have unknown conversions'
      : 'the "Results" column is not read as conversions: without a "Result indicator" column it may count link clicks or reach');
  }
  if (c.adsetName >= 0) report.notes.push('ad set names are scored as interest segments (segment_type interest, segment_id "adset:" + a slug of the name + 8 hex digits of its SHA-1: the same name is the same segment in every campaign and file)');
}

// Per-file caches: an export repeats a few names, countries, ages and days over 100,000s of rows, and
// hashing a name or normalising a country per cell took about half the parse time on 200k rows.
function memo<T>(f: (t: string) => T): (t: string) => T {
  const cache = new Map<string, T>();
  return (t) => {
    let v = cache.get(t);
    if (v === undefined && !cache.has(t)) cache.set(t, (v = f(t)));
    return v as T;
  };
}

interface ReaderSetup {
  table: Table;
  c: Columns;
  /** The file's currency from its header or the options; null when a Currency column gives it per row. */
  currency: string | null;
  options: SourceOptions;
  decimal: DecimalMark;
  /** Whether an ambiguous 05/06/2026 is day-first (Spanish exports). */
  dayFirst: boolean;
  problems: RowProblem[];
}

/** Turns records into merged rows, problems and the counts the report needs; one record at a time. */
function createRecordReader({ table, c, currency: fileCurrency, options, decimal, dayFirst, problems }: ReaderSetup) {
  const nameId = memo((t) => idFromName('name', t));
  const segmentIdOf = memo((t) => idFromName('adset', t));
  const normalised = memo(normaliseHeader);
  const countries = countryNames(normaliseHeader);
  const skipped = new SkipCounter();
  const campaignNames = new Map<string, string>();
  const merger = new RowMerger();
  const budgets = c.budget >= 0 ? new AdSetBudgets(decimal) : null;
  const tally = { derivedCampaign: null as [string, string] | null, derivedAdset: null as [string, string] | null, periodRows: 0, emptyClicks: 0, allSingleDay: true };
  let line = 0;
  let cells: Cell[] = [];
  const report_ = (field: string, value: Cell | undefined, message: string): void => {
    problems.push({ line, field, value: text(value), message });
  };

  const readId = (i: number, field: string): string => {
    if (i < 0) return '';
    const cell = cells[i];
    if (typeof cell === 'number') {
      const id = numericIdText(cell);
      if (id === null) report_(field, cell, roundedNumericIdMessage(field, cell));
      return id ?? '';
    }
    const t = text(cell);
    if (isScientificNotation(t)) report_(field, cell, scientificIdMessage(field, t));
    else if (t.length > MAX_ID_LENGTH) report_(field, cell, `${field} is longer than ${MAX_ID_LENGTH} characters`);
    return t;
  };

  const dateOf = memo((t: string): string | null => {
    let m = ISO_DATE.exec(t);
    if (m) return dateOfParts(Number(m[1]), Number(m[2]), Number(m[3]));
    if ((m = SLASH_DATE.exec(t))) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      // 13/11/2026 can only be day-first and 11/13/2026 month-first; otherwise the header language decides.
      const first = a > 12 ? true : b > 12 ? false : dayFirst;
      return first ? dateOfParts(Number(m[3]), b, a) : dateOfParts(Number(m[3]), a, b);
    }
    return null;
  });
  const readDate = (i: number, field: string): string => {
    const cell = cells[i];
    const t = cell instanceof Date ? '' : text(cell);
    const date = cell instanceof Date ? utcDay(cell) : dateOf(t);
    if (date === null) report_(field, cell, t === '' ? `${field} is empty` : `${field} must be a date (YYYY-MM-DD, or DD/MM/YYYY in a Spanish export)`);
    else {
      // A day delivery cannot have reached yet (a mistyped year) would end every run's window there.
      const late = lateDateProblem(field, date, options.latestDate);
      if (late !== null) report_(field, cell, late);
    }
    return date ?? '';
  };

  /** A count (isCount) or a decimal as canonical text; null when the cell is empty; undefined after a problem. */
  const readNumber = (i: number, field: string, isCount: boolean): string | null | undefined => {
    if (i < 0) return null;
    const cell = cells[i];
    if (typeof cell === 'number') {
      if (!(cell >= 0) || !Number.isFinite(cell)) {
        report_(field, cell, `${field} must be a non-negative number`);
        return undefined;
      }
      if (isCount && !Number.isInteger(cell)) {
        report_(field, cell, `${field} must be a whole number`);
        return undefined;
      }
      return isCount ? String(cell) : cell.toFixed(8);
    }
    const t = text(cell);
    if (t === '' || t === '-' || t === '--') return null;
    const parsed = normaliseNumber(t, decimal, isCount);
    if (!parsed.ok) {
      report_(field, cell, `${field} ${parsed.message}`);
      return undefined;
    }
    if (parsed.percent) {
      report_(field, cell, `${field} is a percentage; expected a ${isCount ? 'count' : 'amount'}`);
      return undefined;
    }
    if (isCount && !WHOLE_NUMBER.test(parsed.text)) {
      report_(field, cell, `${field} must be a whole number (read "${t}" as ${parsed.text} with "${decimal}" as the decimal mark)`);
      return undefined;
    }
    return isCount ? parsed.text.replace(/\.0+$/, '') : parsed.text;
  };
  const count = (i: number, field: string): number | null | undefined => {
    const t = readNumber(i, field, true);
    if (t === null || t === undefined) return t;
    const n = Number(t);
    if (Number.isSafeInteger(n)) return n;
    report_(field, cells[i], `${field} is too large`);
    return undefined;
  };
  const money = (i: number, field: string, currency: string | null): number | null | undefined => {
    const t = readNumber(i, field, false);
    if (t === null || t === undefined || currency === null) return t === null ? null : undefined;
    const minor = parseMinor(t, currency);
    if (minor === null) report_(field, cells[i], `${field} is too large`);
    return minor ?? undefined;
  };

  // The record being read: set by the steps below.
  let campaignName = '';
  let adsetName = '';
  let campaignId = '';
  let adsetId = '';
  let date = '';
  let country = '';
  let age: AgeBucket | '' = '';
  let gender: Gender | '' = '';
  let currency: string | null = null;
  let impressions: number | null | undefined;
  let reach: number | null | undefined;
  let clicks: number | null | undefined;
  let conversions: number | null | undefined;
  let spendMinor: number | null | undefined;
  let revenueMinor: number | null | undefined;

  const hasHeaderWidth = (): boolean => {
    if (table.delimiter === null || cells.length === table.header.length) return true;
    const hint = table.delimiter === ',' && cells.length > table.header.length ? ' (a number with a decimal comma must be quoted in a comma-separated file: "1.250,50")' : '';
    report_(ROW_FIELD, cells.join(table.delimiter), `the line has ${cells.length} fields but the header has ${table.header.length}${hint}`);
    return false;
  };

  /** Ads Manager's totals row, or a row without delivery: skipped and counted, not a problem. */
  const isSummaryOrEmpty = (): boolean => {
    campaignName = text(cells[c.campaignName]);
    adsetName = c.adsetName >= 0 ? text(cells[c.adsetName]) : '';
    const names = [campaignName, adsetName, c.adName >= 0 ? text(cells[c.adName]) : ''];
    const ids = [c.campaignId, c.adsetId, c.adId].map((i) => (i >= 0 ? text(cells[i]) : ''));
    if ([...names, ...ids].every((t) => t === '') || (ids.every((t) => t === '') && TOTALS_NAME.test(normalised(campaignName)))) {
      skipped.add('totals row (Ads Manager\'s summary line: no campaign, ad set or ad of its own)', line);
      return true;
    }
    if ([c.impressions, c.spend, c.clicks].every((i) => text(cells[i]) === '')) {
      skipped.add('no delivery (impressions, spend and clicks all empty)', line);
      return true;
    }
    return false;
  };

  /** Campaign and ad set ids, derived from the names when the export has none. */
  const readIds = (before: number): void => {
    campaignId = readId(c.campaignId, 'campaign_id');
    if (campaignId === '' && problems.length === before) {
      if (campaignName === '') report_('campaign_id', '', 'the row has neither a campaign id nor a campaign name');
      else {
        campaignId = nameId(campaignName);
        tally.derivedCampaign ??= [campaignName, campaignId];
      }
    }
    adsetId = readId(c.adsetId, 'adset_id');
    if (adsetId === '' && adsetName !== '') {
      adsetId = nameId(adsetName);
      tally.derivedAdset ??= [adsetName, adsetId];
    }
  };

  /** The day, the last day of the reporting period, or --date for an export without dates. */
  const readRowDate = (): void => {
    if (c.day >= 0) date = readDate(c.day, 'date');
    else if (c.start >= 0) {
      const start = readDate(c.start, 'reporting_start');
      const end = c.end >= 0 && text(cells[c.end]) !== '' ? readDate(c.end, 'reporting_end') : start;
      if (start !== '' && end !== '' && end !== start) {
        tally.periodRows++;
        tally.allSingleDay = false;
      }
      date = end !== '' ? end : start;
    } else date = options.date!;
  };

  /** Country, age and gender; false when the row is skipped as delivery Meta could not place. */
  const readBreakdowns = (): boolean => {
    country = '';
    age = '';
    gender = '';
    if (c.country >= 0) {
      const t = text(cells[c.country]);
      const key = normalised(t);
      if (UNKNOWN_TEXTS.has(key)) {
        skipped.add('unknown country ("Unknown"/"Desconocido": delivery Meta could not place in a country)', line);
        return false;
      }
      const code = countries.get(key);
      if (code === undefined) report_('country', t, t === '' ? 'country is empty' : 'country must be an ISO 3166-1 alpha-2 code or a country name in English or Spanish');
      else country = code;
    }
    if (c.age >= 0) {
      const t = text(cells[c.age]);
      if (UNKNOWN_TEXTS.has(normalised(t))) {
        skipped.add('unknown age ("Unknown"/"Desconocido": Meta could not tell the age)', line);
        return false;
      }
      const a = ageBucket(t.replace(/\s/g, '').replace(/[–—]/g, '-'));
      if (a === null) report_('age', t, `age must be one of Meta's buckets ${AGE_BUCKETS.join(', ')}`);
      else age = a;
    }
    if (c.gender >= 0) {
      const t = text(cells[c.gender]);
      const g = GENDER_BY_TEXT.get(normalised(t));
      if (g === undefined) report_('gender', t, 'gender must be male, female, unknown (hombre, mujer, desconocido) or All');
      else gender = g;
    }
    return true;
  };

  const readRowCurrency = (): void => {
    currency = fileCurrency;
    if (c.currency >= 0 && currency === null) {
      const t = text(cells[c.currency]);
      currency = t === '' ? validCurrency(options.currency ?? options.defaultCurrency) : validCurrency(t);
      if (currency === null) report_('currency', t, 'currency must be an ISO 4217 code such as EUR');
    }
  };

  const readMeasures = (): void => {
    impressions = count(c.impressions, 'impressions');
    if (impressions === null) report_('impressions', '', 'impressions is empty (unknown); a row needs its impressions');
    reach = count(c.reach, 'reach');
    clicks = count(c.clicks, 'clicks');
    if (clicks === null) {
      // Ads Manager leaves an action column empty when the action never happened.
      tally.emptyClicks++;
      clicks = 0;
    }
    conversions = count(c.purchases, 'conversions');
    if (c.purchases < 0 && c.results >= 0 && c.indicator >= 0) {
      conversions = PURCHASE_INDICATOR.test(normalised(text(cells[c.indicator]))) ? count(c.results, 'conversions') : null;
    }
    spendMinor = money(c.spend, 'spend', currency);
    if (spendMinor === null) report_('spend', '', 'spend is empty (unknown); a row needs its amount spent');
    revenueMinor = money(c.value, 'revenue', currency);
  };

  const checkAgainstImpressions = (): void => {
    if (typeof impressions === 'number' && typeof clicks === 'number' && clicks > impressions) {
      report_('clicks', cells[c.clicks], `clicks (${clicks}) exceed impressions (${impressions})`);
    }
    if (typeof impressions === 'number' && typeof reach === 'number' && reach > impressions) {
      report_('reach', cells[c.reach], `reach (${reach}) exceeds impressions (${impressions})`);
    }
  };

  /** A clean row: its campaign's name, its ad set's budget, and the row itself (summed with its key's). */
  const keep = (rowCurrency: string): void => {
    if (campaignName !== '' && !campaignNames.has(campaignId)) campaignNames.set(campaignId, campaignName);
    if (budgets !== null) {
      const cell = cells[c.budget];
      budgets.add({ campaignId, adsetId, date, currency: rowCurrency, line, budget: typeof cell === 'number' ? cell : cell === null || cell === undefined ? null : text(cell), type: c.budgetType >= 0 ? text(cells[c.budgetType]) : null });
    }
    merger.add({
      date, campaignId, adsetId,
      segmentType: adsetName !== '' ? 'interest' : '',
      segmentId: adsetName !== '' ? segmentIdOf(adsetName) : '',
      segmentName: adsetName,
      country, age, gender,
      impressions: impressions!, reach: reach ?? null, clicks: clicks!, conversions: conversions ?? null,
      spendMinor: spendMinor!, revenueMinor: revenueMinor ?? null, currency: rowCurrency,
    });
  };

  const read = (record: TableRecord): void => {
    cells = record.cells;
    line = record.line;
    const before = problems.length;
    if (!hasHeaderWidth() || isSummaryOrEmpty()) return;
    readIds(before);
    readRowDate();
    if (!readBreakdowns()) return;
    readRowCurrency();
    readMeasures();
    checkAgainstImpressions();
    if (problems.length !== before || currency === null) return;
    keep(currency);
  };

  return { read, skipped, campaignNames, merger, budgets, tally };
}

/** Interprets a table read from an Ads Manager export. Exported for the XLSX/CSV entry points and tests. */
export function interpretAdsManager(table: Table, fileType: 'csv' | 'xlsx', options: SourceOptions): SourceParseResult {
  const report = emptyReport(fileType, table.delimiter);
  const problems: RowProblem[] = table.broken.map((b) => ({ line: b.line, field: ROW_FIELD, value: '', message: b.message }));
  const rowsRead = table.records.length + table.broken.length;
  if (table.header.length === 0) {
    return { rows: [], problems, rowsRead, headerProblems: ['the file is empty: expected an Ads Manager export with a header line'], report, campaignNames: new Map() };
  }
  const h = readHeader(table.header, options);
  report.language = h.language;
  report.ignoredColumns = h.ignored;
  report.warnings.push(...h.warnings);
  report.currency = h.currency;
  report.currencySource = h.currencySource;
  if (h.problems.length > 0) return { rows: [], problems, rowsRead, headerProblems: h.problems, report, campaignNames: new Map() };

  const c = locateColumns(h.at);
  const decimal = decideFileDecimal(table, h.at, h.language, report);
  describeColumns(c, h.at, table.header, report);
  const reader = createRecordReader({ table, c, currency: h.currency, options, decimal, dayFirst: h.language === 'es', problems });
  let progress = 0;
  for (const record of table.records) {
    if (options.onProgress && ++progress % 10_000 === 0) options.onProgress(progress);
    reader.read(record);
  }

  const { merger, tally } = reader;
  if (tally.derivedCampaign) report.notes.push(`no campaign id: campaign ids are derived from the names ("name:" + slug + 8 hex digits of the name's SHA-1), e.g. "${tally.derivedCampaign[0]}" → ${tally.derivedCampaign[1]}`);
  if (tally.derivedAdset) report.notes.push(`no ad set id: ad set ids are derived from the names the same way, e.g. "${tally.derivedAdset[0]}" → ${tally.derivedAdset[1]}`);
  if (tally.periodRows > 0) report.notes.push(`${tally.periodRows} row(s) cover more than one day (Reporting starts ≠ Reporting ends): each is stored on its period's last day`);
  if (tally.emptyClicks > 0) report.notes.push(`${tally.emptyClicks} row(s) have an empty clicks cell, read as 0 clicks (Ads Manager leaves an action column empty when no one clicked)`);
  if (c.day < 0 && c.start < 0) report.notes.push(`the file has no dates: every row is stored on ${options.date} (--date)`);
  if (c.currency >= 0 && h.currency === null) report.currency = [...new Set(merger.rows.map((r) => r.currency))].sort().join(', ') || null;

  const breakdowns: Breakdowns = {
    day: c.day >= 0 || (c.start >= 0 && tally.allSingleDay && merger.rows.length > 0),
    country: c.country >= 0, age: c.age >= 0, gender: c.gender >= 0, adset: c.adsetName >= 0,
  };
  report.breakdowns = breakdowns;
  report.skippedRows = reader.skipped.list();
  report.mergedRows = merger.merged;
  report.capabilities = describeCapabilities(merger.rows, breakdowns);
  const budgetResult = reader.budgets?.result((minor, currency) => `${toMajor(minor, currency)} ${currency}`) ?? null;
  if (budgetResult !== null) {
    report.notes.push(...budgetResult.notes);
    report.warnings.push(...budgetResult.warnings);
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows: merger.rows, problems, rowsRead, headerProblems: [], report, campaignNames: reader.campaignNames, ...(budgetResult !== null && budgetResult.dailyBudgets.size > 0 ? { dailyBudgets: budgetResult.dailyBudgets } : {}) };
}

export async function parseAdsManagerCsv(input: string | AsyncIterable<Buffer | string>, options: SourceOptions): Promise<SourceParseResult> {
  return interpretAdsManager(await readCsvTable(input), 'csv', options);
}

export async function parseAdsManagerXlsx(file: string | Buffer, options: SourceOptions): Promise<SourceParseResult> {
  return interpretAdsManager(await readXlsxTable(file), 'xlsx', options);
}

/** True when a header looks like an Ads Manager export (used by format auto-detection). */
export function looksLikeAdsManager(header: readonly string[]): boolean {
  const meanings = new Set(header.map((h) => matchHeader(h)?.meaning));
  return meanings.has('spend') && meanings.has('impressions') && (meanings.has('campaignName') || meanings.has('campaignId') || meanings.has('adsetName'));
}
