// Streaming parser and validator for the canonical insights CSV. It collects every problem on every
// line instead of stopping at the first, so a user can fix a whole file in one pass, and it keeps
// only the rows that have no problem at all.
//
// Speed: all regexes are compiled once at module load and the per-row work is a few string
// comparisons and Map look-ups; currency validity (an Intl call) is cached per distinct text.

import { parse } from 'csv-parse';
import type { CsvError, InfoRecord } from 'csv-parse';
import { isCurrencyCode, parseMinor } from '../engine/money.ts';
import { AGE_BUCKETS, GENDERS, SEGMENT_TYPES } from '../engine/types.ts';
import type { AgeBucket, Gender, InsightRow, SegmentType } from '../engine/types.ts';

const COLUMNS = [
  'date', 'campaign_id', 'adset_id', 'segment_type', 'segment_id', 'segment_name', 'country', 'age', 'gender',
  'impressions', 'reach', 'clicks', 'conversions', 'spend', 'revenue', 'currency',
  // Optional: the campaign's daily budget in major units; the value on its latest day is stored.
  'daily_budget',
  // Optional: the audience size of the row's segment (a real estimate, never inferred from delivery).
  'segment_size',
] as const;
type Column = (typeof COLUMNS)[number];

export const CANONICAL_COLUMNS: readonly string[] = COLUMNS;
const REQUIRED_COLUMNS: readonly Column[] = ['date', 'campaign_id', 'impressions', 'clicks', 'spend'];
/** The columns that identify a row; two rows with equal values here describe the same delivery twice. */
const KEY_COLUMNS: readonly Column[] = ['date', 'campaign_id', 'adset_id', 'segment_type', 'segment_id', 'country', 'age', 'gender'];

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
const MAX_ID_LENGTH = 128;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WHOLE = /^\d+(?:\.0+)?$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const NEGATIVE = /^-(?:\d+(?:\.\d*)?|\.\d+)$/;
// Digit groups of three split by a separator: "1,250.50", "1.250,50", "1 250", "1'250", or "7.350" in a count.
const GROUPED = /^[+-]?\d{1,3}(?:[.,' \u00a0\u202f]\d{3})+(?:[.,]\d+)?$/;
// What a spreadsheet shows for a long numeric id such as 120253000000000017: "1.20253E+17".
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

// Maps from the cell text to the shared constant, so rows hold no per-row copy of these strings.
const SEGMENT_TYPE_BY_TEXT: ReadonlyMap<string, SegmentType> = new Map(SEGMENT_TYPES.map((t) => [t, t]));
const AGE_BY_TEXT: ReadonlyMap<string, AgeBucket> = new Map(AGE_BUCKETS.map((a) => [a, a]));
const GENDER_ALIASES: ReadonlyMap<string, Gender> = new Map<string, Gender>([
  ...GENDERS.map((g): [string, Gender] => [g, g]),
  ['m', 'male'], ['f', 'female'], ['u', 'unknown'],
]);

// ISO 3166-1 alpha-2, the 249 officially assigned codes. XK (Kosovo) is user-assigned, not ISO, but
// Meta reports and targets it as a country, so a Meta export would otherwise lose those rows.
export const COUNTRIES: ReadonlySet<string> = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS ' +
    'MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS ' +
    'RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW ' +
    'TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK').split(' '),
);
const COUNTRY_BY_TEXT: ReadonlyMap<string, string> = new Map([...COUNTRIES].map((c) => [c, c]));

