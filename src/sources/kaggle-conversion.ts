// Reads the public Kaggle "Sales Conversion Optimization" Facebook ads data set: KAG_conversion_data.csv
// (no dates) and its dated variant facebook_ads_repaired.csv (reporting_start, interest1..3).
//
// Mapping, and why:
//  - campaign_id = xyz_campaign_id (the advertiser's campaign), adset_id = fb_campaign_id (Facebook's
//    ad set: several ads share one).
//  - the interest code becomes an interest segment "kag-interest-<code>" named "Interest <code>"
//    (the codes are anonymised; interest2/interest3 of the dated file are not imported: interest1 is
//    the one both files share).
//  - ages are 5-year buckets (30-34 … 45-49) that Meta does not use. Each lies inside exactly one of
//    Meta's buckets and is stored there: 30-34 → 25-34, 35-39 and 40-44 → 35-44, 45-49 → 45-54. So the
//    stored 25-34 bucket holds only 30-34 year-olds; the report says so.
//  - conversions = Approved_Conversion (people who bought), not Total_Conversion (people who enquired):
//    the optimizer's CVR is a purchase rate. Approved exceeds clicks on some rows (view-through
//    attribution): valid, accepted.
//  - revenue: the file has none, so it is unknown (null), never zero.
//  - spend has float32 noise (1.429999948) and is rounded to the currency's minor unit (1.43).
//  - ads of one ad set with the same interest, age and gender (and day) are summed into one row.

import type { Gender } from '../engine/types.ts';
import { parseMinor } from '../engine/money.ts';
import { ROW_FIELD, type RowProblem } from './csv.ts';
import { dateOptionProblem, DIGITS, isCalendarDate, lateDateProblem, metaBucketContaining, STRICT_DECIMAL_NUMBER, validCurrency, WHOLE_NUMBER } from './field-rules.ts';
import { describeCapabilities, RowMerger, type SourceOptions, type SourceParseResult, type SourceReport } from './import-report.ts';
import { readCsvTable } from './tabular.ts';

/** The day stored for the undated file when --date is not given: the last reporting day of the dated variant (same 1,143 ads). */
export const KAG_DEFAULT_DATE = '2017-08-30';

type Field = 'campaign' | 'adset' | 'age' | 'gender' | 'interest' | 'impressions' | 'clicks' | 'spent' | 'approved' | 'total' | 'date';
const ALIASES: Readonly<Record<Field, readonly string[]>> = {
  campaign: ['xyz_campaign_id', 'campaign_id'],
  adset: ['fb_campaign_id'],
  age: ['age'],
  gender: ['gender'],
  interest: ['interest', 'interest1'],
  impressions: ['impressions'],
  clicks: ['clicks'],
  spent: ['spent'],
  approved: ['approved_conversion'],
  total: ['total_conversion'],
  date: ['reporting_start'],
};
const REQUIRED: readonly Field[] = ['campaign', 'adset', 'age', 'gender', 'interest', 'impressions', 'clicks', 'spent', 'approved'];

/** True for the header of either file (auto-detection). */
export function looksLikeKaggleConversion(header: readonly string[]): boolean {
  const names = new Set(header.map((h) => h.replace(/^\ufeff/, '').trim().toLowerCase()));
  return names.has('fb_campaign_id') && (names.has('xyz_campaign_id') || names.has('ad_id')) && names.has('approved_conversion');
}

export { metaBucketContaining };
const isIsoDate = (t: string): boolean => isCalendarDate(t);

const GENDER: ReadonlyMap<string, Gender> = new Map<string, Gender>([['m', 'male'], ['f', 'female'], ['male', 'male'], ['female', 'female']]);

