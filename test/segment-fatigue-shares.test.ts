// The segment table's fatigue verdict reads a segment's own rows. An equal share of a blended ad
// set's day (how LIVE sync credits an ad set of several interests, Meta having no interest
// breakdown) is the ad set's figure: when the ad set's click rate falls, every member's share falls
// alike, whichever member tired. The table keeps those shares in its totals, not in the verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { refreshSegmentPerformance } from '../src/services/segment-performance.ts';
import { listSegmentPerformance } from '../src/store/segments.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

const HEADER = 'date,campaign_id,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency';

/** 14 days; the click rate of every falling row drops from 2 % to 0.5 % in the last 7. */
function csv(): string {
  const lines = [HEADER];
  for (let d = 1; d <= 14; d++) {
    const date = `2026-10-${String(d).padStart(2, '0')}`;
    const falling = d <= 7 ? 100 : 25;
    const row = (adset: string, id: string, name: string, impressions: number, clicks: number) => lines.push(`${date},c1,${adset},interest,${id},${name},,,,${impressions},,${clicks},2,10.00,40.00,EUR`);
    // Ad set "blend" targets two interests: its day is credited to each in equal shares.
    row('blend', '7001', 'Shared one', 5000, falling);
    row('blend', '7002', 'Shared two', 5000, falling);
    // Ad set "solo" targets one interest: its rows are the interest's own.
    row('solo', '7003', 'Alone', 5000, falling);
    // Ad set "pair" reports each interest's own figures, which differ.
    row('pair', '7004', 'Tiring', 5000, falling);
    row('pair', '7005', 'Steady', 4000, 80);
  }
  return `${lines.join('\n')}\n`;
}

describe(`the segment table's fatigue verdict on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
    mkdirSync('.tmp', { recursive: true });
    const file = `.tmp/fatigue-shares-${process.pid}.csv`;
    writeFileSync(file, csv());
    await importInsightsFile(ctx, file);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const table = async () => new Map((await listSegmentPerformance(ctx.db, { segmentType: null, limit: 100 })).map((r) => [r.segmentId, r]));

  it('judges a segment on its own rows, and counts the shares in its totals', async () => {
    const byId = await table();
    expect(byId.size).toBe(5);
    for (const id of ['7003', '7004']) expect(byId.get(id)).toMatchObject({ isFatigued: true, fatigueReason: expect.stringMatching(/^CTR fell 75%/) });
    for (const id of ['7001', '7002', '7005']) expect(byId.get(id)).toMatchObject({ isFatigued: false, fatigueReason: null });
    expect(byId.get('7001')).toMatchObject({ totalImpressions: 70_000, totalClicks: 875, totalSpendMinor: 14_000 });
  });

  it('builds the same table in the import as the pass over every stored row', async () => {
    const built = await table();
    await ctx.db.transaction((tx) => refreshSegmentPerformance(tx, ctx.config.engine));
    expect(await table()).toEqual(built);
  });
});
