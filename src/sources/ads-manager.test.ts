import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLikeAdsManager, parseAdsManagerCsv, parseAdsManagerXlsx } from './ads-manager.ts';
import { idFromName } from './import-report.ts';

const fixture = (name: string) => new URL(`../../test/fixtures/ads-manager/${name}`, import.meta.url).pathname;
const opts = { defaultCurrency: 'EUR' };
const parseFixture = (name: string, more: Record<string, string> = {}) => parseAdsManagerCsv(createReadStream(fixture(name)), { ...opts, ...more });
const csv = (...lines: string[]) => parseAdsManagerCsv(lines.join('\n'), opts);

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Raw Data Report');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('Ads Manager CSV, English, by day (BOM, CRLF, thousands separators, a totals row)', async () => {
  const r = await parseFixture('en-by-day.csv');

  it('reads the header despite the BOM and every line despite CRLF', () => {
    expect(r.headerProblems).toEqual([]);
    expect(r.problems).toEqual([]);
    expect(r.rowsRead).toBe(5);
    expect(r.report).toMatchObject({ language: 'en', delimiter: ',', currency: 'EUR', currencySource: 'the header "Amount spent (EUR)"' });
  });

  it('skips the totals row and says so', () => {
    expect(r.rows).toHaveLength(4);
    expect(r.report.skippedRows).toEqual([{ reason: expect.stringMatching(/^totals row/), count: 1, lines: [2] }]);
  });

  it('reads "1,250.50" and "120,000" with the decimal point the file shows', () => {
    expect(r.report.decimalMark?.mark).toBe('.');
    expect(r.rows[0]).toEqual({
      date: '2026-11-01', campaignId: '120210000000000001', adsetId: '120210000000000011',
      segmentType: 'interest', segmentId: idFromName('adset', 'Yoga & Pilates'), segmentName: 'Yoga & Pilates',
      country: '', age: '', gender: '', impressions: 120_000, reach: 80_000, clicks: 1_900, conversions: 40,
      spendMinor: 125_050, revenueMinor: 380_000, currency: 'EUR',
    });
  });

  it('keeps empty cells unknown (reach, purchases, value) and reads an empty link-clicks cell as no clicks, with a note', () => {
    const last = r.rows[3]!;
    expect(last).toMatchObject({ date: '2026-11-03', impressions: 0, clicks: 0, reach: null, conversions: null, revenueMinor: null, spendMinor: 0 });
    expect(r.report.notes.join('\n')).toMatch(/1 row\(s\) have an empty clicks cell, read as 0/);
  });

  it('reports the breakdowns and what the optimizer can do with them', () => {
    expect(r.report.breakdowns).toEqual({ day: true, country: false, age: false, gender: false, adset: true });
    expect(r.report.capabilities).toContain('no country breakdown: geo allocation will use priors (with no country observed, the whole budget goes to Spain, scored from the prior rates)');
    expect(r.report.capabilities.join('\n')).toMatch(/interest segments \(2\)/);
    expect(r.report.ignoredColumns).toEqual(expect.arrayContaining(['Frequency', 'CTR (link click-through rate)', 'Results', 'Result indicator']));
  });
});

