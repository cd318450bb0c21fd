// Every import path refuses a day delivery cannot have reached yet (after tomorrow in UTC), as the
// canonical CSV does: a mistyped year such as 2062 would end every run's window there and leave the
// real history out. A row so dated is its line's problem (the file is refused unless skip-invalid);
// a --date so dated is an input error. Either way nothing is stored.
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRejectedError, InputError } from '../src/services/errors.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { importPixelEventsFile } from '../src/services/import-pixel-events.ts';
import { auth, type ApiHarness, openApi, token } from './api/helpers.ts';
import { runCli } from './helpers/cli.ts';
import { usingPostgres } from './helpers/db.ts';

// The harness's clock reads 2026-11-20T08:00Z: the latest day delivery can have reached is 2026-11-21.
const LATE = /^date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now/;
const LATE_OPTION = 'date: --date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)';
const dir = mkdtempSync(path.join(tmpdir(), 'future-dates-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

const AM_HEADER = 'Day,Campaign ID,Campaign name,Amount spent (EUR),Impressions,Link clicks';
const amRow = (day: string, campaign: string) => `${day},${campaign},Far future,1.00,100,2`;
const AM_UNDATED = 'Campaign ID,Campaign name,Amount spent (EUR),Impressions,Link clicks\n555000930,Undated,1.00,100,2\n';
const KAGGLE_UNDATED = 'ad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,Total_Conversion,Approved_Conversion\n1,555000940,103928,30-34,M,28,4259,1,1.25,1,0\n';
const KAGGLE_DATED = 'ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,age,gender,interest1,interest2,interest3,impressions,clicks,spent,total_conversion,approved_conversion';

describe(`far-future dates in every import path on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await openApi();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async () => ({
    insights: (await h.ctx.db.query<{ n: number }>('select count(*)::int as n from insights'))[0]!.n,
    campaigns: (await h.ctx.db.query<{ n: number }>('select count(*)::int as n from campaigns'))[0]!.n,
    pixel: (await h.ctx.db.query<{ n: number }>('select count(*)::int as n from pixel_event_days'))[0]!.n,
  });
  const rejection = async (work: Promise<unknown>): Promise<ImportRejectedError> => {
    const error = await work.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    return error as ImportRejectedError;
  };

  it('Ads Manager CSV: the far-future row is refused with its line and field, nothing stored; with skip-invalid the rest is imported', async () => {
    const file = write('am.csv', [AM_HEADER, amRow('2026-11-21', '555000910'), amRow('2062-11-20', '555000910')].join('\n'));
    const before = await stored();
    const error = await rejection(importInsightsFile(h.ctx, file));
    expect(error.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: expect.stringMatching(LATE) }]);
    expect(await stored()).toEqual(before);
    const report = await importInsightsFile(h.ctx, file, { skipInvalid: true });
    expect(report).toMatchObject({ imported: 1, skipped: 1, dateRange: { start: '2026-11-21', end: '2026-11-21' } });
  });

  it('Ads Manager XLSX: a Reporting ends after the latest day is refused, nothing stored', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Raw Data Report');
    sheet.addRow(['Reporting starts', 'Reporting ends', 'Campaign ID', 'Campaign name', 'Amount spent (EUR)', 'Impressions', 'Link clicks']);
    sheet.addRow([new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2062, 10, 20)), '555000920', 'Far future', 1, 100, 2]);
    const file = path.join(dir, 'am.xlsx');
    await workbook.xlsx.writeFile(file);
    const before = await stored();
    const error = await rejection(importInsightsFile(h.ctx, file));
    expect(error.problems).toEqual([expect.objectContaining({ line: 2, field: 'reporting_end', message: expect.stringMatching(/^reporting_end 2062-11-20 is after 2026-11-21/) })]);
    expect(await stored()).toEqual(before);
  });

  it('--date after the latest day is an input error naming the option (Ads Manager, Kaggle), in the service and the CLI; nothing stored', async () => {
    const am = write('am-undated.csv', AM_UNDATED);
    const kaggle = write('kaggle.csv', KAGGLE_UNDATED);
    const before = await stored();
    for (const [file, format] of [[am, 'ads-manager'], [kaggle, 'kaggle-conversion']] as const) {
      const error = await importInsightsFile(h.ctx, file, { format, date: '2062-11-20' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ field: 'date', message: LATE_OPTION });
      const cli = await runCli(['import', file, '--date', '2062-11-20'], { db: h.ctx.db, clock: h.ctx.clock });
      expect(cli.code).toBe(2);
      expect(cli.stderr).toContain('--date 2062-11-20 is after 2026-11-21');
    }
    expect(await stored()).toEqual(before);
    // Tomorrow in UTC is the latest day delivery can have reached: accepted.
    expect(await importInsightsFile(h.ctx, am, { date: '2026-11-21' })).toMatchObject({ imported: 1, dateRange: { start: '2026-11-21', end: '2026-11-21' } });
  });

  it('Kaggle dated file: a reporting_start after the latest day is refused with its line, nothing stored', async () => {
    const file = write('kaggle-dated.csv', [KAGGLE_DATED, '1,2026-11-21,2026-11-21,555000950,103916,30-34,M,15,17,17,7350,1,1.43,2,1', '2,2062-11-20,2062-11-20,555000950,103916,30-34,M,16,17,17,7350,1,1.43,2,1'].join('\n'));
    const before = await stored();
    const error = await rejection(importInsightsFile(h.ctx, file));
    expect(error.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: expect.stringMatching(/^reporting_start 2062-11-20 is after 2026-11-21/) }]);
    expect(await stored()).toEqual(before);
  });

  it('pixel events: an event day after the latest day is refused with its line, nothing stored; with skip-invalid the rest is imported', async () => {
    const file = write('pixel.csv', 'date,campaign_id,event_name,content_category,count\n2026-11-21,555000960,Purchase,shoes,3\n2062-11-20,555000960,Purchase,shoes,4\n');
    const before = await stored();
    const error = await rejection(importPixelEventsFile(h.ctx, file));
    expect(error.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: expect.stringMatching(LATE) }]);
    expect(await stored()).toEqual(before);
    const cli = await runCli(['import', file], { db: h.ctx.db, clock: h.ctx.clock });
    expect(cli.code).toBe(2);
    expect(await stored()).toEqual(before);
    const report = await importPixelEventsFile(h.ctx, file, { skipInvalid: true });
    expect(report).toMatchObject({ imported: 1, skipped: 1, dateRange: { start: '2026-11-21', end: '2026-11-21' } });
  });

  it('API upload: a far-future row is a 400 naming its line and field, a far-future date a 400 naming the option; nothing stored', async () => {
    const upload = async (url: string, body: string) => h.app.inject({ method: 'POST', url, headers: { ...auth(await token('manager')), 'content-type': 'text/csv' }, payload: body });
    const before = await stored();
    const row = await upload('/meta/targeting/imports?file_name=far.csv', [AM_HEADER, amRow('2026-11-21', '555000970'), amRow('2062-11-20', '555000970')].join('\n'));
    expect(row.statusCode).toBe(400);
    expect(row.json().problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: expect.stringMatching(LATE) }]);
    const option = await upload('/meta/targeting/imports?file_name=undated.csv&date=2062-11-20', AM_UNDATED);
    expect(option.statusCode).toBe(400);
    expect(option.json().error.message).toBe(LATE_OPTION);
    expect(await stored()).toEqual(before);
  });
});
