// Which days a LIVE sync reads (the ad account's calendar, not UTC's), and the after-metrics of
// applied changes that each sync refreshes from the delivery read since the change.
import { describe, expect, it } from 'vitest';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { metaSync } from '../src/services/meta.ts';
import { insertTargetingChange, listTargetingHistory } from '../src/store/history.ts';
import { usingPostgres } from './helpers/db.ts';
import { harness, TOKEN } from './helpers/meta-harness.ts';

describe(`LIVE sync days and after-metrics (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  // 23:30 UTC on 19 November: 15:30 of the 19th in Los Angeles, 08:30 of the 20th in Tokyo.
  const LATE = '2026-11-19T23:30:00Z';

  it.each([
    ['America/Los_Angeles', '2026-11-18', -8],
    ['Asia/Tokyo', '2026-11-19', 9],
  ])('takes "yesterday" in the account\'s time zone (%s at 23:30 UTC → %s) and stores the zone', async (zone, yesterday, offset) => {
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 2, days: 20, timezone: zone });
    const origin = await fake.listen();
    const h = await harness(fake, origin, { META_INSIGHTS_DAYS: '7' }, LATE);
    try {
      const report = await metaSync(h.ctx);
      expect(report.account).toMatchObject({ timezone: zone, lastCompleteDay: yesterday });
      const since = new Date(Date.parse(`${yesterday}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
      expect(report.campaigns[0]!.range).toEqual({ since, until: yesterday });
      const days = await h.db.query<{ first: string; last: string }>(`select to_char(min(date), 'YYYY-MM-DD') as first, to_char(max(date), 'YYYY-MM-DD') as last from insights`);
      expect(days[0]).toEqual({ first: since, last: yesterday });
      // The insights Meta was asked for are exactly that range.
      const asked = fake.requests.filter((r) => r.path.endsWith('/insights')).map((r) => new URLSearchParams(r.query).get('time_range'));
      expect(asked.every((t) => t === JSON.stringify({ since, until: yesterday }))).toBe(true);
      const stored = await h.db.query<{ timezone_name: string; tz: number }>('select timezone_name, timezone_offset_hours::float8 as tz from meta_accounts');
      expect(stored).toEqual([{ timezone_name: zone, tz: offset }]);
    } finally {
      await h.close();
      await fake.close();
    }
  });

  it.each([
    ['UTC', '2026-11-12T10:00:00Z', '2026-11-13'],
    // 23:30 UTC on the 12th is 08:30 of the 13th in Tokyo: the 13th mixes old and new targeting there.
    ['Asia/Tokyo', '2026-11-12T23:30:00Z', '2026-11-14'],
  ])('fills after_ctr/cvr/roas of applied changes from the delivery after the change, as STUB does, from the account\'s next day (%s)', async (zone, appliedAt, firstAfter) => {
    const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 1, adsetsPerCampaign: 2, days: 30, timezone: zone });
    const origin = await fake.listen();
    const h = await harness(fake, origin, { META_INSIGHTS_DAYS: '20' });
    try {
      const campaignId = fake.market.campaigns[0]!.campaignId;
      const adsetId = fake.activeAdsetIds(campaignId)[0]!;
      const change = (adset: string, dryRun: boolean) => insertTargetingChange(h.db, {
        run_id: null, recommendation_id: null, campaign_id: campaignId, adset_id: adset, mode: 'live', dry_run: dryRun,
        applied_at: new Date(appliedAt), old_targeting: {}, new_targeting: { interests: [] },
        before_ctr: 0.01, before_cvr: 0.02, before_roas: 1.5, after_ctr: null, after_cvr: null, after_roas: null, success: true, error_message: null, actor: 'test',
      });
      const applied = await change(adsetId, false);
      const dryRun = await change(adsetId, true);
      await metaSync(h.ctx);

      // The truth: the market's country rows of that ad set from the day after the change to the last day read.
      let impressions = 0, clicks = 0, conversions = 0, spend = 0, revenue = 0;
      for (const r of fake.market.rows()) {
        if (r.adsetId !== adsetId || r.country === '' || r.date < firstAfter || r.date > '2026-11-19') continue;
        impressions += r.impressions;
        clicks += r.clicks;
        conversions += r.conversions ?? 0;
        spend += r.spendMinor;
        revenue += r.revenueMinor ?? 0;
      }
      const rows = await listTargetingHistory(h.db, { campaignId, adsetId: null, limit: 10 });
      const a = rows.find((r) => r.id === applied)!;
      expect(a.after_ctr).toBeCloseTo(clicks / impressions, 12);
      expect(a.after_cvr).toBeCloseTo(conversions / clicks, 12);
      expect(a.after_roas).toBeCloseTo(revenue / spend, 12);
      // A dry run changed nothing: nothing of it is measured.
      expect(rows.find((r) => r.id === dryRun)!.after_ctr).toBeNull();
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