describe('Ads Manager CSV, Spanish, by country', async () => {
  const r = await parseFixture('es-by-country.csv');

  it('reads "1.250,50" and "98.400" with a decimal comma, and percentages in ignored columns do not disturb it', () => {
    expect(r.problems).toEqual([]);
    expect(r.report).toMatchObject({ language: 'es', delimiter: ',', currency: 'EUR' });
    expect(r.report.decimalMark?.mark).toBe(',');
    expect(r.rows.find((x) => x.country === 'ES')).toMatchObject({ impressions: 98_400, reach: 61_230, clicks: 1_476, conversions: 31, spendMinor: 125_050, revenueMinor: 279_000 });
  });

  it('maps Spanish country names and ISO codes to ISO codes', () => {
    expect(r.rows.map((x) => x.country)).toEqual(['ES', 'MX', 'US', 'FR']);
  });

  it('skips the "Desconocido" country and the "Resultados totales" row, each with its reason', () => {
    expect(r.report.skippedRows.map((s) => [s.reason.split(' (')[0], s.count, s.lines])).toEqual([
      ['unknown country', 1, [6]],
      ['totals row', 1, [7]],
    ]);
  });

  it('says what a country breakdown without ad sets allows', () => {
    expect(r.report.capabilities).toEqual(expect.arrayContaining([
      'country breakdown (4 countries): geo allocation uses their observed rates, smoothed toward the priors',
      'no interest segments (no ad set breakdown): the recommendation cannot rank interests',
      'no age breakdown: the recommendation keeps Meta\'s full age range',
    ]));
  });
});

describe('Ads Manager CSV, English, by age and gender over one reporting period', async () => {
  const r = await parseFixture('en-by-age-gender.csv');

  it('reads Meta\'s age buckets and the gender values, "All" as not split by gender', () => {
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => `${x.age}/${x.gender}`)).toEqual(['18-24/female', '18-24/male', '25-34/female', '25-34/male', '35-44/unknown', '65+/']);
  });

  it('skips the "Unknown" age row with its reason', () => {
    expect(r.report.skippedRows).toEqual([{ reason: 'unknown age ("Unknown"/"Desconocido": Meta could not tell the age)', count: 1, lines: [8] }]);
  });

  it('derives a stable campaign id from the name and says so', () => {
    expect(new Set(r.rows.map((x) => x.campaignId))).toEqual(new Set([idFromName('name', 'Spring Sale')]));
    expect(idFromName('name', 'Spring Sale')).toMatch(/^name:spring-sale-[0-9a-f]{8}$/);
    expect(r.report.notes.join('\n')).toMatch(/no campaign id: campaign ids are derived from the names/);
  });

  it('stores a period row on its last day and says fatigue cannot be measured', () => {
    expect(new Set(r.rows.map((x) => x.date))).toEqual(new Set(['2026-10-03']));
    expect(r.report.breakdowns.day).toBe(false);
    expect(r.report.capabilities[0]).toMatch(/^no day breakdown: .*fatigue .* cannot be measured/);
    expect(r.report.currency).toBe('USD');
  });
});

describe('Ads Manager CSV, Spanish, by ad set, re-saved by a Spanish Excel (semicolons, DD/MM/YYYY)', async () => {
  const r = await parseFixture('es-by-adset-semicolon.csv');

  it('sniffs the semicolon and reads day-first dates', () => {
    expect(r.problems).toEqual([]);
    expect(r.report.delimiter).toBe(';');
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-01', '2026-11-01', '2026-11-13', '2026-11-13']);
  });

  it('maps Hombre/Mujer/Desconocido and makes each ad set name an interest segment', () => {
    expect(r.rows.map((x) => x.gender)).toEqual(['male', 'female', 'female', 'unknown']);
    expect(r.rows[0]).toMatchObject({ segmentType: 'interest', segmentId: idFromName('adset', 'Cine de acción'), segmentName: 'Cine de acción', adsetId: idFromName('name', 'Cine de acción') });
    expect(r.rows[2]).toMatchObject({ impressions: 88_000, clicks: 1_240, spendMinor: 102_000, revenueMinor: 215_075 });
  });
});

