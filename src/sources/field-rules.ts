// The field rules every importer shares: what an id, a date, a count, an amount, a country, an age
// bucket, a gender and a currency may be. Each importer keeps its own problem messages (a user of
// the canonical CSV reads "campaign_id", one of an Ads Manager export reads its own headers), but
// the rules behind them live here once, so the formats cannot drift apart.
//
// Speed: the canonical import calls these 100,000s of times; the regexes are compiled once and the
// look-ups are Maps keyed by the cell text.

import { isCurrencyCode } from '../engine/money.ts';
import { AGE_BUCKETS, GENDERS } from '../engine/types.ts';
import type { AgeBucket, Gender } from '../engine/types.ts';

/** The longest id (campaign, ad set, segment, event name) any importer accepts. */
export const MAX_ID_LENGTH = 128;
/** The longest free-text name (a pixel content category) accepted. */
export const MAX_NAME_LENGTH = 256;

// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const CONTROL = /[\u0000-\u001f\u007f]/;
/** True when the text holds a control character (a tab, a line break, NUL, DEL). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

// What a spreadsheet shows for a long numeric id such as 120253000000000017: "1.20253E+17".
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
/** True when an id reads like a spreadsheet's scientific notation, i.e. its digits were rounded. */
export function isScientificNotation(text: string): boolean {
  return SCIENTIFIC.test(text);
}

export function scientificIdMessage(field: string, text: string): string {
  return `${field} "${text}" is in scientific notation: the id was mangled by a spreadsheet, which rounded its digits; re-export the ids as text`;
}

/**
 * The text of an id a spreadsheet stored as a number, or null when the number may have been
 * rounded: spreadsheets keep 15 significant digits, so an id of 16 or more digits may be wrong.
 */
export function numericIdText(cell: number): string | null {
  return Number.isSafeInteger(cell) && cell >= 0 && cell < 1e15 ? String(cell) : null;
}

export function roundedNumericIdMessage(field: string, cell: number): string {
  return `${field} ${cell} was stored as a number by a spreadsheet, which keeps only 15 significant digits, so the id may have been rounded; re-export the ids as text`;
}

// Dates.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * The earliest year any importer accepts. No ad delivery predates it, so a year such as 0024 or
 * 1024 is a typo for 2024 that would otherwise be stored as a real day far outside every window.
 */
