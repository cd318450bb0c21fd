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

describe(`a LIVE geo split read back as one ad set, on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  const window = { start: '2026-11-01', end: '2026-11-20', recentStart: '2026-11-14' };
  const insert = (date: string, adsetId: string, segmentId: string, country: string, impressions: number, spendMinor: number) =>
    db.query(
      `insert into insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, impressions, clicks, spend_minor, conversions, revenue_minor, currency, source)
       values ($1, 'split', $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, 'EUR', 'test')`,
      [date, adsetId, segmentId === '' ? '' : 'interest', segmentId, country, impressions, Math.round(impressions / 100), spendMinor, Math.round(impressions / 1000), Math.round(impressions / 1000) * 4_000],
    );
  /** One day of an ad set: its country rows, and its delivery credited in equal shares to Running and Yoga (as LIVE sync credits an ad set of two interests). */
  const day = async (date: string, adsetId: string, countries: Record<string, number>) => {
    let impressions = 0;
    let spend = 0;
    for (const [country, n] of Object.entries(countries)) {
      await insert(date, adsetId, '', country, n, n / 10);
      impressions += n;
      spend += n / 10;
    }
    for (const segment of ['running', 'yoga']) await insert(date, adsetId, segment, '', impressions / 2, spend / 2);
  };
  const dates = Array.from({ length: 20 }, (_, i) => addCalendarDays(window.start, i));
  beforeAll(async () => {
    db = await openTestDb();
    await db.query(`insert into campaigns (campaign_id, currency, source) values ('split', 'EUR', 'test')`);
    // a1 delivers ES and FR for ten days; then its split keeps ES on a1 and moves FR to its copy c1. a2 is another ad set.
    for (const [i, date] of dates.entries()) {
      if (i < 10) await day(date, 'a1', { ES: 20_000, FR: 10_000 + 200 * i });
      else {
        await day(date, 'a1', { ES: 24_000 });
        await day(date, 'c1', { FR: 14_000 + 200 * i });
      }
      await day(date, 'a2', { ES: 8_000 });
    }
    await db.query(`insert into meta_adset_splits (source_adset_id, group_key, adset_id, campaign_id, name, created_at) values ('a1', 'ES', 'a1', 'split', 'A1 [geo ES]', now()), ('a1', 'FR', 'c1', 'split', 'A1 [geo FR]', now())`);
  });
  afterAll(async () => {
    await db.close();
  });

  it('adds each copy\'s rows to its original\'s, by country and day, and counts a day both delivered once', async () => {
    const snapshot = await loadCampaignSnapshot(db, 'split', 'EUR', window);
    expect(snapshot.adsets.map((a) => a.adsetId)).toEqual(['a1', 'a2']);
    const a1 = snapshot.adsets[0]!;
    const fr = a1.countries.find((c) => c.countryCode === 'FR')!;
    // FR's twenty days: ten from a1 before the split, ten from its copy after.
    expect(fr.daily!.map((d) => [d.date, d.impressions])).toEqual(dates.map((date, i) => [date, (i < 10 ? 10_000 : 14_000) + 200 * i]));
    expect(fr.total.spendMinor).toBe(fr.daily!.reduce((s, d) => s + d.spendMinor, 0));
    expect(a1.countries.find((c) => c.countryCode === 'ES')!.daily).toHaveLength(20);
    // The ad set's total: every country of the original and its copy, each day.
    const impressionsOn = (i: number) => (i < 10 ? 30_000 + 200 * i : 38_000 + 200 * i);
    expect(a1.total.impressions).toBe(dates.reduce((s, _, i) => s + impressionsOn(i), 0));
    // Both interests: delivered on each of the 20 days (by a1 and c1 alike after the split), their shares one blend day each.
    for (const s of a1.segments) {
      expect(s.activeDays).toBe(20);
      expect(s.total.impressions).toBe(a1.total.impressions / 2);
      expect(s.shared!.impressions).toBe(s.total.impressions);
    }
    expect(a1.blends).toHaveLength(1);
    expect(a1.blends![0]!).toMatchObject({ days: 20, total: { impressions: a1.total.impressions } });
    // The other ad set is read as before.
    expect(snapshot.adsets[1]!.blends![0]!.days).toBe(20);
  });

  it('without the split recorded, the copy is an ad set of its own', async () => {
    await db.query(`delete from meta_adset_splits where adset_id = 'c1'`);
    const snapshot = await loadCampaignSnapshot(db, 'split', 'EUR', window);
    expect(snapshot.adsets.map((a) => a.adsetId)).toEqual(['a1', 'a2', 'c1']);
    expect(snapshot.adsets[0]!.countries.find((c) => c.countryCode === 'FR')!.daily).toHaveLength(10);
  });
});
