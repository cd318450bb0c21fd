// On PostgreSQL a canonical import streams as it does on the embedded database: the worker's batches
// go in by COPY FROM STDIN on the import's own transaction (Db.copyCsv), so the file is never held
// whole in memory, and a refused file leaves nothing even when batches were copied before its
// problem was read. The store must end as the read-first path leaves it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.ts';
import { ImportRejectedError, InputError } from '../src/services/errors.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { importUploadedFile } from '../src/services/upload-import.ts';
import { listAuditEntries } from '../src/store/audit.ts';
import type { Db } from '../src/store/db.ts';
import { openStreamedAndReadFirst, type TestContext, usingPostgres } from './helpers/db.ts';

const HEADER = 'date,campaign_id,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency';

/** Per day of October 2026 from `firstDay`, for each campaign: a row per country and per interest, with some unknown cells. */
function lines(campaigns: readonly { id: string; currency: string }[], firstDay: number, days: number): string[] {
  const out: string[] = [];
  for (let d = firstDay; d < firstDay + days; d++) {
    const date = `2026-10-${String(d).padStart(2, '0')}`;
    for (const c of campaigns) {
      for (const country of ['ES', 'MX', 'AR', 'CO']) out.push(`${date},${c.id},as-1,,,,${country},,,${1000 + d},${500 + d},${10 + d},${d % 3},12.34,${d % 4 === 0 ? '' : '20.00'},${c.currency}`);
      for (let si = 0; si < 16; si++) {
        const name = si === 3 ? '"Action ""movies"", old"' : `Interest ${si}`;
        out.push(`${date},${c.id},as-1,interest,600${si},${name},,,,${200 + 17 * si + d},${(d + si) % 5 === 0 ? '' : 100 + si},${5 + si},${(d + si) % 3 === 0 ? '' : si},${(1.5 + si).toFixed(2)},${(d + si) % 4 === 0 ? '' : `${si + 1}.50`},${c.currency}`);
      }
    }
  }
  return out;
}

let files = 0;
function write(body: readonly string[]): string {
  mkdirSync('.tmp', { recursive: true });
  const file = `.tmp/pg-copy-${process.pid}-${files++}.csv`;
  writeFileSync(file, `${[HEADER, ...body].join('\n')}\n`);
  return file;
}

/** The database, recording each COPY that the server accepted: its target and how many rows it carried. */
function recordingCopies(db: Db): { db: Db; copies: { target: string; rows: number }[] } {
  const copies: { target: string; rows: number }[] = [];
  const wrap = (inner: Db): Db => ({
    kind: inner.kind,
    close: () => inner.close(),
    query: (sql, params) => inner.query(sql, params),
    transaction: (work) => inner.transaction((tx) => work(wrap(tx))),
    copyCsv: async (target, csv) => {
      await inner.copyCsv!(target, csv);
      copies.push({ target: target.slice(0, target.indexOf(' ')), rows: csv.split('\n').length - 1 });
    },
  });
  return { db: wrap(db), copies };
}

const copiedRows = (copies: readonly { rows: number }[]) => copies.reduce((n, c) => n + c.rows, 0);