describe('quirks', () => {
  it('rejects spreadsheet-mangled ids with a clear message and keeps the good rows', async () => {
    const r = await parseFixture('en-mangled-ids.csv');
    expect(r.rows.map((x) => x.campaignId)).toEqual(['120253000000000017']);
    expect(r.problems).toEqual([{ line: 3, field: 'campaign_id', value: '1.20253E+17', message: expect.stringMatching(/scientific notation: the id was mangled by a spreadsheet/) }]);
  });

  it('decides "1,250" per file: a thousands separator in an English file, a decimal comma where other cells show one', async () => {
    const header = 'Day,Campaign name,Amount spent (EUR),Impressions,Link clicks';
    const en = await csv(header, '2026-11-01,A,"1,250",100,1');
    expect(en.rows[0]!.spendMinor).toBe(125_000);
    const comma = await csv(header, '2026-11-01,A,"1,250",100,1', '2026-11-02,A,"12,5",100,1');
    expect(comma.report.decimalMark?.mark).toBe(',');
    expect(comma.rows.map((x) => x.spendMinor)).toEqual([125, 1_250]);
    const es = await csv('Día,Nombre de la campaña,Importe gastado (EUR),Impresiones,Clics en el enlace', '2026-11-01,A,"1,250",100,1');
    expect(es.report.decimalMark).toEqual({ mark: ',', decidedBy: 'no cell shows the decimal mark; Spanish headers: decimal comma' });
    expect(es.rows[0]!.spendMinor).toBe(125);
  });

  it('refuses a percentage where an amount belongs, and a missing impressions value', async () => {
    const r = await csv('Day,Campaign name,Amount spent (EUR),Impressions,Link clicks', '2026-11-01,A,12%,100,1', '2026-11-02,A,1.00,,1');
    expect(r.rows).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([[2, 'spend'], [3, 'impressions']]);
    expect(r.problems[0]!.message).toMatch(/percentage/);
  });

  it('refuses clicks above impressions, and an unknown gender, country or age', async () => {
    const r = await csv('Day,Campaign name,Country,Age,Gender,Amount spent (EUR),Impressions,Link clicks',
      '2026-11-01,A,ES,25-34,female,1.00,10,11', '2026-11-01,A,Atlantis,25-34,female,1.00,10,1', '2026-11-01,A,ES,30-39,female,1.00,10,1', '2026-11-01,A,ES,25-34,x,1.00,10,1');
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([[2, 'clicks'], [3, 'country'], [4, 'age'], [5, 'gender']]);
  });

  it('refuses a line whose fields do not match the header, with a hint for an unquoted decimal comma', async () => {
    const r = await csv('Day,Campaign name,Amount spent (EUR),Impressions,Link clicks', '2026-11-01,A,12,50,100,1', '2026-11-01,B,"12,50",100,1');
    expect(r.rows.map((x) => x.spendMinor)).toEqual([1_250]);
    expect(r.problems).toEqual([{ line: 2, field: '(row)', value: '2026-11-01,A,12,50,100,1', message: expect.stringMatching(/6 fields but the header has 5 \(a number with a decimal comma must be quoted/) }]);
  });

  it('sums the rows of an export by ad into one row per ad set and day', async () => {
    const r = await csv('Day,Campaign ID,Campaign name,Ad set name,Ad name,Amount spent (EUR),Impressions,Link clicks,Purchases',
      '2026-11-01,1,A,Broad,Video,10.00,1000,10,1', '2026-11-01,1,A,Broad,Carousel,5.50,500,4,', '2026-11-01,1,A,Broad,Image,2.00,200,2,0');
    expect(r.report.mergedRows).toBe(2);
    expect(r.rows).toHaveLength(1);
    // One ad's purchases are unknown, so the ad set's are too: unknown is not zero.
    expect(r.rows[0]).toMatchObject({ impressions: 1_700, clicks: 16, spendMinor: 1_750, conversions: null });
  });

  it('reads Results as conversions only where the result indicator is a purchase', async () => {
    const r = await csv('Day,Campaign name,Ad set name,Amount spent (EUR),Impressions,Link clicks,Results,Result indicator',
      '2026-11-01,A,S1,10.00,1000,10,3,actions:offsite_conversion.fb_pixel_purchase', '2026-11-01,A,S2,10.00,1000,10,9,actions:link_click');
    expect(r.rows.map((x) => x.conversions)).toEqual([3, null]);
    const noIndicator = await csv('Day,Campaign name,Amount spent (EUR),Impressions,Link clicks,Results', '2026-11-01,A,10.00,1000,10,3');
    expect(noIndicator.rows[0]!.conversions).toBeNull();
    expect(noIndicator.report.notes.join('\n')).toMatch(/"Results" column is not read as conversions/);
  });

  it('uses Clicks (all) when there is no Link clicks column, and says so', async () => {
    const r = await csv('Day,Campaign name,Amount spent (EUR),Impressions,Clicks (all)', '2026-11-01,A,10.00,1000,25');
    expect(r.rows[0]!.clicks).toBe(25);
    expect(r.report.notes[0]).toMatch(/Clicks \(all\)/);
  });

  it('uses --currency or the default (with a warning) when no header states one, and refuses a conflicting --currency', async () => {
    const noCurrency = 'Day,Campaign name,Amount spent,Impressions,Link clicks\n2026-11-01,A,10.00,1000,10\n';
    const byDefault = await parseAdsManagerCsv(noCurrency, opts);
    expect(byDefault.rows[0]!.currency).toBe('EUR');
    expect(byDefault.report.warnings[0]).toMatch(/does not state its currency/);
    const given = await parseAdsManagerCsv(noCurrency, { ...opts, currency: 'mxn' });
    expect(given.rows[0]!.currency).toBe('MXN');
    expect(given.report.warnings).toEqual([]);
    const conflict = await parseAdsManagerCsv('Day,Campaign name,Amount spent (USD),Impressions,Link clicks\n2026-11-01,A,1,1,1\n', { ...opts, currency: 'EUR' });
    expect(conflict.headerProblems).toEqual(['--currency EUR disagrees with the header "Amount spent (USD)" (USD)']);
  });

  it('lists the expected English and Spanish headers when required columns are missing', async () => {
    const r = await csv('Campaign name,Impressions', 'A,1');
    expect(r.headerProblems).toEqual([
      'missing column "Link clicks" / "Clics en el enlace" or "Clicks (all)" / "Clics (todos)"',
      'missing column "Amount spent (EUR)" / "Importe gastado (EUR)"',
      'missing a date column "Day" / "Día" or "Reporting starts" / "Inicio del informe"; give --date YYYY-MM-DD for an export without dates',
    ]);
    const dated = await parseAdsManagerCsv('Campaign name,Amount spent (EUR),Impressions,Link clicks\nA,1.00,10,1\n', { ...opts, date: '2026-11-05' });
    expect(dated.rows[0]!.date).toBe('2026-11-05');
  });

  it('tells an Ads Manager header from others', () => {
    expect(looksLikeAdsManager(['Nombre de la campaña', 'Importe gastado (EUR)', 'Impresiones'])).toBe(true);
    expect(looksLikeAdsManager(['date', 'campaign_id', 'impressions', 'spend'])).toBe(false);
  });

  it('derives ids that are stable and do not collide on the same slug', () => {
    expect(idFromName('name', 'Promo, Lima')).toBe(idFromName('name', 'Promo, Lima'));
    expect(idFromName('name', 'Promo, Lima')).not.toBe(idFromName('name', 'Promo Lima'));
    expect(idFromName('name', 'Promo, Lima').startsWith('name:promo-lima-')).toBe(true);
  });
});

describe('round trip', () => {
  it('reads back what an English or Spanish export of random rows says, whatever the numbers look like', async () => {
    const row = fc.record({ impressions: fc.integer({ min: 0, max: 5_000_000 }), clickShare: fc.double({ min: 0, max: 1, noNaN: true }), spendCents: fc.integer({ min: 0, max: 500_000_000 }), purchases: fc.option(fc.integer({ min: 0, max: 20_000 })) });
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), fc.constantFrom('en', 'es'), async (rows, lang) => {
      const locale = lang === 'en' ? 'en-US' : 'es-ES';
      const count = new Intl.NumberFormat(locale, { useGrouping: 'always' });
      const amount = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' });
      const q = (t: string) => `"${t}"`;
      const header = lang === 'en' ? 'Day,Campaign ID,Campaign name,Amount spent (EUR),Impressions,Link clicks,Purchases' : 'Día,Identificador de la campaña,Nombre de la campaña,Importe gastado (EUR),Impresiones,Clics en el enlace,Compras';
      const lines = rows.map((r, i) => {
        const day = `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`;
        return [day, String(100 + Math.floor(i / 28)), 'C', q(amount.format(r.spendCents / 100)), q(count.format(r.impressions)), q(count.format(Math.floor(r.impressions * r.clickShare))), r.purchases === null ? '' : q(count.format(r.purchases))].join(',');
      });
      const parsed = await parseAdsManagerCsv([header, ...lines].join('\r\n'), opts);
      expect(parsed.problems).toEqual([]);
      expect(parsed.rows.map((x) => [x.spendMinor, x.impressions, x.clicks, x.conversions])).toEqual(rows.map((r) => [r.spendCents, r.impressions, Math.floor(r.impressions * r.clickShare), r.purchases]));
    }), { numRuns: 200 });
  });
});

