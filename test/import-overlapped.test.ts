// A canonical import (on PGlite and on PostgreSQL) reads the file in a worker while it writes the rows,
// and builds the segment table from the sums it read when the store's segment rows are exactly the
// ones it wrote. Both must leave the store as reading the whole file first and summing the table
// in SQL does: the same rows, the same segment table, and nothing at all when the file is refused.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.ts';
import { importCanonicalOverlapped } from '../src/services/canonical-import.ts';
import { ImportRejectedError } from '../src/services/errors.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { refreshSegmentPerformance } from '../src/services/segment-performance.ts';
import { CurrencyConflictError } from '../src/store/insights.ts';
import { openStreamedAndReadFirst, type TestContext, usingPostgres } from './helpers/db.ts';

const HEADER = 'date,campaign_id,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency';

/**
 * Rows of `campaigns` over `days` days from 2026-10-01: per day a plain row per country and rows of
 * three interests, one of them named differently on different rows (the table keeps the name the
 * database's collation puts last), with some unknown reach, conversions and revenue.
 */
function csv(campaigns: readonly { id: string; currency: string }[], firstDay: number, days: number, scale = 1): string {
  const lines = [HEADER];
  for (let d = firstDay; d < firstDay + days; d++) {
    const date = `2026-10-${String(d).padStart(2, '0')}`;
    for (const [ci, c] of campaigns.entries()) {
      for (const country of ['ES', 'MX']) lines.push(`${date},${c.id},as-${ci},,,,${country},,,${1000 * scale + d},${500 + d},${10 + d},${d % 3},${(12.34 * scale).toFixed(2)},${d % 4 === 0 ? '' : '20.00'},${c.currency}`);
      for (const [si, name] of ['Comedy', d % 2 === 0 ? 'a-name' : 'B-name', 'Action "movies", old'].entries()) {
        const reach = (d + si) % 5 === 0 ? '' : String(100 + si);
        const conversions = (d + si) % 3 === 0 ? '' : String(si);
        const revenue = (d + si) % 4 === 0 ? '' : `${(si + 1) * 3}.50`;
        lines.push(`${date},${c.id},as-${ci},interest,600${si},"${name.replaceAll('"', '""')}",,,,${(200 + 17 * si + d) * scale},${reach},${5 + si},${conversions},${(1.5 + si).toFixed(2)},${revenue},${c.currency}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

let files = 0;
function write(text: string): string {
  mkdirSync('.tmp', { recursive: true });
  const file = `.tmp/overlapped-${process.pid}-${files++}.csv`;
  writeFileSync(file, text);
  return file;
}

describe(`canonical import, read while written, on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let other: TestContext;
  // The same store without COPY (Db.copyCsv): the file is read whole first, the rows written after.
  let readFirst: AppContext;
  beforeAll(async () => {
    ({ ctx, other, readFirst } = await openStreamedAndReadFirst());
  });
  afterAll(async () => {
    await ctx.close();
    await other.close();
  });

  const rows = (c: AppContext) => c.db.query<{ r: string }>(
    `select row_to_json(i)::text as r from (select date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender,
       impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source from insights) i
     order by campaign_id, date, adset_id, segment_type, segment_id, country, age, gender`,
  );
  const table = async (c: AppContext) => (await c.db.query<{ r: string }>(
    `select row_to_json(s)::text as r from (select segment_type, segment_id, segment_name, currency, total_impressions, total_clicks, total_conversions,
       total_spend_minor, total_revenue_minor, avg_ctr, avg_cvr, avg_roas, campaigns_count, last_used, is_fatigued, fatigue_reason from segment_performance) s
     order by segment_type, segment_id, currency`,
  )).map((x) => x.r);
  /** The segment table as it stands, and as the SQL pass over every stored row makes it. */
  const tableAndSqlTable = async (c: AppContext) => {
    const built = await table(c);
    await c.db.transaction((tx) => refreshSegmentPerformance(tx, c.config.engine));
    return { built, sql: await table(c) };
  };
  const expectSame = async () => {
    expect(await rows(ctx)).toEqual(await rows(readFirst));
    const a = await tableAndSqlTable(ctx);
    const b = await tableAndSqlTable(readFirst);
    expect(a.built.length).toBeGreaterThan(0);
    expect(a.built).toEqual(a.sql);
    expect(b.built).toEqual(b.sql);
    expect(a.built).toEqual(b.built);
  };

  const eur = [{ id: 'c1', currency: 'EUR' }, { id: 'c2', currency: 'EUR' }];

  it('stores the same rows and segment table on a new store, on re-import, beside other rows and replacing some', async () => {
    const first = write(csv(eur, 1, 20));
    const a = await importInsightsFile(ctx, first);
    const b = await importInsightsFile(readFirst, first);
    expect(a).toEqual({ ...b, durationMs: a.durationMs });
    await expectSame();
    // Every row replaced, with other numbers.
    const again = write(csv(eur, 1, 20, 3));
    await importInsightsFile(ctx, again);
    await importInsightsFile(readFirst, again);
    await expectSame();
    // Another campaign beside the stored ones, in another currency.
    const usd = write(csv([{ id: 'c3', currency: 'USD' }], 5, 10));
    await importInsightsFile(ctx, usd);
    await importInsightsFile(readFirst, usd);
    await expectSame();
    // Some rows replaced, some new, the others kept.
    const overlap = write(csv(eur, 15, 12, 2));
    await importInsightsFile(ctx, overlap);
    await importInsightsFile(readFirst, overlap);
    await expectSame();
  });

  it('writes batch by batch, replacing stored rows only where a batch meets them', async () => {
    await ctx.db.query('delete from insights');
    await other.db.query('delete from insights');
    const base = write(csv(eur, 1, 10));
    await importInsightsFile(ctx, base);
    await importInsightsFile(readFirst, base);
    // c4 first (new), then c1 over stored days and new ones: batches of 7 rows take both paths.
    const mixed = write(csv([{ id: 'c4', currency: 'EUR' }, { id: 'c1', currency: 'EUR' }], 6, 10, 5));
    await importCanonicalOverlapped(ctx, mixed, { defaultCurrency: 'EUR', skipInvalid: false, batchRows: 7 });
    await importInsightsFile(readFirst, mixed);
    await expectSame();
  });

  it("an older export's daily budget does not replace the stored one, on either path, and the report says so", async () => {
    const withBudget = (text: string, day: string, budget: string) => {
      const [header, ...rest] = text.trimEnd().split('\n');
      return `${header},daily_budget\n${rest.map((l) => `${l},${l.startsWith(day) ? budget : ''}`).join('\n')}\n`;
    };
    const current = write(withBudget(csv([{ id: 'cb', currency: 'EUR' }], 10, 3), '2026-10-12', '100'));
    const backfill = write(withBudget(csv([{ id: 'cb', currency: 'EUR' }], 1, 3), '2026-10-03', '5'));
    const budget = async () => Number((await ctx.db.query<{ b: number }>(`select daily_budget_minor::float8 as b from campaigns where campaign_id = 'cb'`))[0]!.b);
    expect((await importInsightsFile(ctx, current)).dailyBudgets).toEqual({ cb: 100 });
    const report = await importInsightsFile(ctx, backfill);
    expect(report.dailyBudgets).toEqual({});
    expect(report.budgetsNotStored).toEqual(["cb: the file's daily budget was not stored: its rows end on 2026-10-03, before the stored 2026-10-12 (an older export's budget is not the campaign's budget now)"]);
    expect(await budget()).toBe(10_000);
    const again = await importCanonicalOverlapped(ctx, backfill, { defaultCurrency: 'EUR', skipInvalid: false });
    expect(again.olderBudgets.map((o) => o.campaignId)).toEqual(['cb']);
    expect(await budget()).toBe(10_000);
  });

  it('changes nothing when a late batch meets a campaign stored in another currency, or a late line is bad', async () => {
    const before = await rows(ctx);
    const tableBefore = await table(ctx);
    const lines = csv([{ id: 'c9', currency: 'EUR' }], 1, 6).trimEnd().split('\n');
    const conflict = write(`${[...lines, ...csv([{ id: 'c1', currency: 'USD' }], 1, 2).trimEnd().split('\n').slice(1)].join('\n')}\n`);
    const bad = write(`${[...lines, '2026-10-07,c9,as-0,,,,ES,,,100,50,500,1,1.00,,EUR'].join('\n')}\n`);
    await expect(importCanonicalOverlapped(ctx, conflict, { defaultCurrency: 'EUR', skipInvalid: false, batchRows: 4 })).rejects.toBeInstanceOf(CurrencyConflictError);
    const error = await importCanonicalOverlapped(ctx, bad, { defaultCurrency: 'EUR', skipInvalid: false, batchRows: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems).toEqual([expect.objectContaining({ line: lines.length + 1, field: 'clicks' })]);
    await expect(importInsightsFile(ctx, conflict)).rejects.toThrow(/stored in EUR/);
    await expect(importInsightsFile(ctx, bad)).rejects.toBeInstanceOf(ImportRejectedError);
    // A mistyped year, after the latest day delivery can have reached (the clock's 2026-11-20, and a day for time zones).
    const future = write(`${[...lines, '2062-10-07,c9,as-0,,,,ES,,,100,50,5,1,1.00,,EUR'].join('\n')}\n`);
    const refused = await importInsightsFile(ctx, future).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImportRejectedError);
    expect((refused as ImportRejectedError).problems).toEqual([expect.objectContaining({ line: lines.length + 1, field: 'date', message: expect.stringMatching(/^date 2062-10-07 is after 2026-11-21/) })]);
    expect(await rows(ctx)).toEqual(before);
    expect(await table(ctx)).toEqual(tableBefore);
    expect((await ctx.db.query(`select 1 from campaigns where campaign_id = 'c9'`)).length).toBe(0);
  });
});
