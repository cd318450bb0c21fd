import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsightRow } from '../src/engine/types.ts';
import type { Db } from '../src/store/db.ts';
import { upsertInsights } from '../src/store/insights.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';

// The bulk write path of insights: every value comes back exactly as written, on both drivers.
function row(overrides: Partial<InsightRow>): InsightRow {
  return {
    date: '2026-11-01', campaignId: 'w1', adsetId: 'a1', segmentType: 'interest', segmentId: '6003', segmentName: 'Comedy',
    country: 'ES', age: '25-34', gender: 'female', impressions: 1000, reach: 800, clicks: 20, conversions: 2, spendMinor: 1234, revenueMinor: 5678, currency: 'EUR',
    ...overrides,
  };
}

interface Stored { segment_id: string; segment_name: string; adset_id: string; country: string; reach: number | null; conversions: number | null; revenue_minor: number | null; impressions: number; spend_minor: number; source: string }

async function stored(db: Db, campaignId: string): Promise<Stored[]> {
  return db.query<Stored>(
    `select segment_id, segment_name, adset_id, country, reach::float8 as reach, conversions::float8 as conversions, revenue_minor::float8 as revenue_minor,
            impressions::float8 as impressions, spend_minor::float8 as spend_minor, source
     from insights where campaign_id = $1 order by segment_id`,
    [campaignId],
  );
}

describe(`writing insights on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  const awkward = [
    row({ segmentId: '1', segmentName: 'say "hi", then\nleave' }),
    row({ segmentId: '2', segmentName: '', adsetId: '', country: '', reach: null, conversions: null, revenueMinor: null }),
    row({ segmentId: '3', segmentName: 'NULL', impressions: 9007199254740991, spendMinor: 0 }),
    row({ segmentId: '4', segmentName: '\\N ñ 広告 ,;\t\r', revenueMinor: 0 }),
  ];

  it('stores every value exactly: quotes, separators, line breaks, empty strings apart from unknowns, the largest safe integer', async () => {
    await db.transaction((tx) => upsertInsights(tx, awkward, 'csv'));
    expect(await stored(db, 'w1')).toEqual([
      { segment_id: '1', segment_name: 'say "hi", then\nleave', adset_id: 'a1', country: 'ES', reach: 800, conversions: 2, revenue_minor: 5678, impressions: 1000, spend_minor: 1234, source: 'csv' },
      { segment_id: '2', segment_name: '', adset_id: '', country: '', reach: null, conversions: null, revenue_minor: null, impressions: 1000, spend_minor: 1234, source: 'csv' },
      { segment_id: '3', segment_name: 'NULL', adset_id: 'a1', country: 'ES', reach: 800, conversions: 2, revenue_minor: 5678, impressions: 9007199254740991, spend_minor: 0, source: 'csv' },
      { segment_id: '4', segment_name: '\\N ñ 広告 ,;\t\r', adset_id: 'a1', country: 'ES', reach: 800, conversions: 2, revenue_minor: 0, impressions: 1000, spend_minor: 1234, source: 'csv' },
    ]);
  });

  it('replaces stored keys and adds new ones in one write', async () => {
    await db.transaction((tx) => upsertInsights(tx, [row({ segmentId: '1', segmentName: 'renamed', impressions: 7, reach: null }), row({ segmentId: '5' })], 'meta'));
    const after = await stored(db, 'w1');
    expect(after.map((r) => r.segment_id)).toEqual(['1', '2', '3', '4', '5']);
    expect(after[0]).toMatchObject({ segment_name: 'renamed', impressions: 7, reach: null, source: 'meta' });
    expect(after[1]).toMatchObject({ segment_name: '', source: 'csv' });
    expect(after[4]).toMatchObject({ segment_name: 'Comedy', source: 'meta' });
  });

  it('leaves nothing behind when a row is refused, and can write again in the same connection', async () => {
    await expect(db.transaction((tx) => upsertInsights(tx, [row({ segmentId: '6' }), row({ segmentId: '7', clicks: -1 })], 'csv'))).rejects.toThrow();
    await expect(db.transaction((tx) => upsertInsights(tx, [row({ segmentId: '1' }), row({ segmentId: '8', impressions: 1.5 })], 'csv'))).rejects.toThrow();
    expect((await stored(db, 'w1')).map((r) => r.segment_id)).toEqual(['1', '2', '3', '4', '5']);
    expect((await stored(db, 'w1'))[0]!.segment_name).toBe('renamed');
    await db.transaction((tx) => upsertInsights(tx, [row({ segmentId: '1', segmentName: 'again' })], 'csv'));
    expect((await stored(db, 'w1'))[0]!.segment_name).toBe('again');
  });

  it('marks the sources it wrote, and a store holding real rows refuses synthetic ones, new or replacing', async () => {
    const sources = (await db.query<{ source: string }>('select source from data_sources order by source')).map((r) => r.source);
    expect(sources).toEqual(expect.arrayContaining(['csv', 'meta']));
    await expect(db.transaction((tx) => upsertInsights(tx, [row({ campaignId: 'w2' })], 'stub'))).rejects.toThrow(/synthetic_into_real/);
    await expect(db.transaction((tx) => upsertInsights(tx, [row({ segmentId: '1' })], 'stub'))).rejects.toThrow(/synthetic_into_real/);
    expect(await stored(db, 'w2')).toEqual([]);
  });
});
