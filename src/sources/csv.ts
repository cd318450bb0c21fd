// Streaming parser and validator for the canonical insights CSV. It collects every problem on every
// line instead of stopping at the first, so a user can fix a whole file in one pass, and it keeps
// only the rows that have no problem at all.
//
// The field rules (ids, dates, numbers, countries, ages, genders, currencies) are field-rules.ts,
// shared with the other importers. Speed: the per-row work is a few string comparisons and Map
// look-ups; currency validity (an Intl call) is cached per distinct text.

import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import type { CsvError, InfoRecord, Parser } from 'csv-parse';
import { parseMinor } from '../engine/money.ts';
import { AGE_BUCKETS, SEGMENT_TYPES } from '../engine/types.ts';
import type { AgeBucket, Gender, InsightRow, SegmentType } from '../engine/types.ts';
import {
  ageBucket, countryCode, currencyCode, DECIMAL_NUMBER, dateProblem, genderOf, isScientificNotation, localeNumberMessage,
  locateNamedColumns, looksLocaleFormatted, MAX_ID_LENGTH, NEGATIVE_NUMBER, scientificIdMessage, WHOLE_NUMBER,
} from './field-rules.ts';
import { RowKeys } from './row-keys.ts';

/**
 * The canonical columns, in the order the documentation lists them: whether a file must have the
 * column, and whether it is part of the key that identifies a row (two rows with equal values in
 * every key column describe the same delivery twice).
 */
const COLUMN_TABLE = [
  { column: 'date', required: true, key: true },
  { column: 'campaign_id', required: true, key: true },
  { column: 'adset_id', required: false, key: true },
  { column: 'segment_type', required: false, key: true },
  { column: 'segment_id', required: false, key: true },
  { column: 'segment_name', required: false, key: false },
  { column: 'country', required: false, key: true },
  { column: 'age', required: false, key: true },
  { column: 'gender', required: false, key: true },
  { column: 'impressions', required: true, key: false },
  { column: 'reach', required: false, key: false },
  { column: 'clicks', required: true, key: false },
  { column: 'conversions', required: false, key: false },
  { column: 'spend', required: true, key: false },
  { column: 'revenue', required: false, key: false },
  { column: 'currency', required: false, key: false },
  // The campaign's daily budget in major units; the value on its latest day is stored.
  { column: 'daily_budget', required: false, key: false },
  // The audience size of the row's segment (a real estimate, never inferred from delivery).
  { column: 'segment_size', required: false, key: false },
] as const;
type Column = (typeof COLUMN_TABLE)[number]['column'];
const COLUMNS: readonly Column[] = COLUMN_TABLE.map((c) => c.column);

export const CANONICAL_COLUMNS: readonly string[] = COLUMNS;
const REQUIRED_COLUMNS: readonly Column[] = COLUMN_TABLE.filter((c) => c.required).map((c) => c.column);
const KEY_COLUMNS: readonly Column[] = COLUMN_TABLE.filter((c) => c.key).map((c) => c.column);

/** `field` of a problem that concerns the whole line (CSV syntax, field count, duplicate key). */
export const ROW_FIELD = '(row)';

export interface RowProblem {
  /** 1-based physical line in the file (the header is line 1); a record with quoted newlines is reported at its first line. */
  line: number;
  /** The canonical column name, or ROW_FIELD when the problem concerns the whole line. */
  field: string;
  value: string;
  message: string;
}

export interface ParseOptions {
  /** ISO 4217 code used for rows whose currency cell is empty (or absent). */
  defaultCurrency: string;
  /** Called every 10,000 data rows. */
  onProgress?: (rowsRead: number) => void;
  /**
   * Takes each valid row as it is read, instead of `rows` keeping them all (an import writes them
   * while the rest of the file is read); `clean` is false once any line has had a problem.
   */
  onRow?: (row: InsightRow, clean: boolean) => void;
  /** The latest day a row may be dated (the importer's today, a day ahead for time zones): a later one is refused. */
  latestDate?: string;
}

export interface ParseResult {
  rows: InsightRow[];
  problems: RowProblem[];
  /** Data records read (valid or not), header and skipped empty lines excluded. */
  rowsRead: number;
  headerProblems: string[];
  /** Daily budgets in minor units by campaign, from a daily_budget column (its value on the campaign's latest day). */
  dailyBudgets?: ReadonlyMap<string, number>;
}

