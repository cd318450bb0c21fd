import { describe, expect, it } from 'vitest';
import { parseAdSet, parseInsightRow, type MetaAdSet, type MetaInsightRow, MetaDataError } from './graph.ts';
import { toInsightRows } from './rows.ts';

const row = (over: Partial<MetaInsightRow>): MetaInsightRow => ({ date: '2026-11-01', campaignId: 'c', adsetId: 'a1', country: null, age: null, gender: null, impressions: 0, reach: 0, clicks: 0, spendMinor: 0, purchases: 0, purchaseValueMinor: 0, ...over });

const adset: MetaAdSet = parseAdSet({
  id: 'a1',
  campaign_id: 'c',
  daily_budget: '2000',
  effective_status: 'ACTIVE',
  targeting: {
    geo_locations: { countries: ['es', 'MX'] },
    flexible_spec: [{ interests: [{ id: 6003107902433, name: 'Running' }, { id: '6003', name: 'Yoga' }], behaviors: [{ id: '6002', name: 'Engaged shoppers' }] }],
    custom_audiences: [{ id: '2385', name: 'Buyers' }, { id: '2386' }],
  },
});

describe('parsing at the edge', () => {
  it('reads ids given as numbers, countries in upper case, budgets in minor units', () => {
    expect(adset.interests.map((i) => i.id)).toEqual(['6003107902433', '6003']);
    expect(adset.countries).toEqual(['ES', 'MX']);
    expect(adset.dailyBudgetMinor).toBe(2000);
  });

  it('counts one purchase type only, turns money strings into minor units, and refuses unreadable numbers', () => {
    const wire = {
      date_start: '2026-11-01',
      date_stop: '2026-11-01',
      adset_id: 'a1',
      impressions: '1200',
      reach: '1000',
      inline_link_clicks: '30',
      spend: '12.345',
      actions: [{ action_type: 'omni_purchase', value: '4' }, { action_type: 'offsite_conversion.fb_pixel_purchase', value: '3' }],
      action_values: [{ action_type: 'omni_purchase', value: '99.99' }, { action_type: 'offsite_conversion.fb_pixel_purchase', value: '75.5' }],
    };
    expect(parseInsightRow(wire, 'EUR', 'offsite_conversion.fb_pixel_purchase')).toMatchObject({ impressions: 1200, reach: 1000, clicks: 30, spendMinor: 1235, purchases: 3, purchaseValueMinor: 7550 });
    expect(parseInsightRow(wire, 'EUR', 'omni_purchase')).toMatchObject({ purchases: 4, purchaseValueMinor: 9999 });
    expect(parseInsightRow(wire, 'JPY', 'purchase')).toMatchObject({ spendMinor: 12, purchases: 0, purchaseValueMinor: 0 });
    expect(() => parseInsightRow({ ...wire, impressions: '1,200' }, 'EUR', 'purchase')).toThrow(MetaDataError);
    expect(() => parseInsightRow({ ...wire, date_stop: '2026-11-30' }, 'EUR', 'purchase')).toThrow(/daily/);
  });
});

describe('toInsightRows', () => {
  const audiences = new Map([['2386', { id: '2386', name: 'LAL 1%', subtype: 'LOOKALIKE', sizeLower: 1, sizeUpper: 2 }]]);
  const converted = toInsightRows({
    campaignId: 'c',
    currency: 'EUR',
    countryRows: [row({ country: 'ES', impressions: 1000, reach: 900, clicks: 21, spendMinor: 1001, purchases: 2, purchaseValueMinor: 5000 }), row({ country: 'mx', impressions: 500, reach: 480, clicks: 4, spendMinor: 300 }), row({ country: 'unknown', impressions: 3 })],
    demographicRows: [row({ age: '25-34', gender: 'female', impressions: 700 }), row({ age: '13-17', gender: 'male', impressions: 5 })],
    adsets: [adset],
    audiences,
  });

  it('keeps country and age × gender rows, and skips the ones the engine has no bucket for', () => {
    expect(converted.counts).toEqual({ country: 2, demographic: 1, segment: 5 });
    expect(converted.skipped).toEqual({ country: 1, demographic: 1 });
    expect(converted.rows.find((r) => r.segmentType === 'demographic')).toMatchObject({ segmentId: '25-34|female', age: '25-34', gender: 'female' });
  });

  it('credits the ad set-day to each targeted segment in equal shares that add up to it once', () => {
    const segs = converted.rows.filter((r) => r.segmentType !== '' && r.segmentType !== 'demographic');
    expect(segs.map((s) => `${s.segmentType}:${s.segmentId}`)).toEqual(['interest:6003107902433', 'interest:6003', 'behavior:6002', 'custom_audience:2385', 'lookalike:2386']);
    expect(segs.find((s) => s.segmentId === '2386')!.segmentName).toBe('LAL 1%');
    const sum = (k: 'impressions' | 'clicks' | 'spendMinor' | 'conversions' | 'revenueMinor' | 'reach') => segs.reduce((a, s) => a + (s[k] ?? 0), 0);
    expect([sum('impressions'), sum('reach'), sum('clicks'), sum('spendMinor'), sum('conversions'), sum('revenueMinor')]).toEqual([1500, 1380, 25, 1301, 2, 5000]);
    for (const s of segs) expect(s.impressions).toBe(300);
  });
});

describe('a day before a change the optimizer made', () => {
  const targeted = (ids: string[]) => parseAdSet({ id: 'a1', campaign_id: 'c', targeting: { flexible_spec: [{ interests: ids.map((id) => ({ id, name: id })) }] } });
  it('is credited to the targeting the first later change replaced; the day of a change, and days after the last, to the later targeting', () => {
    const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'].map((date) => row({ date, country: 'ES', impressions: 100, spendMinor: 500 }));
    const earlier = [
      { adsetId: 'a1', changeDay: '2026-11-04', adset: targeted(['B']) },
      { adsetId: 'a1', changeDay: '2026-11-02', adset: targeted(['A']) },
      { adsetId: 'other', changeDay: '2026-11-04', adset: targeted(['X']) },
    ];
    const out = toInsightRows({ campaignId: 'c', currency: 'EUR', countryRows: days, demographicRows: [], adsets: [targeted(['C'])], audiences: new Map(), earlier });
    const credited = out.rows.filter((r) => r.segmentType === 'interest').map((r) => [r.date, r.segmentId]);
    expect(credited).toEqual([['2026-11-01', 'A'], ['2026-11-02', 'B'], ['2026-11-03', 'B'], ['2026-11-04', 'C']]);
  });

  it('credits no segment on the days whose targeting is not known, and keeps their country rows', () => {
    const days = ['2026-11-01', '2026-11-02', '2026-11-03'].map((date) => row({ date, country: 'ES', impressions: 100, spendMinor: 500 }));
    const earlier = [{ adsetId: 'a1', changeDay: '2026-11-02', adset: targeted(['A']) }, { adsetId: 'a1', changeDay: '2026-11-03', adset: null }];
    const out = toInsightRows({ campaignId: 'c', currency: 'EUR', countryRows: days, demographicRows: [], adsets: [targeted(['C'])], audiences: new Map(), earlier });
    expect(out.rows.filter((r) => r.segmentType === 'interest').map((r) => [r.date, r.segmentId])).toEqual([['2026-11-01', 'A'], ['2026-11-03', 'C']]);
    expect(out.rows.filter((r) => r.segmentType === '').map((r) => r.date)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
  });
});
