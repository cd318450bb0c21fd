// The campaign snapshot the engine decides from, read from the store: here, the days with delivery
// of each segment (the bayes set choice sizes a segment by its impressions per such day), counted
// exactly whether a segment's rows stand alone or also carry a country, age or gender.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.ts';
import { addCalendarDays } from '../src/engine/calendar.ts';
import { FATIGUE_FIT_DAYS } from '../src/engine/fatigue-fit.ts';
import { loadCampaignSnapshot } from '../src/store/snapshot.ts';
import { upsertSegmentSizes } from '../src/store/insights.ts';
import type { InsightRow } from '../src/engine/types.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';

describe(`campaign snapshot on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('snap', 'EUR', 'test')`);
    const row = (date: string, segmentId: string, country: string, age: string, impressions: number) =>
      db.query(
        `insert into insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, impressions, clicks, spend_minor, currency, source)
         values ($1, 'snap', 'a1', 'interest', $2, $2, $3, $4, $5, 1, 100, 'EUR', 'test')`,
        [date, segmentId, country, age, impressions],
      );
    // plain: one row a day on three days, one of them without delivery.
    await row('2026-11-01', 'plain', '', '', 100);
    await row('2026-11-02', 'plain', '', '', 0);
    await row('2026-11-03', 'plain', '', '', 50);
    // by-country: two rows a day (ES and FR) on two days.
    for (const date of ['2026-11-01', '2026-11-02']) for (const country of ['ES', 'FR']) await row(date, 'by-country', country, '', 40);
    // mixed: a plain row on one day, age rows on that day and on another, and a day before the window.
    await row('2026-11-01', 'mixed', '', '', 30);
    await row('2026-11-01', 'mixed', '', '25-34', 10);
    await row('2026-11-03', 'mixed', '', '35-44', 10);
    await row('2026-10-01', 'mixed', '', '', 999);
  });
  afterAll(async () => {
    await db.close();
  });

  it('counts each segment\'s days with delivery in the window, once a day whatever its breakdowns', async () => {
    const snapshot = await loadCampaignSnapshot(db, 'snap', 'EUR', { start: '2026-10-25', end: '2026-11-03', recentStart: '2026-11-01' }, { segmentDays: false });
    const days = Object.fromEntries(snapshot.adsets.flatMap((a) => a.segments).map((s) => [s.segmentId, s.activeDays]));
    expect(days).toEqual({ plain: 2, 'by-country': 2, mixed: 2 });
  });

  it('gives a segment the audience size a source stated with its latest day, and none to the others', async () => {
    const row = (date: string, segmentId: string, segmentSize: number): InsightRow => ({
      date, campaignId: 'snap', adsetId: 'a1', segmentType: 'interest', segmentId, segmentName: segmentId, country: '', age: '', gender: '',
      impressions: 1, reach: null, clicks: 0, conversions: null, spendMinor: 0, revenueMinor: null, currency: 'EUR', segmentSize,
    });
    expect(await upsertSegmentSizes(db, [row('2026-11-02', 'plain', 5_000), row('2026-11-01', 'plain', 4_000), row('2026-11-01', 'mixed', 900)], 'csv')).toBe(2);
    // An older statement does not replace a newer one.
    await upsertSegmentSizes(db, [row('2026-10-01', 'plain', 1)], 'csv');
    const snapshot = await loadCampaignSnapshot(db, 'snap', 'EUR', { start: '2026-10-25', end: '2026-11-03', recentStart: '2026-11-01' }, { segmentDays: false });
    const sizes = Object.fromEntries(snapshot.adsets.flatMap((a) => a.segments).map((s) => [s.segmentId, s.size ?? null]));
    expect(sizes).toEqual({ plain: { lower: 5_000, upper: 5_000, source: 'csv' }, 'by-country': null, mixed: { lower: 900, upper: 900, source: 'csv' } });
  });

  it('gives the fatigue fit\'s candidates daily points over the window\'s last FATIGUE_FIT_DAYS only', async () => {
    // 60 days of a segment whose CTR halves in its last week: a candidate for the fit.
    const end = '2026-12-31';
    for (let i = 0; i < 60; i++) {
      const date = addCalendarDays(end, -i);
      await db.query(
        `insert into insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, impressions, clicks, spend_minor, currency, source)
         values ($1, 'snap', 'a1', 'interest', 'tiring', 'tiring', 10000, $2, 1000, 'EUR', 'test')`,
        [date, i < 7 ? 100 : 200],
      );
    }
    const snapshot = await loadCampaignSnapshot(db, 'snap', 'EUR', { start: addCalendarDays(end, -59), end, recentStart: addCalendarDays(end, -6) });
    const tiring = snapshot.adsets.flatMap((a) => a.segments).find((s) => s.segmentId === 'tiring')!;
    expect(tiring.activeDays).toBe(60);
    expect(tiring.daily).toHaveLength(FATIGUE_FIT_DAYS);
    expect(tiring.daily![0]!.date).toBe(addCalendarDays(end, -(FATIGUE_FIT_DAYS - 1)));
    expect(tiring.daily!.at(-1)!.date).toBe(end);
  });
});