export async function parseKaggleConversion(input: string | AsyncIterable<Buffer | string>, options: SourceOptions): Promise<SourceParseResult> {
  const table = await readCsvTable(input);
  const report: SourceReport = {
    format: 'kaggle-conversion', fileType: 'csv', language: null, delimiter: table.delimiter, decimalMark: { mark: '.', decidedBy: 'the data set writes plain numbers with a decimal point' },
    currency: null, currencySource: '', breakdowns: { day: false, country: false, age: true, gender: true, adset: true },
    skippedRows: [], mergedRows: 0, ignoredColumns: [], notes: [], capabilities: [], warnings: [],
  };
  const problems: RowProblem[] = table.broken.map((b) => ({ line: b.line, field: ROW_FIELD, value: '', message: b.message }));
  const rowsRead = table.records.length + table.broken.length;
  const at = new Map<Field, number>();
  table.header.forEach((raw, i) => {
    const name = raw.replace(/^\ufeff/, '').trim().toLowerCase();
    const field = (Object.keys(ALIASES) as Field[]).find((f) => ALIASES[f].includes(name));
    if (field && !at.has(field)) at.set(field, i);
    else report.ignoredColumns.push(raw.trim());
  });
  const headerProblems = REQUIRED.filter((f) => !at.has(f)).map((f) => `missing column ${ALIASES[f].join(' or ')} (the Kaggle "Sales Conversion Optimization" header is ad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,Total_Conversion,Approved_Conversion)`);
  const dateProblem = options.date === undefined ? null : dateOptionProblem(options.date, options.latestDate);
  if (dateProblem !== null) headerProblems.push(dateProblem);
  let currency: string | null;
  if (options.currency !== undefined) {
    currency = validCurrency(options.currency);
    report.currencySource = '--currency';
    if (currency === null) headerProblems.push(`--currency must be an ISO 4217 code such as EUR, got "${options.currency}"`);
  } else {
    currency = validCurrency(options.defaultCurrency);
    report.currencySource = 'the default currency (TARGETING_DEFAULT_CURRENCY)';
    report.warnings.push(`the data set does not state its currency: amounts are read as ${currency}; give --currency if that is wrong`);
  }
  report.currency = currency;
  if (headerProblems.length > 0 || currency === null) return { rows: [], problems, rowsRead, headerProblems, report, campaignNames: new Map() };

  const dated = at.has('date');
  const date = options.date ?? KAG_DEFAULT_DATE;
  report.breakdowns.day = dated;
  report.notes.push(
    'campaign_id = xyz_campaign_id; adset_id = fb_campaign_id (Facebook\'s ad set)',
    'each interest code is an interest segment "kag-interest-<code>" named "Interest <code>"' + (dated ? ' (interest1; interest2 and interest3 are not imported)' : ''),
    'ages are the data set\'s 5-year buckets stored in the Meta bucket that contains them: 30-34 → 25-34, 35-39 and 40-44 → 35-44, 45-49 → 45-54 (so 25-34 holds only 30-34 year-olds)',
    'conversions = Approved_Conversion (purchases); Total_Conversion (enquiries) is not imported; conversions above clicks are view-through attribution and accepted',
    'revenue: the data set has none, so it is unknown (not zero)',
    'spend is rounded to the currency\'s minor unit (the file has float noise such as 1.429999948)',
  );
  if (!dated) report.notes.push(`the file has no dates: every row is stored on ${date} (${options.date !== undefined ? '--date' : 'the last reporting day of the dated variant; give --date to choose another'})`);

  const merger = new RowMerger();
  const cell = (cells: string[], f: Field): string => (at.has(f) ? (cells[at.get(f)!] ?? '').trim() : '');
  let done = 0;
  for (const record of table.records) {
    const cells = record.cells as string[];
    const line = record.line;
    const before = problems.length;
    const bad = (field: string, value: string, message: string) => problems.push({ line, field, value, message });
    if (options.onProgress && ++done % 10_000 === 0) options.onProgress(done);

    const campaignId = cell(cells, 'campaign');
    const adsetId = cell(cells, 'adset');
    if (metaBucketContaining(campaignId) !== null && GENDER.has(adsetId.toLowerCase())) {
      bad(ROW_FIELD, cells.join(','), 'the row is shifted two columns left (campaign_id holds an age, fb_campaign_id a gender): the known defect of the as-found facebook_ads.csv; import facebook_ads_repaired.csv');
      continue;
    }
    if (!DIGITS.test(campaignId)) bad('campaign_id', campaignId, 'xyz_campaign_id must be a whole number');
    if (!DIGITS.test(adsetId)) bad('adset_id', adsetId, 'fb_campaign_id must be a whole number');
    const ageText = cell(cells, 'age');
    const age = metaBucketContaining(ageText);
    if (age === null) bad('age', ageText, 'age must be a range such as 30-34 that lies inside one of Meta\'s buckets (18-24, 25-34, 35-44, 45-54, 55-64)');
    const genderText = cell(cells, 'gender');
    const gender = GENDER.get(genderText.toLowerCase());
    if (gender === undefined) bad('gender', genderText, 'gender must be M or F');
    const interest = cell(cells, 'interest');
    if (!DIGITS.test(interest)) bad('segment_id', interest, 'interest must be a whole-number code');
    let rowDate = date;
    if (dated) {
      rowDate = cell(cells, 'date');
      if (!isIsoDate(rowDate)) bad('date', rowDate, 'reporting_start must be a date written YYYY-MM-DD');
      else {
        // A mistyped year such as 2062 would end every run's window there, leaving the real history out.
        const late = lateDateProblem('reporting_start', rowDate, options.latestDate);
        if (late !== null) bad('date', rowDate, late);
      }
    }
    const whole = (f: Field, name: string): number => {
      const t = cell(cells, f);
      if (!WHOLE_NUMBER.test(t)) bad(name, t, `${name} must be a non-negative whole number`);
      return Number(t);
    };
    const impressions = whole('impressions', 'impressions');
    const clicks = whole('clicks', 'clicks');
    const conversions = whole('approved', 'conversions');
    const spentText = cell(cells, 'spent');
    const spendMinor = STRICT_DECIMAL_NUMBER.test(spentText) ? parseMinor(spentText, currency) : null;
    if (spendMinor === null) bad('spend', spentText, 'Spent must be a non-negative decimal number');
    if (clicks > impressions) bad('clicks', cell(cells, 'clicks'), `clicks (${clicks}) exceed impressions (${impressions})`);
    if (problems.length !== before) continue;
    merger.add({
      date: rowDate, campaignId, adsetId, segmentType: 'interest', segmentId: `kag-interest-${interest}`, segmentName: `Interest ${interest}`,
      country: '', age: age!, gender: gender!, impressions, reach: null, clicks, conversions, spendMinor: spendMinor!, revenueMinor: null, currency,
    });
  }
  report.mergedRows = merger.merged;
  report.capabilities = describeCapabilities(merger.rows, report.breakdowns);
  problems.sort((a, b) => a.line - b.line);
  return { rows: merger.rows, problems, rowsRead, headerProblems: [], report, campaignNames: new Map() };
}