describe.skipIf(!usingPostgres)('canonical import on PostgreSQL, streamed by COPY FROM STDIN', () => {
  let ctx: TestContext;
  let other: TestContext;
  let streamed: AppContext;
  let copies: { target: string; rows: number }[];
  // A second store without COPY: the file read whole first, then written (the path before streaming).
  let readFirst: AppContext;
  beforeAll(async () => {
    ({ ctx, other, readFirst } = await openStreamedAndReadFirst());
  });
  afterAll(async () => {
    await ctx?.close();
    await other?.close();
  });
  beforeEach(() => {
    const recording = recordingCopies(ctx.db);
    streamed = { ...ctx, db: recording.db };
    copies = recording.copies;
  });

  const rows = (c: AppContext) => c.db.query<{ r: string }>(
    `select row_to_json(i)::text as r from (select date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender,
       impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source from insights) i
     order by campaign_id, date, adset_id, segment_type, segment_id, country, age, gender`,
  );
  const table = (c: AppContext) => c.db.query<{ r: string }>(
    `select row_to_json(s)::text as r from (select segment_type, segment_id, segment_name, currency, total_impressions, total_clicks, total_conversions,
       total_spend_minor, total_revenue_minor, avg_ctr, avg_cvr, avg_roas, campaigns_count, last_used, is_fatigued, fatigue_reason from segment_performance) s
     order by segment_type, segment_id, currency`,
  );
  const count = async (c: AppContext, sql: string) => (await c.db.query<{ n: number }>(sql))[0]!.n;

  it('copies on the transaction: the rows are seen inside it, gone after a rollback, and a refused row fails the COPY', async () => {
    const target = 'insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender, impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source)';
    const csv = '"2026-10-01","cx","","","","","ES","","","10",,"1",,"100",,"EUR","csv"\n"2026-10-02","cx","","interest","6001","Say ""hi"", then\nleave","","","","10","5","1","0","100","250","EUR","csv"\n';
    const inside = await ctx.db.transaction(async (tx) => {
      await tx.copyCsv!(target, csv);
      return tx.query<{ segment_name: string; reach: number | null; revenue_minor: number | null }>("select segment_name, reach, revenue_minor from insights where campaign_id = 'cx' order by date");
    });
    expect(inside).toEqual([{ segment_name: '', reach: null, revenue_minor: null }, { segment_name: 'Say "hi", then\nleave', reach: 5, revenue_minor: 250 }]);
    await ctx.db.query("delete from insights where campaign_id = 'cx'");

    const undone = ctx.db.transaction(async (tx) => {
      await tx.copyCsv!(target, csv);
      expect(await count({ ...ctx, db: tx }, "select count(*)::int as n from insights where campaign_id = 'cx'")).toBe(2);
      throw new Error('undo');
    });
    await expect(undone).rejects.toThrow('undo');
    expect(await count(ctx, "select count(*)::int as n from insights where campaign_id = 'cx'")).toBe(0);

    // A value the column refuses: the COPY fails with the server's message and the transaction rolls back whole.
    const refused = ctx.db.transaction(async (tx) => {
      await tx.copyCsv!(target, csv);
      await tx.copyCsv!(target, '"2026-10-03","cx","","","","","ES","","","ten",,"1",,"100",,"EUR","csv"\n');
    });
    await expect(refused).rejects.toThrow(/invalid input syntax for type bigint: "ten"/);
    expect(await count(ctx, "select count(*)::int as n from insights where campaign_id = 'cx'")).toBe(0);
    // Outside a transaction, on a connection of the pool, which stays usable after the failure.
    await ctx.db.copyCsv!(target, csv);
    expect(await count(ctx, "select count(*)::int as n from insights where campaign_id = 'cx'")).toBe(2);
    await ctx.db.query("delete from insights where campaign_id = 'cx'");
  });

  it('writes a file batch by batch by COPY, leaving the store, the segment table, the report and the audit as the read-first path does', async () => {
    const eur = [{ id: 'c1', currency: 'EUR' }, { id: 'c2', currency: 'EUR' }, { id: 'c3', currency: 'EUR' }];
    const file = write(lines(eur, 1, 30).concat(lines([{ id: 'c4', currency: 'USD' }], 1, 30)));
    const a = await importInsightsFile(streamed, file);
    const b = await importInsightsFile(readFirst, file);
    expect(a.imported).toBe(4 * 30 * 20);
    expect(a).toEqual({ ...b, durationMs: a.durationMs });
    // Every row went to the server by COPY, in more than one batch (2,000 rows first, then twice as many).
    expect(copies.length).toBeGreaterThan(1);
    expect(copies.every((c) => c.target === 'insights')).toBe(true);
    expect(copiedRows(copies)).toBe(a.imported);
    expect(await rows(ctx)).toEqual(await rows(readFirst));
    expect((await table(ctx)).length).toBeGreaterThan(0);
    expect(await table(ctx)).toEqual(await table(readFirst));
    expect((await listAuditEntries(ctx.db, 1))[0]!.bodySummary).toEqual({ source: 'csv', rows: a.imported, campaigns: 4 });

    // Again, over the stored days: the batches replace stored rows through the temporary table.
    copies.length = 0;
    const again = write(lines([{ id: 'c1', currency: 'EUR' }], 20, 11));
    await importInsightsFile(streamed, again);
    await importInsightsFile(readFirst, again);
    expect(copies.map((c) => c.target)).toContain('insights_incoming');
    expect(await rows(ctx)).toEqual(await rows(readFirst));
    expect(await table(ctx)).toEqual(await table(readFirst));
  });

  it('refuses a file whose late line is bad as a whole, though its first batches were already copied', async () => {
    const before = await rows(ctx);
    const tableBefore = await table(ctx);
    const audits = await count(ctx, 'select count(*)::int as n from audit_log');
    const good = lines([{ id: 'c7', currency: 'EUR' }], 1, 30).concat(lines([{ id: 'c8', currency: 'EUR' }], 1, 30)); // 1,200 rows
    const body = [...good, ...good.map((l) => l.replace(',c7,', ',c9,').replace(',c8,', ',c10,')), ...good.map((l) => l.replace(',c7,', ',c11,').replace(',c8,', ',c12,'))];
    const bad = write([...body, '2026-10-01,c7,as-2,,,,ES,,,100,50,500,1,1.00,,EUR']);
    const error = await importInsightsFile(streamed, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).problems).toEqual([expect.objectContaining({ line: body.length + 2, field: 'clicks' })]);
    expect(copiedRows(copies)).toBe(2_000); // the first batch reached the server inside the transaction
    expect(await rows(ctx)).toEqual(before);
    expect(await table(ctx)).toEqual(tableBefore);
    expect(await count(ctx, "select count(*)::int as n from campaigns where campaign_id in ('c7', 'c8', 'c9', 'c10', 'c11', 'c12')")).toBe(0);
    expect(await count(ctx, 'select count(*)::int as n from audit_log')).toBe(audits);

    // With --skip-invalid the good rows go in, by COPY, and the bad line is reported.
    copies.length = 0;
    const report = await importInsightsFile(streamed, bad, { skipInvalid: true });
    expect(report).toMatchObject({ imported: body.length, skipped: 1, rowsRead: body.length + 1 });
    expect(copiedRows(copies)).toBe(body.length);
    expect((await rows(ctx)).length).toBe(before.length + body.length);
  });

  it('refuses a file whose later batch meets a campaign stored in another currency, leaving nothing of the earlier batches', async () => {
    await importInsightsFile(streamed, write(lines([{ id: 'ceur', currency: 'EUR' }], 1, 2)));
    const before = await rows(ctx);
    copies.length = 0;
    // 2,480 new rows, then the stored campaign's: the first batch (2,000 rows) is copied before the conflict is met.
    const fresh = ['cnew1', 'cnew2', 'cnew3', 'cnew4'].map((id) => ({ id, currency: 'EUR' }));
    const file = write([...lines(fresh, 1, 31), ...lines([{ id: 'ceur', currency: 'USD' }], 3, 2)]);
    const error = await importInsightsFile(streamed, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/campaign ceur is stored in EUR; rows in USD cannot be mixed into it/);
    expect(copiedRows(copies)).toBe(2_000);
    expect(await rows(ctx)).toEqual(before);
    expect(await count(ctx, "select count(*)::int as n from campaigns where campaign_id like 'cnew%'")).toBe(0);
  });

  it('streams an uploaded file too', async () => {
    const content = Buffer.from(`${[HEADER, ...lines([{ id: 'cup', currency: 'EUR' }], 1, 5)].join('\n')}\n`);
    const report = await importUploadedFile(streamed, { fileName: 'export.csv', content, skipInvalid: false });
    expect(report).toMatchObject({ file: 'export.csv', imported: 100, campaigns: ['cup'] });
    expect(copiedRows(copies)).toBe(100);
    expect(await count(ctx, "select count(*)::int as n from insights where campaign_id = 'cup'")).toBe(100);
  });
});