export const EARLIEST_DATA_YEAR = 2000;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The date as YYYY-MM-DD when year, month and day name a real (proleptic Gregorian) day from earliestYear on; otherwise null. */
export function calendarDate(year: number, month: number, day: number, earliestYear = EARLIEST_DATA_YEAR): string | null {
  if (!(year >= earliestYear) || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** True for a real calendar day written YYYY-MM-DD. */
export function isCalendarDate(text: string, earliestYear = EARLIEST_DATA_YEAR): boolean {
  const m = ISO_DATE.exec(text);
  return m !== null && calendarDate(Number(m[1]), Number(m[2]), Number(m[3]), earliestYear) !== null;
}

/** What is wrong with a date cell written YYYY-MM-DD, naming its field; null when it is a real day from EARLIEST_DATA_YEAR on, and not after `latest` when given. */
export function dateProblem(field: string, text: string, latest?: string): string | null {
  const m = ISO_DATE.exec(text);
  if (m === null || calendarDate(Number(m[1]), Number(m[2]), Number(m[3]), 1) === null) return `${field} must be a real calendar date written YYYY-MM-DD`;
  if (Number(m[1]) < EARLIEST_DATA_YEAR) return `${field} is in the year ${m[1]}, before ${EARLIEST_DATA_YEAR}: no ad delivery is that old (a mistyped year?)`;
  return lateDateProblem(field, text, latest);
}

/**
 * What is wrong with a real day (YYYY-MM-DD) after `latest`, the latest day delivery can have
 * reached; null when it is not later or no latest day is given. Every importer refuses such a day:
 * a mistyped year such as 2062 would end every run's window there, leaving the real history out.
 */
export function lateDateProblem(field: string, date: string, latest: string | undefined): string | null {
  return latest !== undefined && date > latest ? `${field} ${date} is after ${latest}, the latest day delivery can have happened by now (a mistyped year?)` : null;
}

/** What is wrong with a `--date` (the day of a file's undated rows): not a real day, or after `latest`; null when neither. */
export function dateOptionProblem(date: string, latest: string | undefined): string | null {
  return isCalendarDate(date) ? lateDateProblem('--date', date, latest) : `--date must be a real date written YYYY-MM-DD, got "${date}"`;
}

/** The calendar day (UTC) of a spreadsheet date cell, as YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

// Numbers in the canonical (plain) format: no sign, no thousands separator, a dot decimal mark.
/** A whole number, "12" or "12.00". */
export const WHOLE_NUMBER = /^\d+(?:\.0+)?$/;
/** Digits only, "12". */
export const DIGITS = /^\d+$/;
/** A non-negative decimal, "12", "12.5", "12." or ".5". */
export const DECIMAL_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
/** A non-negative decimal with digits on both sides of the dot, if there is one: "12", "12.5". */
export const STRICT_DECIMAL_NUMBER = /^\d+(?:\.\d+)?$/;
/** A negative decimal, "-12.5". */
export const NEGATIVE_NUMBER = /^-(?:\d+(?:\.\d*)?|\.\d+)$/;
// Digit groups of three split by a separator: "1,250.50", "1.250,50", "1 250", "1'250", or "7.350" in a count.
const GROUPED = /^[+-]?\d{1,3}(?:[.,' \u00a0\u202f]\d{3})+(?:[.,]\d+)?$/;

/** True when a number carries a decimal comma or thousands separators (a spreadsheet's locale format). */
export function looksLocaleFormatted(text: string): boolean {
  return text.includes(',') || GROUPED.test(text);
}

export function localeNumberMessage(field: string): string {
  return `${field} is not a canonical number: the canonical format uses a dot decimal separator and no thousands separator (write 1250.50, not 1,250.50 or 1.250,50)`;
}

// Countries: ISO 3166-1 alpha-2, the 249 officially assigned codes. XK (Kosovo) is user-assigned,
// not ISO, but Meta reports and targets it as a country, so a Meta export would otherwise lose those rows.
const COUNTRIES: ReadonlySet<string> = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS ' +
    'MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS ' +
    'RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW ' +
    'TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK').split(' '),
);
const COUNTRY_BY_CODE: ReadonlyMap<string, string> = new Map([...COUNTRIES].map((c) => [c, c]));

/** The ISO code of a country code in any case ("es" → "ES"), or null. */
export function countryCode(text: string): string | null {
  const code = COUNTRY_BY_CODE.get(text) ?? text.toUpperCase();
  return COUNTRIES.has(code) ? code : null;
}

let countryByName: Map<string, string> | null = null;
/**
 * Codes, and English and Spanish country names (Intl.DisplayNames, built once on first use), to the
 * ISO code. Keys are normalised by the caller's `normalise` (lower case, no accents).
 */
export function countryNames(normalise: (name: string) => string): ReadonlyMap<string, string> {
  if (countryByName) return countryByName;
  const map = new Map<string, string>();
  const names = [new Intl.DisplayNames(['en'], { type: 'region' }), new Intl.DisplayNames(['es'], { type: 'region' })];
  for (const code of COUNTRIES) {
    map.set(code.toLowerCase(), code);
    for (const n of names) {
      const name = n.of(code);
      if (name && name !== code) map.set(normalise(name), code);
    }
  }
  for (const [alias, code] of [['uk', 'GB'], ['great britain', 'GB'], ['usa', 'US'], ['united states of america', 'US'], ['eeuu', 'US'], ['ee. uu.', 'US'], ['ee.uu.', 'US'], ['hong kong', 'HK'], ['macau', 'MO']] as const) map.set(alias, code);
  countryByName = map;
  return map;
}

// Age buckets: Meta's, exactly as written ("25-34").
const AGE_BY_TEXT: ReadonlyMap<string, AgeBucket> = new Map(AGE_BUCKETS.map((a) => [a, a]));
/** Meta's age bucket written exactly ("25-34", "65+"), or null. */
export function ageBucket(text: string): AgeBucket | null {
  return AGE_BY_TEXT.get(text) ?? null;
}

const AGE_RANGE = /^(\d{2})-(\d{2})$/;
const AGE_LIMITS: readonly [AgeBucket, number, number][] = AGE_BUCKETS.map((b) => {
  const [lo, hi] = b.endsWith('+') ? [Number(b.slice(0, -1)), 200] : b.split('-').map(Number) as [number, number];
  return [b, lo, hi];
});

/** The Meta bucket that contains a narrower bucket such as 30-34, or null when it straddles two. */
export function metaBucketContaining(text: string): AgeBucket | null {
  const m = AGE_RANGE.exec(text.trim());
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return AGE_LIMITS.find(([, a, b]) => lo >= a && hi <= b)?.[0] ?? null;
}

// Genders: the canonical words and their one-letter forms.
const GENDER_BY_TEXT: ReadonlyMap<string, Gender> = new Map<string, Gender>([
  ...GENDERS.map((g): [string, Gender] => [g, g]),
  ['m', 'male'], ['f', 'female'], ['u', 'unknown'],
]);
/** male, female, unknown or m, f, u in any case; null otherwise. */
export function genderOf(text: string): Gender | null {
  return GENDER_BY_TEXT.get(text) ?? GENDER_BY_TEXT.get(text.toLowerCase()) ?? null;
}

// Currencies. isCurrencyCode accepts any well-formed code Intl can format ("ABC" too); the
// platform's list of supported currencies rules out the invented ones. One Intl call per distinct
// text, not per cell.
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const currencyCache = new Map<string, string | null>();

/** The ISO 4217 code of a trimmed text in any case, or null when no such currency exists. */
export function currencyCode(text: string): string | null {
  let code = currencyCache.get(text);
  if (code === undefined) {
    const upper = text.toUpperCase();
    code = KNOWN_CURRENCIES.has(upper) && isCurrencyCode(upper) ? upper : null;
    currencyCache.set(text, code);
  }
  return code;
}

/** currencyCode of the text with its surrounding spaces removed. */
export function validCurrency(text: string): string | null {
  return currencyCode(text.trim());
}

/**
 * The header of a file in one of the project's own formats (canonical insights, pixel events):
 * each known column's position (-1 when absent), and a problem for every unknown, repeated or
 * missing required column. Names are exact: a wrong case is reported with the right spelling.
 */
export function locateNamedColumns<C extends string>(header: readonly string[], columns: readonly C[], required: readonly C[], formatName: string): { index: Record<C, number>; problems: string[] } {
  const index = Object.fromEntries(columns.map((c) => [c, -1])) as Record<C, number>;
  const known: ReadonlySet<string> = new Set(columns);
  const problems: string[] = [];
  header.forEach((raw, position) => {
    const name = raw.trim();
    if (!known.has(name)) {
      const hint = known.has(name.toLowerCase()) ? ` (column names are lower case: "${name.toLowerCase()}")` : '';
      problems.push(`unknown column "${name}" at position ${position + 1}${hint}; the ${formatName} columns are ${columns.join(',')}`);
      return;
    }
    const column = name as C;
    if (index[column] >= 0) problems.push(`duplicate column "${name}" at positions ${index[column] + 1} and ${position + 1}`);
    else index[column] = position;
  });
  for (const column of required) if (index[column] < 0) problems.push(`missing required column "${column}"`);
  return { index, problems };
}
