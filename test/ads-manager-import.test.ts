import ExcelJS from 'exceljs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRejectedError, InputError } from '../src/services/errors.ts';
import { detectFormat, importInsightsFile } from '../src/services/import-insights.ts';
import { idFromName } from '../src/sources/import-report.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';
import { runCli } from './helpers/cli.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const tmp = (name: string) => {
  mkdirSync('.tmp', { recursive: true });
  return `.tmp/${process.pid}-${name}`;
};

async function writeXlsx(file: string, rows: unknown[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Informe');
  for (const r of rows) sheet.addRow(r);
  await workbook.xlsx.writeFile(file);
  return file;
}

describe(`import of Ads Manager exports on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });
  const count = async (campaignId: string) =>
    (await ctx.db.query<{ n: number; impressions: number }>('select count(*)::int as n, coalesce(sum(impressions), 0)::float8 as impressions from insights where campaign_id = $1', [campaignId]))[0]!;

  it('detects each format from the header, and refuses an unknown one listing what it expected', async () => {
    expect(detectFormat(fixture('insights-valid.csv'))).toBe('canonical');
    expect(detectFormat(fixture('ads-manager/en-by-day.csv'))).toBe('ads-manager');
    expect(detectFormat(fixture('ads-manager/es-by-adset-semicolon.csv'))).toBe('ads-manager');
    expect(detectFormat(fixture('insights-invalid.csv'))).toBe('canonical');
    const typo = tmp('typo.csv');
    writeFileSync(typo, 'Date,Campaign_ID,impressions,clicks,spend\n2026-11-01,1,10,1,1.00\n');
    expect(detectFormat(typo)).toBe('canonical');
    await expect(importInsightsFile(ctx, typo)).rejects.toThrow(/column names are lower case/);
    const file = tmp('unknown.csv');
    writeFileSync(file, 'foo,bar\n1,2\n');
    const error = (() => {
      try {
        return detectFormat(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/cannot tell the format .* \("foo", "bar"\)\. Expected one of: the canonical CSV \(date,campaign_id,/);
    expect((error as Error).message).toMatch(/"Campaign name" \/ "Nombre de la campaña"/);
    expect((error as Error).message).toMatch(/--format canonical\|ads-manager\|kaggle-conversion/);
  });

  it('imports the English export by day with a report, and a second import changes nothing', async () => {
    const report = await importInsightsFile(ctx, fixture('ads-manager/en-by-day.csv'));
    expect(report).toMatchObject({ format: 'ads-manager', rowsRead: 5, imported: 4, skipped: 1, campaigns: ['120210000000000001'], currencies: ['EUR'], dateRange: { start: '2026-11-01', end: '2026-11-03' } });
    expect(report.source?.skippedRows[0]?.reason).toMatch(/^totals row/);
    const before = await count('120210000000000001');
    expect(before).toEqual({ n: 4, impressions: 236_000 });
    await importInsightsFile(ctx, fixture('ads-manager/en-by-day.csv'), { format: 'ads-manager' });
    expect(await count('120210000000000001')).toEqual(before);
    const interest = await ctx.db.query<{ segment_id: string; segment_name: string }>(`select distinct segment_id, segment_name from insights where campaign_id = '120210000000000001' order by 2`);
    expect(interest).toEqual([{ segment_id: idFromName('adset', 'Running'), segment_name: 'Running' }, { segment_id: idFromName('adset', 'Yoga & Pilates'), segment_name: 'Yoga & Pilates' }]);
  });

  it('imports the Spanish exports (by country; by ad set from a semicolon re-save)', async () => {
    const byCountry = await importInsightsFile(ctx, fixture('ads-manager/es-by-country.csv'));
    expect(byCountry).toMatchObject({ imported: 4, skipped: 2 });
    const countries = await ctx.db.query<{ country: string; spend_minor: number }>(`select country, spend_minor::float8 as spend_minor from insights where campaign_id = '120220000000000002' order by country`);
    expect(countries).toEqual([{ country: 'ES', spend_minor: 125_050 }, { country: 'FR', spend_minor: 1_275 }, { country: 'MX', spend_minor: 31_020 }, { country: 'US', spend_minor: 9_500 }]);
    const byAdset = await importInsightsFile(ctx, fixture('ads-manager/es-by-adset-semicolon.csv'));
    expect(byAdset).toMatchObject({ imported: 4, campaigns: [idFromName('name', 'Rebajas Invierno')] });
    // The derived id keeps the campaign's name beside it.
    const named = await ctx.db.query<{ name: string }>('select name from campaigns where campaign_id = $1', [idFromName('name', 'Rebajas Invierno')]);
    expect(named).toEqual([{ name: 'Rebajas Invierno' }]);
  });

  it('rejects a file with a mangled id as a whole, and imports the rest with --skip-invalid', async () => {
    const error = await importInsightsFile(ctx, fixture('ads-manager/en-mangled-ids.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems).toEqual([expect.objectContaining({ line: 3, field: 'campaign_id', value: '1.20253E+17' })]);
    expect(await count('120253000000000017')).toEqual({ n: 0, impressions: 0 });
    const report = await importInsightsFile(ctx, fixture('ads-manager/en-mangled-ids.csv'), { skipInvalid: true });
    expect(report).toMatchObject({ imported: 1, skipped: 1 });
    expect(await count('120253000000000017')).toEqual({ n: 1, impressions: 1_000 });
  });

  it('imports XLSX exports in English and Spanish, detected from the file itself', async () => {
    const en = await writeXlsx(tmp('en.xlsx'), [
      ['Day', 'Campaign name', 'Campaign ID', 'Ad set name', 'Amount spent (EUR)', 'Impressions', 'Link clicks', 'Purchases', 'Purchases conversion value'],
      [new Date(Date.UTC(2026, 10, 1)), 'XLSX EN', '555000111', 'Runners', 12.5, 1_000, 20, 1, 40],
      [null, null, null, null, 12.5, 1_000, 20, 1, 40],
    ]);
    expect(detectFormat(en)).toBe('ads-manager');
    const r = await importInsightsFile(ctx, en);
    expect(r).toMatchObject({ format: 'ads-manager', imported: 1, skipped: 1, source: { fileType: 'xlsx', language: 'en' } });
    const es = await writeXlsx(tmp('es.xlsx'), [
      ['Inicio del informe', 'Fin del informe', 'Nombre de la campaña', 'Identificador de la campaña', 'País', 'Edad', 'Sexo', 'Importe gastado (EUR)', 'Impresiones', 'Clics en el enlace'],
      ['2026-11-01', '2026-11-01', 'XLSX ES', '555000222', 'España', '18-24', 'mujer', '1.250,50', '98.400', '1.476'],
    ]);
    const s = await importInsightsFile(ctx, es, { format: 'ads-manager' });
    expect(s).toMatchObject({ imported: 1, source: { language: 'es', breakdowns: { country: true, age: true, gender: true } } });
    expect((await ctx.db.query<{ spend_minor: number }>(`select spend_minor::float8 as spend_minor from insights where campaign_id = '555000222'`))[0]).toEqual({ spend_minor: 125_050 });
    await expect(importInsightsFile(ctx, es, { format: 'canonical' })).rejects.toThrow(/XLSX workbook; the canonical format is CSV/);
  });

  it('keeps the canonical path as it was', async () => {
    const report = await importInsightsFile(ctx, fixture('insights-valid.csv'));
    expect(report).toMatchObject({ format: 'canonical', rowsRead: 8, imported: 8, skipped: 0 });
    expect(report.source).toBeUndefined();
    await expect(importInsightsFile(ctx, fixture('insights-valid.csv'), { date: '2026-11-01' })).rejects.toThrow(/--date applies to files without dates/);
  });

  it('prints the import report from the CLI, with --format and auto-detection', async () => {
    const ok = await runCli(['import', fixture('ads-manager/en-by-age-gender.csv'), '--format', 'ads-manager'], { db: ctx.db });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Imported 6 row\(s\) from 7 read in .*en-by-age-gender\.csv \(ads-manager\)/);
    expect(ok.stdout).toContain('  breakdowns found: age, gender');
    expect(ok.stdout).toContain('  skipped 1 unknown age ("Unknown"/"Desconocido": Meta could not tell the age) (line 8)');
    expect(ok.stdout).toContain('    - no country breakdown: geo allocation will use priors');
    const bad = await runCli(['import', fixture('ads-manager/en-by-day.csv'), '--format', 'excel'], { db: ctx.db });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of canonical, ads-manager, kaggle-conversion/);
  });
});