const PROGRESS_EVERY = 10_000;

// Maps from the cell text to the shared constant, so rows hold no per-row copy of these strings.
const SEGMENT_TYPE_BY_TEXT: ReadonlyMap<string, SegmentType> = new Map(SEGMENT_TYPES.map((t) => [t, t]));

type ColumnIndex = Record<Column, number>;

/** Maps each canonical column to its position in this file's header (-1 when absent). */
function readHeader(header: readonly string[]): { index: ColumnIndex; problems: string[] } {
  return locateNamedColumns(header, COLUMNS, REQUIRED_COLUMNS, 'canonical');
}

/** The per-file validation state and the function that turns one record into a row or problems. */
function createRowReader(index: ColumnIndex, width: number, defaultCurrency: string, problems: RowProblem[], dailyBudgets: Map<string, { date: string; minor: number; line: number }>, latestDate: string | undefined) {
  const seenKeys = new RowKeys();
  const campaignCurrency = new Map<string, { currency: string; line: number }>();
  // Rows keep their strings until the caller drops them; sharing one instance per distinct id, date and
  // name (a file repeats a few campaigns and ~30 dates over 100,000s of rows) lets the per-row copies die
  // young: on a 500,000-row file the collector's share of the time fell from about 25% to about 19%.
  const interned = new Map<string, string>();
  const intern = (text: string): string => {
    const known = interned.get(text);
    if (known !== undefined) return known;
    interned.set(text, text);
    return text;
  };
  const validDates = new Map<string, string>();
  let record: string[] = [];
  let line = 0;
  let segmentType: SegmentType | '' = '';
  let segmentId = '';
  let segmentName = '';

  const cell = (column: Column): string => {
    const i = index[column];
    return i < 0 ? '' : (record[i] ?? '');
  };
  const report = (field: string, value: string, message: string): void => {
    problems.push({ line, field, value, message });
  };

  const readDate = (): string => {
    const raw = cell('date');
    const text = raw.trim();
    const known = validDates.get(text);
    if (known !== undefined) return known;
    const problem = text === '' ? 'date is required' : dateProblem('date', text, latestDate);
    if (problem !== null) report('date', raw, problem);
    else validDates.set(text, text);
    return text;
  };

  const readId = (column: Column, required: boolean): string => {
    const raw = cell(column);
    const text = raw.trim();
    if (text === '') {
      if (required) report(column, raw, `${column} is required`);
    } else if (text.length > MAX_ID_LENGTH) {
      report(column, raw, `${column} is longer than ${MAX_ID_LENGTH} characters (${text.length})`);
    } else if (isScientificNotation(text)) {
      report(column, raw, scientificIdMessage(column, text));
    }
    return intern(text);
  };

  /** A non-negative whole number; null when empty and optional; -1 after reporting a problem. */
  const readCount = (column: Column, required: boolean): number | null => {
    const raw = cell(column);
    const text = raw.trim();
    if (WHOLE_NUMBER.test(text)) {
      const value = Number(text);
      if (Number.isSafeInteger(value)) return value;
      report(column, raw, `${column} is too large`);
      return -1;
    }
    if (text === '') {
      if (!required) return null;
      report(column, raw, `${column} is required`);
    } else if (NEGATIVE_NUMBER.test(text)) report(column, raw, `${column} must not be negative`);
    else if (looksLocaleFormatted(text)) report(column, raw, localeNumberMessage(column));
    else if (DECIMAL_NUMBER.test(text)) report(column, raw, `${column} must be a whole number`);
    else report(column, raw, `${column} must be a non-negative whole number`);
    return -1;
  };

  /** Major units to minor units; null when empty and optional; -1 after reporting a problem (or when currency is unusable). */
  const readMoney = (column: Column, required: boolean, currency: string | null): number | null => {
    const raw = cell(column);
    const text = raw.trim();
    if (DECIMAL_NUMBER.test(text)) {
      if (currency === null) return -1;
      const minor = parseMinor(text, currency);
      if (minor !== null) return minor;
      report(column, raw, `${column} is too large`);
      return -1;
    }
    if (text === '') {
      if (!required) return null;
      report(column, raw, `${column} is required`);
    } else if (NEGATIVE_NUMBER.test(text)) report(column, raw, `${column} must not be negative`);
    else if (looksLocaleFormatted(text)) report(column, raw, localeNumberMessage(column));
    else report(column, raw, `${column} must be a non-negative decimal number in major units (e.g. 12.50)`);
    return -1;
  };

  /** Sets segmentType, segmentId and segmentName (no object per row: this runs 100,000s of times). */
  const readSegment = (): void => {
    const rawType = cell('segment_type');
    const typeText = rawType.trim();
    segmentType = SEGMENT_TYPE_BY_TEXT.get(typeText) ?? SEGMENT_TYPE_BY_TEXT.get(typeText.toLowerCase()) ?? '';
    if (typeText !== '' && segmentType === '') {
      report('segment_type', rawType, `segment_type must be one of ${SEGMENT_TYPES.join(', ')}, or empty for a plain row`);
    }
    segmentId = readId('segment_id', segmentType !== '');
    const rawName = cell('segment_name');
    const name = rawName.trim();
    if (typeText === '') {
      if (segmentId !== '') report('segment_id', cell('segment_id'), 'segment_id must be empty when segment_type is empty (a plain row belongs to no segment)');
      if (name !== '') report('segment_name', rawName, 'segment_name must be empty when segment_type is empty (a plain row belongs to no segment)');
    }
    segmentName = name === '' ? segmentId : intern(name);
  };

  const readCountry = (): string => {
    const raw = cell('country');
    const text = raw.trim();
    if (text === '') return '';
    const code = countryCode(text);
    if (code !== null) return code;
    const hint = text.toUpperCase() === 'UK' ? ' (the United Kingdom is GB)' : '';
    report('country', raw, `country must be an ISO 3166-1 alpha-2 code (e.g. ES) or empty${hint}`);
    return text;
  };

  const readAge = (): AgeBucket | '' => {
    const raw = cell('age');
    const text = raw.trim();
    if (text === '') return '';
    const age = ageBucket(text);
    if (age !== null) return age;
    report('age', raw, `age must be one of ${AGE_BUCKETS.join(', ')}, or empty`);
    return '';
  };

  const readGender = (): Gender | '' => {
    const raw = cell('gender');
    const text = raw.trim();
    if (text === '') return '';
    const gender = genderOf(text);
    if (gender !== null) return gender;
    report('gender', raw, 'gender must be male, female, unknown (or m, f, u), or empty');
    return '';
  };

  const readCurrency = (): string | null => {
    const raw = cell('currency');
    const text = raw.trim();
    if (text === '') return defaultCurrency;
    const code = currencyCode(text);
    if (code === null) report('currency', raw, 'currency must be an ISO 4217 code (e.g. EUR) or empty for the default currency');
    return code;
  };

  // The row being read: set by the steps below (no object per row: this runs 100,000s of times).
  let date = '';
  let campaignId = '';
  let adsetId = '';
  let country = '';
  let age: AgeBucket | '' = '';
  let gender: Gender | '' = '';
  let impressions: number | null = null;
  let reach: number | null = null;
  let clicks: number | null = null;
  let conversions: number | null = null;
  let currency: string | null = null;
  let spendMinor: number | null = null;
  let revenueMinor: number | null = null;
  let budgetMinor: number | null = null;
  let segmentSize: number | null = null;

  const hasHeaderWidth = (): boolean => {
    if (record.length === width) return true;
    report(ROW_FIELD, record.join(','), `the line has ${record.length} fields but the header has ${width}`);
    return false;
  };

  /** The columns that identify the row; true when every one of them is valid. */
  const readKey = (): boolean => {
    const before = problems.length;
    date = readDate();
    campaignId = readId('campaign_id', true);
    adsetId = readId('adset_id', false);
    readSegment();
    country = readCountry();
    age = readAge();
    gender = readGender();
    return problems.length === before;
  };

  const readMeasures = (): void => {
    impressions = readCount('impressions', true);
    reach = readCount('reach', false);
    clicks = readCount('clicks', true);
    conversions = readCount('conversions', false);
    currency = readCurrency();
    spendMinor = readMoney('spend', true, currency);
    revenueMinor = readMoney('revenue', false, currency);
    budgetMinor = readMoney('daily_budget', false, currency);
    if (budgetMinor === 0) report('daily_budget', cell('daily_budget'), 'daily_budget must be greater than zero (leave it empty when unknown)');
    segmentSize = readCount('segment_size', false);
    if (segmentSize !== null && segmentSize >= 0) {
      if (segmentType === '') report('segment_size', cell('segment_size'), 'segment_size is the audience size of the row\'s segment: the row has no segment_type');
      else if (segmentSize === 0) report('segment_size', cell('segment_size'), 'segment_size must be above 0 (leave it empty when the size is unknown)');
    }
  };

  /** Clicks and reach cannot exceed impressions. */
  const checkAgainstImpressions = (): void => {
    if (impressions === null || impressions < 0) return;
    if (clicks !== null && clicks > impressions) {
      report('clicks', cell('clicks'), `clicks (${clicks}) exceed impressions (${impressions})`);
    }
    if (reach !== null && reach > impressions) {
      report('reach', cell('reach'), `reach (${reach}) exceeds impressions (${impressions}): every person reached saw at least one impression`);
    }
  };

  const checkDuplicateKey = (): void => {
    const key = `${date}\u0001${campaignId}\u0001${adsetId}\u0001${segmentType}\u0001${segmentId}\u0001${country}\u0001${age}\u0001${gender}`;
    const first = seenKeys.firstLine(key, line);
    if (first !== undefined) {
      const value = KEY_COLUMNS.map((c) => cell(c)).join(',');
      report(ROW_FIELD, value, `duplicate of line ${first} (same ${KEY_COLUMNS.join(', ')})`);
    }
  };

  const checkCampaignCurrency = (): void => {
    if (currency === null || campaignId === '') return;
    const known = campaignCurrency.get(campaignId);
    if (known === undefined) campaignCurrency.set(campaignId, { currency, line });
    else if (known.currency !== currency) {
      report('currency', cell('currency'), `campaign "${campaignId}" is in ${known.currency} (since line ${known.line}); a campaign must have one currency throughout the file, this line says ${currency}`);
    }
  };

  /** Keeps a valid row's daily budget; false (after reporting) when it contradicts the same day's. */
  const keepBudget = (): boolean => {
    if (budgetMinor === null) return true;
    // A budget can change over a file's days: the latest day's is the campaign's budget now.
    const known = dailyBudgets.get(campaignId);
    if (known === undefined || date > known.date) dailyBudgets.set(campaignId, { date, minor: budgetMinor, line });
    else if (date === known.date && budgetMinor !== known.minor) {
      report('daily_budget', cell('daily_budget'), `daily_budget differs from line ${known.line}, the same campaign's budget on the same day`);
      return false;
    }
    return true;
  };

  const toRow = (): InsightRow => {
    const row: InsightRow = {
      date, campaignId, adsetId, segmentType, segmentId, segmentName, country, age, gender,
      impressions: impressions!, reach, clicks: clicks!, conversions,
      spendMinor: spendMinor!, revenueMinor, currency: currency!,
    };
    // Set only when given: a spread of a conditional object here took about 5 % of the reading time.
    if (segmentSize !== null) row.segmentSize = segmentSize;
    return row;
  };

  /** Every cell is text the store can hold: no NUL character, and bytes that were UTF-8. */
  const hasReadableText = (): boolean => {
    const before = problems.length;
    for (const column of COLUMNS) {
      const raw = cell(column);
      if (raw.includes('\u0000')) report(column, raw.replaceAll('\u0000', '\\0'), `${column} holds a NUL character (a binary or damaged file?)`);
      else if (raw.includes('\uFFFD')) report(column, raw, `${column} holds bytes that are not UTF-8: save the file as UTF-8 (in Excel, "CSV UTF-8")`);
    }
    return problems.length === before;
  };

  return (fields: string[], physicalLine: number): InsightRow | null => {
    record = fields;
    line = physicalLine;
    const before = problems.length;
    if (!hasHeaderWidth() || !hasReadableText()) return null;
    const keyIsValid = readKey();
    readMeasures();
    checkAgainstImpressions();
    if (keyIsValid) checkDuplicateKey();
    checkCampaignCurrency();
    if (problems.length !== before || currency === null) return null;
    return keepBudget() ? toRow() : null;
  };
}

