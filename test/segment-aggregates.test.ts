// The segment table's sums (loadSegmentAggregates): per segment and currency across campaigns,
// its recent days counted back from the segment's own last day, and its own rows apart from the
// equal shares of blended ad set-days, on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.ts';
import type { InsightRow } from '../src/engine/types.ts';
import { addSegmentDay, emptySegmentDays, segmentAggregatesOf } from '../src/store/segment-days.ts';
import { loadSegmentAggregates } from '../src/store/segments.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';

describe(`segment aggregates on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  // [campaign, date, segment id, country, impressions, clicks, conversions, spend_minor, revenue_minor, currency]
  const rows: [string, string, string, string, number, number, number | null, number, number | null, string][] = [
    ['c1', '2026-11-01', 's1', '', 1000, 10, 1, 500, 2000, 'EUR'],
    ['c1', '2026-11-10', 's1', '', 2000, 30, null, 700, null, 'EUR'],
    ['c1', '2026-11-10', 's1', 'ES', 300, 3, 0, 100, 0, 'EUR'],
    ['c2', '2026-11-12', 's1', '', 4000, 50, 2, 900, 5000, 'EUR'],
    ['c2', '2026-11-04', 's1', '', 500, 5, 0, 50, 0, 'EUR'],
    ['c3', '2026-11-02', 's1', '', 700, 7, 1, 70, 400, 'USD'],
    ['c1', '2026-11-03', 's2', '', 100, 1, 0, 10, 0, 'EUR'],
  ];
  // [ad set, date, segment id, impressions, clicks, conversions, spend_minor, revenue_minor] of campaign c4 (EUR)
  const blended: [string, string, string, number, number, number | null, number, number | null][] = [
    // Equal shares of one delivery.
    ['b', '2026-11-05', 's3', 1000, 10, 1, 500, 2000],
    ['b', '2026-11-05', 's4', 1000, 10, 1, 500, 2000],
    // Shares too: within one of each other, an unknown conversion count left out of the comparison.
    ['b', '2026-11-06', 's3', 1001, 10, 1, 501, 2000],
    ['b', '2026-11-06', 's4', 1000, 11, null, 500, 2001],
    // Two segments' own figures.
    ['b', '2026-11-07', 's3', 1000, 10, 1, 500, 2000],
    ['b', '2026-11-07', 's4', 1500, 10, 1, 500, 2000],
    // One row of an ad set-day is the segment's own.
    ['c', '2026-11-05', 's3', 800, 4, 0, 300, 0],
  ];
  beforeAll(async () => {
    db = await openTestDb();
    for (const c of ['c1', 'c2', 'c4']) await db.query(`insert into campaigns (campaign_id, currency, source) values ($1, 'EUR', 'test')`, [c]);
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('c3', 'USD', 'test')`);
    for (const [campaign, date, id, country, impressions, clicks, conversions, spend, revenue, currency] of rows) {
      await db.query(
        `insert into insights (date, campaign_id, segment_type, segment_id, segment_name, country, impressions, clicks, conversions, spend_minor, revenue_minor, currency, source)
         values ($1, $2, 'interest', $3, $4, $5, $6, $7, $8, $9, $10, $11, 'test')`,
        [date, campaign, id, `name ${campaign}`, country, impressions, clicks, conversions, spend, revenue, currency],
      );
    }
    for (const [adset, date, id, impressions, clicks, conversions, spend, revenue] of blended) {
      await db.query(
        `insert into insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, impressions, clicks, conversions, spend_minor, revenue_minor, currency, source)
         values ($1, 'c4', $2, 'interest', $3, $3, $4, $5, $6, $7, $8, 'EUR', 'test')`,
        [date, adset, id, impressions, clicks, conversions, spend, revenue],
      );
    }
  });
  afterAll(async () => {
    await db.close();
  });

  it('adds every row of a segment across campaigns, and its recent days back from its own last day', async () => {
    const found = await loadSegmentAggregates(db, 7);
    const byKey = new Map(found.map((a) => [`${a.segmentId} ${a.currency}`, a]));
    expect(found).toHaveLength(5);
    const s1 = byKey.get('s1 EUR')!;
    expect(s1).toMatchObject({ segmentName: 'name c2', campaignsCount: 2, lastUsed: '2026-11-12' });
    expect(s1.total).toEqual({
      impressions: 7800, clicks: 98, spendMinor: 2250, reach: 0, impressionsWithReach: 0,
      conversions: 3, clicksWithConversions: 68, revenueMinor: 7000, spendWithRevenueMinor: 1550,
    });
    // Last day 2026-11-12: the 7 recent days are 11-06 to 11-12 (both of c1's rows of 11-10, c2's 11-12).
    expect(s1.recent).toEqual({
      impressions: 6300, clicks: 83, spendMinor: 1700, reach: 0, impressionsWithReach: 0,
      conversions: 2, clicksWithConversions: 53, revenueMinor: 5000, spendWithRevenueMinor: 1000,
    });
    expect(byKey.get('s1 USD')).toMatchObject({ campaignsCount: 1, lastUsed: '2026-11-02', total: { impressions: 700 }, recent: { impressions: 700 } });
    expect(byKey.get('s2 EUR')).toMatchObject({ campaignsCount: 1, lastUsed: '2026-11-03', recent: { impressions: 100 } });
    // No ad set-day of these is shared: their own rows are all their rows.
    for (const key of ['s1 EUR', 's1 USD', 's2 EUR']) expect(byKey.get(key)!.own).toEqual({ total: byKey.get(key)!.total, recent: byKey.get(key)!.recent });
  });

  it('keeps the equal shares of a blended ad set-day in the totals and out of the own rows', async () => {
    const found = await loadSegmentAggregates(db, 2);
    const s3 = found.find((a) => a.segmentId === 's3')!;
    const s4 = found.find((a) => a.segmentId === 's4')!;
    expect(s3.total).toMatchObject({ impressions: 3801, clicks: 34, conversions: 3, spendMinor: 1801, revenueMinor: 6000 });
    // Own: ad set b's 11-07 and ad set c's 11-05; the recent 2 days (11-06, 11-07) only b's 11-07.
    expect(s3.own.total).toEqual({
      impressions: 1800, clicks: 14, spendMinor: 800, reach: 0, impressionsWithReach: 0,
      conversions: 1, clicksWithConversions: 14, revenueMinor: 2000, spendWithRevenueMinor: 800,
    });
    expect(s3.recent).toMatchObject({ impressions: 2001, clicks: 20 });
    expect(s3.own.recent).toMatchObject({ impressions: 1000, clicks: 10 });
    expect(s4.total).toMatchObject({ impressions: 3500, clicks: 31 });
    expect(s4.own.total).toMatchObject({ impressions: 1500, clicks: 10, conversions: 1, spendMinor: 500, revenueMinor: 2000 });
  });

  it('sums an import in memory only where no ad set-day of it is shared, for the database to tell the shares apart', async () => {
    const row = (adsetId: string, segmentId: string, impressions: number, country = ''): InsightRow => ({
      date: '2026-11-05', campaignId: 'c9', adsetId, segmentType: 'interest', segmentId, segmentName: segmentId, country, age: '', gender: '',
      impressions, reach: null, clicks: 10, conversions: 1, spendMinor: 500, revenueMinor: 2000, currency: 'EUR',
    });
    const sumsOf = (rows: InsightRow[]) => {
      const days = emptySegmentDays();
      for (const r of rows) addSegmentDay(days, r);
      return segmentAggregatesOf(db, days, 7);
    };
    // Own figures: one row of an ad set-day, rows that differ, rows that agree but carry a country.
    const own = await sumsOf([row('a', 's5', 1000), row('b', 's5', 1000), row('b', 's6', 1500), row('c', 's5', 1000, 'ES'), row('c', 's6', 1000, 'ES')]);
    expect(own).toHaveLength(2);
    for (const a of own!) expect(a.own).toEqual({ total: a.total, recent: a.recent });
    expect(await sumsOf([row('a', 's5', 1000), row('b', 's5', 1000), row('b', 's6', 1001)])).toBeNull();
  });
});
