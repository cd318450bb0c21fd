// The segment table's sums (loadSegmentAggregates): per segment and currency across campaigns,
// its recent days counted back from the segment's own last day, on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.ts';
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
  beforeAll(async () => {
    db = await openTestDb();
    for (const c of ['c1', 'c2']) await db.query(`insert into campaigns (campaign_id, currency, source) values ($1, 'EUR', 'test')`, [c]);
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('c3', 'USD', 'test')`);
    for (const [campaign, date, id, country, impressions, clicks, conversions, spend, revenue, currency] of rows) {
      await db.query(
        `insert into insights (date, campaign_id, segment_type, segment_id, segment_name, country, impressions, clicks, conversions, spend_minor, revenue_minor, currency, source)
         values ($1, $2, 'interest', $3, $4, $5, $6, $7, $8, $9, $10, $11, 'test')`,
        [date, campaign, id, `name ${campaign}`, country, impressions, clicks, conversions, spend, revenue, currency],
      );
    }
  });
  afterAll(async () => {
    await db.close();
  });

  it('adds every row of a segment across campaigns, and its recent days back from its own last day', async () => {
    const found = await loadSegmentAggregates(db, 7);
    const byKey = new Map(found.map((a) => [`${a.segmentId} ${a.currency}`, a]));
    expect(found).toHaveLength(3);
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
  });
});