/** Line breaks inside one field, and how many of them are CRLF pairs (csv-parse counts those twice). */
function countBreaks(text: string): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) breaks++;
    else if (c === 13) {
      breaks++;
      if (text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      }
    }
  }
  return { breaks, crlf };
}

// Most files are plain CSV: each line one record, each field either unquoted and without quotes or
// quoted and closed on the same line. Those lines are split here, several times faster than
// csv-parse, which was most of an import's reading time. At the first line that is anything else (a
// field over several lines, a stray quote, a lone CR) csv-parse reads the rest of the file, so its
// rules and messages stay the only ones.
const QUOTE = 34;
const COMMA = 44;

/** The fields of one plain line (without its line break), as csv-parse reads them; null when the line is not plain. */
export function plainFields(line: string): string[] | null {
  if (line.includes('\r')) return null;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const close = line.indexOf('"', from);
        if (close < 0) return null; // the field goes on past the line's end
        value += line.slice(from, close);
        if (line.charCodeAt(close + 1) !== QUOTE) {
          i = close + 1;
          break;
        }
        value += '"'; // "" is a quote inside the field
        from = close + 2;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== COMMA) return null; // text after the closing quote
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return null; // a quote inside an unquoted field
      fields.push(value);
      if (end === line.length) return fields;
      i = end + 1;
    }
  }
}