describe('Ads Manager XLSX (generated here with exceljs, as Ads Manager\'s "Export table data" .xlsx)', () => {
  it('reads an English export with numbers and dates as typed cells', async () => {
    const file = await xlsx([
      ['Reporting starts', 'Reporting ends', 'Campaign name', 'Campaign ID', 'Day', 'Amount spent (EUR)', 'Impressions', 'Link clicks', 'Purchases', 'Purchases conversion value'],
      [new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2026, 10, 2)), null, null, null, 1_380.5, 125_000, 900, 12, 2_400],
      [new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2026, 10, 2)), 'Black Friday ES', '120210000000000001', new Date(Date.UTC(2026, 10, 1)), 1_250.5, 100_000, 800, 10, 2_000],
      [new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2026, 10, 2)), 'Black Friday ES', '120210000000000001', '2026-11-02', 130, 25_000, null, null, null],
    ]);
    const r = await parseAdsManagerXlsx(file, opts);
    expect(r.problems).toEqual([]);
    expect(r.report).toMatchObject({ fileType: 'xlsx', delimiter: null, language: 'en', currency: 'EUR' });
    expect(r.report.skippedRows.map((s) => s.count)).toEqual([1]);
    expect(r.rows).toEqual([
      expect.objectContaining({ date: '2026-11-01', campaignId: '120210000000000001', impressions: 100_000, clicks: 800, conversions: 10, spendMinor: 125_050, revenueMinor: 200_000 }),
      expect.objectContaining({ date: '2026-11-02', impressions: 25_000, clicks: 0, conversions: null, spendMinor: 13_000, revenueMinor: null }),
    ]);
  });

  it('reads a Spanish export by age and gender, with text numbers in the Spanish locale', async () => {
    const file = await xlsx([
      ['Inicio del informe', 'Fin del informe', 'Nombre de la campaña', 'Edad', 'Sexo', 'Importe gastado (EUR)', 'Impresiones', 'Clics en el enlace', 'Compras'],
      ['2026-11-01', '2026-11-01', 'Navidad', '25-34', 'mujer', '1.250,50', '98.400', '1.476', 31],
      ['2026-11-01', '2026-11-01', 'Navidad', '25-34', 'hombre', 310.2, 52_000, 780, null],
    ]);
    const r = await parseAdsManagerXlsx(file, opts);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.age, x.gender, x.spendMinor, x.impressions, x.conversions])).toEqual([
      ['25-34', 'female', 125_050, 98_400, 31],
      ['25-34', 'male', 31_020, 52_000, null],
    ]);
  });

  it('refuses an id a spreadsheet stored as a number too long to keep its digits', async () => {
    const file = await xlsx([
      ['Day', 'Campaign name', 'Campaign ID', 'Amount spent (EUR)', 'Impressions', 'Link clicks'],
      // What a spreadsheet holds after reading the id 120253000000000017 as a number: 120253000000000020.
      ['2026-11-01', 'A', Number('120253000000000017'), 1, 10, 1],
      ['2026-11-01', 'B', 987654321, 1, 10, 1],
      // 16 digits: a spreadsheet may already have rounded the last one.
      ['2026-11-01', 'C', 1234567890123456, 1, 10, 1],
    ]);
    const r = await parseAdsManagerXlsx(file, opts);
    expect(r.rows.map((x) => x.campaignId)).toEqual(['987654321']);
    expect(r.problems).toEqual([
      { line: 2, field: 'campaign_id', value: '120253000000000020', message: expect.stringMatching(/stored as a number by a spreadsheet, which keeps only 15 significant digits/) },
      { line: 4, field: 'campaign_id', value: '1234567890123456', message: expect.stringMatching(/stored as a number/) },
    ]);
  });
});

