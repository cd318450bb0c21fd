import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRejectedError, InputError } from '../src/services/errors.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { listSegmentPerformance } from '../src/store/segments.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe(`import of the canonical CSV on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });

  const totals = async () =>
    (await ctx.db.query<{ n: number; impressions: number; spend: number }>(
      'select count(*)::int as n, coalesce(sum(impressions), 0)::float8 as impressions, coalesce(sum(spend_minor), 0)::float8 as spend from insights',
    ))[0]!;

  it('rejects a file with any invalid row as a whole, listing every bad line with its field', async () => {
    const error = await importInsightsFile(ctx, fixture('insights-invalid.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    const problems = (error as ImportRejectedError).problems;
    const at = (line: number) => problems.filter((p) => p.line === line).map((p) => p.field);
    expect(at(3)).toContain('date');
    expect(at(4)).toContain('segment_type');
    expect(at(5)).toContain('clicks');
    expect(at(6)).toEqual(expect.arrayContaining(['campaign_id', 'spend']));
    expect(problems.find((p) => p.line === 6 && p.field === 'campaign_id')!.message).toMatch(/spreadsheet/i);
    expect(at(2)).toEqual([]);
    expect((await totals()).n).toBe(0);
  });

  it('imports the good rows with --skip-invalid and still reports the bad ones', async () => {
    const report = await importInsightsFile(ctx, fixture('insights-invalid.csv'), { skipInvalid: true });
    expect(report.imported).toBe(1);
    expect(report.skipped).toBe(4);
    expect(report.rowsRead).toBe(5);
    expect((await totals()).n).toBe(1);
    await ctx.db.query('delete from insights');
  });

  it('imports a valid file, keeps unknown conversions and revenue unknown, and counts nothing twice on re-import', async () => {
    const first = await importInsightsFile(ctx, fixture('insights-valid.csv'));
    expect(first).toMatchObject({ rowsRead: 8, imported: 8, skipped: 0, campaigns: ['cmp-1'], currencies: ['EUR'], dateRange: { start: '2026-11-01', end: '2026-11-02' } });
    const before = await totals();
    expect(before).toEqual({ n: 8, impressions: 179_000, spend: 115_925 });
    const unknown = await ctx.db.query<{ conversions: number | null; revenue_minor: number | null }>(
      `select conversions, revenue_minor from insights where segment_type = 'demographic'`,
    );
    expect(unknown).toEqual([{ conversions: null, revenue_minor: null }]);

    await importInsightsFile(ctx, fixture('insights-valid.csv'));
    expect(await totals()).toEqual(before);
  });

  it('refreshes segment performance in the same import', async () => {
    const segments = await listSegmentPerformance(ctx.db, { segmentType: 'interest', limit: 50 });
    const action = segments.find((s) => s.segmentId === '6003107902433')!;
    expect(action).toMatchObject({ segmentName: 'Action movies', totalImpressions: 23_000, totalClicks: 330, totalSpendMinor: 18_550, campaignsCount: 1, lastUsed: '2026-11-02', isFatigued: false });
    expect(action.avgRoas).toBeCloseTo(590 / 185.5, 6);
  });

  it('refuses rows in another currency for a stored campaign, changing nothing', async () => {
    const before = await totals();
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync('.tmp', { recursive: true });
    const file = `.tmp/usd-${process.pid}.csv`;
    writeFileSync(file, 'date,campaign_id,impressions,clicks,spend,currency\n2026-11-03,cmp-1,100,1,1.00,USD\n');
    await expect(importInsightsFile(ctx, file)).rejects.toThrow(/stored in EUR/);
    expect(await totals()).toEqual(before);
  });

  it('names the file when it does not exist', async () => {
    await expect(importInsightsFile(ctx, 'nope/missing.csv')).rejects.toBeInstanceOf(InputError);
  });
});