type ReadPlainLines = (text: string, final: boolean) => { stop: number; plain: boolean };

const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * Gives the text of `input` (without a BOM) to `readPlain` until it stops at a line that is not
 * plain, and the rest of the text, from that line, to the csv-parse parser `startCsvParse` makes.
 * `finish` runs when the plain lines were the whole file (csv-parse calls it otherwise).
 */
function feedText(input: NodeJS.ReadableStream | string, readPlain: ReadPlainLines, startCsvParse: () => Parser, finish: () => void, reject: (error: Error) => void): void {
  if (typeof input === 'string') {
    const text = withoutBom(input);
    const read = readPlain(text, true);
    if (read.plain) finish();
    else startCsvParse().end(text.slice(read.stop));
    return;
  }
  const decoder = new StringDecoder('utf8');
  let pending = ''; // the start of a line the next chunk continues
  let first = true;
  let parser: Parser | null = null;
  const forward = (text: string): void => {
    if (parser!.write(text)) return;
    input.pause();
    parser!.once('drain', () => input.resume());
  };
  input.on('error', (error: Error) => (parser === null ? reject(error) : parser.destroy(error)));
  input.on('data', (chunk: Buffer | string) => {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (parser !== null) return forward(text);
    if (first && text !== '') {
      first = false;
      text = withoutBom(text);
    }
    text = pending + text;
    const read = readPlain(text, false);
    pending = text.slice(read.stop);
    if (read.plain) return;
    parser = startCsvParse();
    forward(pending);
    pending = '';
  });
  input.on('end', () => {
    const rest = pending + decoder.end();
    if (parser !== null) {
      parser.end(rest);
      return;
    }
    const text = first ? withoutBom(rest) : rest;
    const read = readPlain(text, true);
    if (read.plain) finish();
    else startCsvParse().end(text.slice(read.stop));
  });
}

