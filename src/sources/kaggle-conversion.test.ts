import { describe, expect, it } from 'vitest';
import { KAG_DEFAULT_DATE, looksLikeKaggleConversion, metaBucketContaining, parseKaggleConversion } from './kaggle-conversion.ts';

const HEADER = '\ufeffad_id,xyz_campaign_id,fb_campaign_id,age,gender,interest,Impressions,Clicks,Spent,Total_Conversion,Approved_Conversion';
const DATED = 'ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,age,gender,interest1,interest2,interest3,impressions,clicks,spent,total_conversion,approved_conversion';
const opts = { defaultCurrency: 'EUR' };

describe('Kaggle "Sales Conversion Optimization" data set', () => {
  it('stores each 5-year age bucket in the Meta bucket that contains it', () => {
    expect(['30-34', '35-39', '40-44', '45-49'].map(metaBucketContaining)).toEqual(['25-34', '35-44', '35-44', '45-54']);
    expect(metaBucketContaining('25-34')).toBe('25-34');
    // 20-29 straddles 18-24 and 25-34: no single Meta bucket holds it.
    expect(metaBucketContaining('20-29')).toBeNull();
  });

  it('maps the columns, rounds float spend, keeps revenue unknown and accepts conversions above clicks', async () => {
    const r = await parseKaggleConversion([HEADER,
      '708746,916,103916,30-34,M,15,7350,1,1.429999948,2,1',
      '708771,916,103920,30-34,M,20,693,0,0,1,0',
      '708815,916,103920,45-49,F,28,4259,1,1.25,5,3',
    ].join('\r\n'), opts);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]).toEqual({
      date: KAG_DEFAULT_DATE, campaignId: '916', adsetId: '103916', segmentType: 'interest', segmentId: 'kag-interest-15', segmentName: 'Interest 15',
      country: '', age: '25-34', gender: 'male', impressions: 7_350, reach: null, clicks: 1, conversions: 1, spendMinor: 143, revenueMinor: null, currency: 'EUR',
    });
    expect(r.rows[2]).toMatchObject({ age: '45-54', gender: 'female', clicks: 1, conversions: 3 });
    expect(r.rows[1]).toMatchObject({ spendMinor: 0, clicks: 0 });
    expect(r.report.warnings[0]).toMatch(/does not state its currency: amounts are read as EUR/);
    expect(r.report.notes.join('\n')).toMatch(/no dates: every row is stored on 2017-08-30/);
    expect(r.report.capabilities).toEqual(expect.arrayContaining(['no revenue: ROAS uses the prior (expected_roas is the prior; confidence is the specification\'s function of impressions, so it does not fall for missing revenue)', expect.stringMatching(/^no country breakdown: geo allocation will use priors/)]));
  });

  it('sums ads of one ad set with the same interest, age and gender', async () => {
    const r = await parseKaggleConversion([HEADER, '1,916,103928,30-34,M,28,4259,1,1.25,1,0', '2,916,103928,30-34,M,28,4133,1,1.289999962,1,1'].join('\n'), opts);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ impressions: 8_392, clicks: 2, spendMinor: 254, conversions: 1 });
    expect(r.report.mergedRows).toBe(1);
  });

  it('reads the dated variant\'s reporting_start, and --date and --currency for the undated one', async () => {
    const dated = await parseKaggleConversion([DATED, '708746,2017-08-17,2017-08-17,916,103916,30-34,M,15,17,17,7350,1,1.429999948,2,1'].join('\n'), opts);
    expect(dated.rows[0]).toMatchObject({ date: '2017-08-17', segmentId: 'kag-interest-15' });
    expect(dated.report.breakdowns.day).toBe(true);
    const undated = await parseKaggleConversion([HEADER, '1,916,103928,30-34,M,28,4259,1,1.25,1,0'].join('\n'), { ...opts, date: '2026-11-01', currency: 'USD' });
    expect(undated.rows[0]).toMatchObject({ date: '2026-11-01', currency: 'USD' });
    expect(undated.report.warnings).toEqual([]);
  });

  it('names the shifted rows of the as-found dated file instead of importing them wrong', async () => {
    // Line 763 of the as-found facebook_ads.csv (with its CTR, CPC, CPM, CPA columns).
    const asFound = `${DATED},CTR,CPC,CPM,CPA`;
    const r = await parseKaggleConversion([asFound, '1121594,2017-08-26,2017-08-26,45-49,M,10,14,14,426500,72,128.2799988,4,1.0,0.0,0.0,0.031181790126427723,0.25,7.795447531606931,0.0'].join('\n'), opts);
    expect(r.rows).toEqual([]);
    expect(r.problems[0]!.message).toMatch(/shifted two columns left/);
  });

  it('recognises both headers and refuses a header without its columns', async () => {
    expect(looksLikeKaggleConversion(HEADER.split(','))).toBe(true);
    expect(looksLikeKaggleConversion(DATED.split(','))).toBe(true);
    expect(looksLikeKaggleConversion(['date', 'campaign_id'])).toBe(false);
    const r = await parseKaggleConversion('ad_id,xyz_campaign_id\n1,2\n', opts);
    expect(r.headerProblems[0]).toMatch(/missing column fb_campaign_id/);
  });
});

describe('Kaggle data set: a date delivery cannot have reached yet (a mistyped year would end every run\'s window there)', () => {
  const late = { ...opts, latestDate: '2026-11-21' };

  it('a reporting_start after the latest day is the line\'s problem; the latest day itself is read', async () => {
    const r = await parseKaggleConversion([DATED,
      '1,2026-11-21,2026-11-21,916,103916,30-34,M,15,17,17,7350,1,1.43,2,1',
      '2,2062-11-20,2062-11-20,916,103916,30-34,M,16,17,17,7350,1,1.43,2,1',
    ].join('\n'), late);
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-21']);
    expect(r.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: 'reporting_start 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)' }]);
  });

  it('a --date after the latest day is refused for the file; the latest day itself is taken', async () => {
    const undated = [HEADER, '1,916,103928,30-34,M,28,4259,1,1.25,1,0'].join('\n');
    const refused = await parseKaggleConversion(undated, { ...late, date: '2062-11-20' });
    expect(refused.rows).toEqual([]);
    expect(refused.headerProblems).toEqual(['--date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)']);
    expect((await parseKaggleConversion(undated, { ...late, date: '2026-11-21' })).rows.map((x) => x.date)).toEqual(['2026-11-21']);
  });
});