// isCurrencyCode accepts any well-formed code Intl can format ("ABC" too); the platform's list of
// supported currencies rules out the invented ones. One Intl call per distinct text, not per cell.
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const currencyCache = new Map<string, string | null>();
function normaliseCurrency(text: string): string | null {
  let code = currencyCache.get(text);
  if (code === undefined) {
    const upper = text.toUpperCase();
    code = KNOWN_CURRENCIES.has(upper) && isCurrencyCode(upper) ? upper : null;
    currencyCache.set(text, code);
  }
  return code;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

function looksLocaleFormatted(text: string): boolean {
  return text.includes(',') || GROUPED.test(text);
}

function localeMessage(field: string): string {
  return `${field} is not a canonical number: the canonical format uses a dot decimal separator and no thousands separator (write 1250.50, not 1,250.50 or 1.250,50)`;
}

type ColumnIndex = Record<Column, number>;

/** Maps each canonical column to its position in this file's header (-1 when absent). */
function readHeader(header: readonly string[]): { index: ColumnIndex; problems: string[] } {
  const index = Object.fromEntries(COLUMNS.map((c) => [c, -1])) as ColumnIndex;
  const known: ReadonlySet<string> = new Set(COLUMNS);
  const problems: string[] = [];
  header.forEach((raw, position) => {
    const name = raw.trim();
    if (!known.has(name)) {
      const hint = known.has(name.toLowerCase()) ? ` (column names are lower case: "${name.toLowerCase()}")` : '';
      problems.push(`unknown column "${name}" at position ${position + 1}${hint}; the canonical columns are ${COLUMNS.join(',')}`);
      return;
    }
    const column = name as Column;
    if (index[column] >= 0) {
      problems.push(`duplicate column "${name}" at positions ${index[column] + 1} and ${position + 1}`);
      return;
    }
    index[column] = position;
  });
  for (const column of REQUIRED_COLUMNS) {
    if (index[column] < 0) problems.push(`missing required column "${column}"`);
  }
  return { index, problems };
}

/** The per-file validation state and the function that turns one record into a row or problems. */
function createRowReader(index: ColumnIndex, width: number, defaultCurrency: string, problems: RowProblem[], dailyBudgets: Map<string, { date: string; minor: number; line: number }>) {
  const seenKeys = new Map<string, number>();
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
    if (text === '') report('date', raw, 'date is required');
    else if (!isCalendarDate(text)) report('date', raw, 'date must be a real calendar date written YYYY-MM-DD');
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
    } else if (SCIENTIFIC.test(text)) {
      report(column, raw, `${column} "${text}" is in scientific notation: the id was mangled by a spreadsheet, which rounded its digits; re-export the ids as text`);
    }
    return intern(text);
  };

  /** A non-negative whole number; null when empty and optional; -1 after reporting a problem. */
  const readCount = (column: Column, required: boolean): number | null => {
    const raw = cell(column);
    const text = raw.trim();
    if (WHOLE.test(text)) {
      const value = Number(text);
      if (Number.isSafeInteger(value)) return value;
      report(column, raw, `${column} is too large`);
      return -1;
    }
    if (text === '') {
      if (!required) return null;
      report(column, raw, `${column} is required`);
    } else if (NEGATIVE.test(text)) report(column, raw, `${column} must not be negative`);
    else if (looksLocaleFormatted(text)) report(column, raw, localeMessage(column));
    else if (DECIMAL.test(text)) report(column, raw, `${column} must be a whole number`);
    else report(column, raw, `${column} must be a non-negative whole number`);
    return -1;
  };

  /** Major units to minor units; null when empty and optional; -1 after reporting a problem (or when currency is unusable). */
  const readMoney = (column: Column, required: boolean, currency: string | null): number | null => {
    const raw = cell(column);
    const text = raw.trim();
    if (DECIMAL.test(text)) {
      if (currency === null) return -1;
      const minor = parseMinor(text, currency);
      if (minor !== null) return minor;
      report(column, raw, `${column} is too large`);
      return -1;
    }
    if (text === '') {
      if (!required) return null;
      report(column, raw, `${column} is required`);
    } else if (NEGATIVE.test(text)) report(column, raw, `${column} must not be negative`);
    else if (looksLocaleFormatted(text)) report(column, raw, localeMessage(column));
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
    const code = COUNTRY_BY_TEXT.get(text) ?? text.toUpperCase();
    if (!COUNTRIES.has(code)) {
      const hint = code === 'UK' ? ' (the United Kingdom is GB)' : '';
      report('country', raw, `country must be an ISO 3166-1 alpha-2 code (e.g. ES) or empty${hint}`);
    }
    return code;
  };

  const readAge = (): AgeBucket | '' => {
    const raw = cell('age');
    const text = raw.trim();
    if (text === '') return '';
    const age = AGE_BY_TEXT.get(text);
    if (age !== undefined) return age;
    report('age', raw, `age must be one of ${AGE_BUCKETS.join(', ')}, or empty`);
    return '';
  };

  const readGender = (): Gender | '' => {
    const raw = cell('gender');
    const text = raw.trim();
    if (text === '') return '';
    const gender = GENDER_ALIASES.get(text) ?? GENDER_ALIASES.get(text.toLowerCase());
    if (gender !== undefined) return gender;
    report('gender', raw, 'gender must be male, female, unknown (or m, f, u), or empty');
    return '';
  };

  const readCurrency = (): string | null => {
    const raw = cell('currency');
    const text = raw.trim();
    if (text === '') return defaultCurrency;
    const code = normaliseCurrency(text);
    if (code === null) report('currency', raw, 'currency must be an ISO 4217 code (e.g. EUR) or empty for the default currency');
    return code;
  };

  return (fields: string[], physicalLine: number): InsightRow | null => {
    record = fields;
    line = physicalLine;
    const before = problems.length;
    if (fields.length !== width) {
      report(ROW_FIELD, fields.join(','), `the line has ${fields.length} fields but the header has ${width}`);
      return null;
    }

    const date = readDate();
    const campaignId = readId('campaign_id', true);
    const adsetId = readId('adset_id', false);
    readSegment();
    const country = readCountry();
    const age = readAge();
    const gender = readGender();
    const keyIsValid = problems.length === before;

    const impressions = readCount('impressions', true);
    const reach = readCount('reach', false);
    const clicks = readCount('clicks', true);
    const conversions = readCount('conversions', false);
    const currency = readCurrency();
    const spendMinor = readMoney('spend', true, currency);
    const revenueMinor = readMoney('revenue', false, currency);
    const budgetMinor = readMoney('daily_budget', false, currency);
    if (budgetMinor === 0) report('daily_budget', cell('daily_budget'), 'daily_budget must be greater than zero (leave it empty when unknown)');
    const segmentSize = readCount('segment_size', false);
    if (segmentSize !== null && segmentSize >= 0) {
      if (segmentType === '') report('segment_size', cell('segment_size'), 'segment_size is the audience size of the row\'s segment: the row has no segment_type');
      else if (segmentSize === 0) report('segment_size', cell('segment_size'), 'segment_size must be above 0 (leave it empty when the size is unknown)');
    }

    if (impressions !== null && impressions >= 0) {
      if (clicks !== null && clicks > impressions) {
        report('clicks', cell('clicks'), `clicks (${clicks}) exceed impressions (${impressions})`);
      }
      if (reach !== null && reach > impressions) {
        report('reach', cell('reach'), `reach (${reach}) exceeds impressions (${impressions}): every person reached saw at least one impression`);
      }
    }

    if (keyIsValid) {
      const key = `${date}\u0001${campaignId}\u0001${adsetId}\u0001${segmentType}\u0001${segmentId}\u0001${country}\u0001${age}\u0001${gender}`;
      const first = seenKeys.get(key);
      if (first === undefined) seenKeys.set(key, line);
      else {
        const value = KEY_COLUMNS.map((c) => cell(c)).join(',');
        report(ROW_FIELD, value, `duplicate of line ${first} (same ${KEY_COLUMNS.join(', ')})`);
      }
    }

    if (currency !== null && campaignId !== '') {
      const known = campaignCurrency.get(campaignId);
      if (known === undefined) campaignCurrency.set(campaignId, { currency, line });
      else if (known.currency !== currency) {
        report('currency', cell('currency'), `campaign "${campaignId}" is in ${known.currency} (since line ${known.line}); a campaign must have one currency throughout the file, this line says ${currency}`);
      }
    }

    if (problems.length !== before || currency === null) return null;
    if (budgetMinor !== null) {
      // A budget can change over a file's days: the latest day's is the campaign's budget now.
      const known = dailyBudgets.get(campaignId);
      if (known === undefined || date > known.date) dailyBudgets.set(campaignId, { date, minor: budgetMinor, line });
      else if (date === known.date && budgetMinor !== known.minor) {
        report('daily_budget', cell('daily_budget'), `daily_budget differs from line ${known.line}, the same campaign's budget on the same day`);
        return null;
      }
    }
    return {
      date, campaignId, adsetId, segmentType, segmentId, segmentName, country, age, gender,
      impressions: impressions!, reach, clicks: clicks!, conversions,
      spendMinor: spendMinor!, revenueMinor, currency,
      ...(segmentSize === null ? {} : { segmentSize }),
    };
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

export function parseCanonicalCsv(input: NodeJS.ReadableStream | string, options: ParseOptions): Promise<ParseResult> {
  const defaultCurrency = normaliseCurrency(options.defaultCurrency.trim());
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
  // csv-parse counts a CRLF inside a quoted field as two lines; this is how many it has over-counted so far.
  let overcount = 0;
  let lastEnd = 0;
  let lastEmpty = 0;

  const countRead = (): void => {
    rowsRead++;
    if (rowsRead % PROGRESS_EVERY === 0) options.onProgress?.(rowsRead);
  };

  return new Promise<ParseResult>((resolve, reject) => {
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

      if (!headerSeen) {
        headerSeen = true;
        const header = readHeader(record);
        headerProblems.push(...header.problems);
        if (header.problems.length === 0) readRow = createRowReader(header.index, record.length, defaultCurrency, problems, budgets);
        return;
      }
      if (readRow === null) return; // header problems: the rows cannot be interpreted
      countRead();
      const row = readRow(record, line);
      if (row !== null) rows.push(row);
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
    parser.on('end', () => {
      if (!headerSeen) headerProblems.push(`the file is empty: expected a header line with the columns ${COLUMNS.join(',')}`);
      // Stable: keeps each line's problems in column order.
      problems.sort((a, b) => a.line - b.line);
      const dailyBudgets = new Map([...budgets].map(([id, b]) => [id, b.minor]));
      resolve({ rows, problems, rowsRead, headerProblems, ...(dailyBudgets.size > 0 ? { dailyBudgets } : {}) });
    });

    if (typeof input === 'string') parser.end(input);
    else {
      input.on('error', (error: Error) => parser.destroy(error));
      input.pipe(parser);
    }
  });
}