export function parseCanonicalCsv(input: NodeJS.ReadableStream | string, options: ParseOptions): Promise<ParseResult> {
  const defaultCurrency = currencyCode(options.defaultCurrency.trim());
  if (defaultCurrency === null) {
    return Promise.reject(new RangeError(`defaultCurrency must be an ISO 4217 code, got "${options.defaultCurrency}"`));
  }
  const rows: InsightRow[] = [];
  const problems: RowProblem[] = [];
  const headerProblems: string[] = [];
  const budgets = new Map<string, { date: string; minor: number; line: number }>();
  let rowsRead = 0;
  let readRow: ((fields: string[], line: number) => InsightRow | null) | null = null;
  let headerSeen = false;
  // Physical lines read as plain lines, and the last of them that held a record.
  let plainLines = 0;
  let lastPlainRecord = 0;
  // csv-parse counts a CRLF inside a quoted field as two lines; this is how many it has over-counted so far.
  let overcount = 0;
  let lastEnd = 0;
  let lastEmpty = 0;

  const countRead = (): void => {
    rowsRead++;
    if (rowsRead % PROGRESS_EVERY === 0) options.onProgress?.(rowsRead);
  };

  const readRecord = (record: string[], line: number): void => {
    if (!headerSeen) {
      headerSeen = true;
      const header = readHeader(record);
      headerProblems.push(...header.problems);
      if (header.problems.length === 0) readRow = createRowReader(header.index, record.length, defaultCurrency, problems, budgets, options.latestDate);
      return;
    }
    if (readRow === null) return; // header problems: the rows cannot be interpreted
    countRead();
    const row = readRow(record, line);
    if (row === null) return;
    if (options.onRow) options.onRow(row, problems.length === 0);
    else rows.push(row);
  };

  /**
   * Reads the plain lines of `text` from its start; returns where it stopped: at the first line that
   * is not plain, or (unless `final`) at the last line, which the next chunk may continue.
   */
  const readPlainLines: ReadPlainLines = (text, final) => {
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf('\n', start);
      if (newline < 0 && !final) return { stop: start, plain: true };
      const end = newline < 0 ? text.length : newline;
      const line = newline > start && text.charCodeAt(newline - 1) === 13 ? text.slice(start, newline - 1) : text.slice(start, end);
      if (line !== '') {
        const fields = plainFields(line);
        if (fields === null) return { stop: start, plain: false };
        lastPlainRecord = plainLines + 1;
        readRecord(fields, lastPlainRecord);
      }
      plainLines++;
      start = end + 1;
    }
    return { stop: text.length, plain: true };
  };

  return new Promise<ParseResult>((resolve, reject) => {
    const finish = (): void => {
      if (!headerSeen) headerProblems.push(`the file is empty: expected a header line with the columns ${COLUMNS.join(',')}`);
      // Stable: keeps each line's problems in column order.
      problems.sort((a, b) => a.line - b.line);
      const dailyBudgets = new Map([...budgets].map(([id, b]) => [id, b.minor]));
      resolve({ rows, problems, rowsRead, headerProblems, ...(dailyBudgets.size > 0 ? { dailyBudgets } : {}) });
    };

    /**
     * csv-parse for the rest of the file, from the first line that is not plain. It is first given
     * an empty line for each plain one (it skips them), so it counts lines, in its messages too, as
     * if it had read the file from the start.
     */
    const startCsvParse = (): Parser => {
      // As if csv-parse had read the plain lines: its last record there, every line until it empty.
      lastEnd = lastPlainRecord;
      lastEmpty = lastPlainRecord;
      const parser = parse({
        bom: true,
        info: true,
        skip_empty_lines: true,
        relax_column_count: true,
        skip_records_with_error: true,
        // Both, so a file that mixes CRLF and LF lines (two exports concatenated) still reads line by line.
        record_delimiter: ['\r\n', '\n'],
      });

      parser.on('data', (chunk: { record: string[]; info: InfoRecord }) => {
        const { record, info } = chunk;
        // Fast path: the record ends exactly one line (plus skipped empty lines) after the previous one.
        let end = info.lines - overcount;
        let line = end;
        if (end !== lastEnd + 1 + (info.empty_lines - lastEmpty)) {
          let breaks = 0;
          for (const field of record) {
            const counted = countBreaks(field);
            breaks += counted.breaks;
            overcount += counted.crlf;
          }
          end = info.lines - overcount;
          line = end - breaks;
        }
        lastEnd = end;
        lastEmpty = info.empty_lines;
        readRecord(record, line);
      });

      parser.on('skip', (error: CsvError) => {
        const counted = typeof error.lines === 'number' ? error.lines - overcount : lastEnd + 1;
        const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lastEnd + 1 : counted;
        const message = error.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'not valid CSV: a quoted field starting on or after this line is never closed, so the rest of the file could not be read'
          : `not valid CSV: ${error.message}`;
        lastEnd = line;
        if (!headerSeen) {
          headerSeen = true;
          headerProblems.push(`the header line is ${message}`);
          return;
        }
        if (readRow === null) return;
        countRead();
        problems.push({ line, field: ROW_FIELD, value: '', message });
      });

      parser.on('error', reject);
      parser.on('end', finish);
      parser.write('\n'.repeat(plainLines));
      return parser;
    };

    feedText(input, readPlainLines, startCsvParse, finish, reject);
  });
}