describe('Ads Manager: a date delivery cannot have reached yet (a mistyped year would end every run\'s window there)', () => {
  const LATEST = '2026-11-21';
  const late = { ...opts, latestDate: LATEST };

  it('a Day after the latest day is the line\'s problem; the latest day itself is read', async () => {
    const r = await parseAdsManagerCsv(['Day,Campaign ID,Campaign name,Amount spent (EUR),Impressions,Link clicks', '2026-11-21,100,C,1.00,10,1', '2062-11-20,100,C,1.00,10,1'].join('\n'), late);
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-21']);
    expect(r.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: 'date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)' }]);
  });

  it('Reporting starts and ends are each checked, also as DD/MM/YYYY in a Spanish export', async () => {
    const r = await parseAdsManagerCsv([
      'Inicio del informe;Fin del informe;Nombre de la campaña;Importe gastado (EUR);Impresiones;Clics en el enlace',
      '21/11/2026;21/11/2026;Navidad;1,00;10;1',
      '01/11/2026;20/11/2062;Navidad;1,00;10;1',
      '20/11/2062;20/11/2062;Navidad;1,00;10;1',
    ].join('\n'), late);
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-21']);
    expect(r.problems.map((p) => [p.line, p.field, p.value])).toEqual([[3, 'reporting_end', '20/11/2062'], [4, 'reporting_start', '20/11/2062'], [4, 'reporting_end', '20/11/2062']]);
    expect(r.problems[0]!.message).toBe('reporting_end 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)');
  });

  it('an XLSX date cell after the latest day is the line\'s problem', async () => {
    const file = await xlsx([
      ['Day', 'Campaign name', 'Amount spent (EUR)', 'Impressions', 'Link clicks'],
      [new Date(Date.UTC(2026, 10, 21)), 'A', 1, 10, 1],
      [new Date(Date.UTC(2062, 10, 20)), 'A', 1, 10, 1],
    ]);
    const r = await parseAdsManagerXlsx(file, late);
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-21']);
    expect(r.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20T00:00:00.000Z', message: expect.stringMatching(/^date 2062-11-20 is after 2026-11-21/) }]);
  });

  it('a --date after the latest day is refused for the file; the latest day itself is taken', async () => {
    const undated = ['Campaign ID,Campaign name,Amount spent (EUR),Impressions,Link clicks', '100,C,1.00,10,1'].join('\n');
    const refused = await parseAdsManagerCsv(undated, { ...late, date: '2062-11-20' });
    expect(refused.rows).toEqual([]);
    expect(refused.headerProblems).toEqual(['--date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)']);
    expect((await parseAdsManagerCsv(undated, { ...late, date: LATEST })).rows.map((x) => x.date)).toEqual([LATEST]);
  });
});
