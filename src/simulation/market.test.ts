import { describe, it, expect } from 'vitest';
import type { InsightRow } from '../engine/types.ts';
import { createStubMarket, getTruth, STUB_BEHAVIORS, STUB_INTERESTS } from './market.ts';
import type { StubMarketOptions } from './market.ts';

const BASE: StubMarketOptions = { seed: 7, campaigns: 3, days: 30, endDate: '2026-06-30' };
const market = createStubMarket(BASE);
const truth = getTruth(market);
const rows = [...market.rows()];

type Kind = 'country' | 'segment' | 'demographic';
function kindOf(r: InsightRow): Kind {
  if (r.country !== '') return 'country';
  return r.segmentType === 'demographic' ? 'demographic' : 'segment';
}

function sumBy<K>(items: readonly InsightRow[], key: (r: InsightRow) => K, value: (r: InsightRow) => number): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of items) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
}

describe('createStubMarket: determinism', () => {
  it('gives identical rows for the same seed and options, on every call of rows()', () => {
    const again = [...createStubMarket(BASE).rows()];
    expect(JSON.stringify(again)).toBe(JSON.stringify(rows));
    expect(JSON.stringify([...market.rows()])).toBe(JSON.stringify(rows));
    expect(createStubMarket(BASE).pixelEvents(truth.campaigns[0]!.campaignId)).toEqual(market.pixelEvents(truth.campaigns[0]!.campaignId));
  });

  it('gives different ids and rows for a different seed', () => {
    const other = createStubMarket({ ...BASE, seed: 8 });
    const otherRows = [...other.rows()];
    expect(other.campaigns.map((c) => c.campaignId)).not.toEqual(market.campaigns.map((c) => c.campaignId));
    expect(otherRows.map((r) => r.clicks)).not.toEqual(rows.map((r) => r.clicks));
  });

  it('draws another history of the same market from a history seed, and the seed\'s own history without one', () => {
    expect(JSON.stringify([...createStubMarket({ ...BASE, historySeed: BASE.seed }).rows()])).toBe(JSON.stringify(rows));
    const redrawn = createStubMarket({ ...BASE, historySeed: 'another draw' });
    expect(getTruth(redrawn)).toEqual(truth);
    const id = truth.campaigns[0]!.campaignId;
    expect(redrawn.audienceSizes(id)).toEqual(market.audienceSizes(id));
    const redrawnRows = [...redrawn.rows()];
    expect(redrawnRows.map((r) => [r.date, r.adsetId, r.country, r.segmentId])).toEqual(rows.map((r) => [r.date, r.adsetId, r.country, r.segmentId]));
    expect(redrawnRows.map((r) => r.clicks)).not.toEqual(rows.map((r) => r.clicks));
  });

  it('keeps a campaign the same when other campaigns are added (truth keyed by seed and campaign id)', () => {
    const one = getTruth(createStubMarket({ ...BASE, campaigns: 1, campaignIds: ['555'] }));
    const two = getTruth(createStubMarket({ ...BASE, campaigns: 2, campaignIds: ['555', '777'] }));
    expect(two.campaigns[0]!.countries).toEqual(one.campaigns[0]!.countries);
    expect(two.campaigns[0]!.segments.map((s) => s.segmentId)).toEqual(one.campaigns[0]!.segments.map((s) => s.segmentId));
  });
});

describe('createStubMarket: ids and catalogue', () => {
  it('uses 18-digit numeric campaign and ad set ids, all unique', () => {
    const ids = market.campaigns.flatMap((c) => [c.campaignId, ...c.adsetIds]);
    expect(market.campaigns).toHaveLength(3);
    for (const c of market.campaigns) expect(c.adsetIds).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^1202\d{14}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a catalogue of ≥150 interests over ≥15 genres and ≥30 behaviors, 13-digit unique ids and names', () => {
    expect(STUB_INTERESTS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(STUB_INTERESTS.map((i) => i.genre)).size).toBeGreaterThanOrEqual(15);
    expect(STUB_BEHAVIORS.length).toBeGreaterThanOrEqual(30);
    const all = [...STUB_INTERESTS, ...STUB_BEHAVIORS];
    for (const item of all) expect(item.id).toMatch(/^\d{13}$/);
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
    expect(new Set(STUB_INTERESTS.map((i) => i.name)).size).toBe(STUB_INTERESTS.length);
    expect(STUB_INTERESTS.map((i) => i.name)).toEqual(expect.arrayContaining(['Action movies', 'Stand-up comedy', 'Running', 'Street food', 'Video games', 'Luxury goods']));
    expect(STUB_BEHAVIORS.map((b) => b.name)).toEqual(expect.arrayContaining(['Engaged shoppers', 'Frequent travelers', 'Technology early adopters', 'Small business owners']));
  });

  it('gives each campaign a seeded subset: default 60 interests, 20 behaviors, and a few audiences', () => {
    for (const c of truth.campaigns) {
      const count = (t: string): number => c.segments.filter((s) => s.segmentType === t).length;
      expect(count('interest')).toBe(60);
      expect(count('behavior')).toBe(20);
      expect(count('custom_audience')).toBeGreaterThanOrEqual(2);
      expect(count('lookalike')).toBeGreaterThanOrEqual(1);
      for (const s of c.segments.filter((x) => x.segmentType === 'custom_audience' || x.segmentType === 'lookalike')) expect(s.segmentId).toMatch(/^2385\d{13}$/);
      const ids = c.segments.map((s) => s.segmentId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const [a, b] = truth.campaigns;
    expect(a!.segments.map((s) => s.segmentId)).not.toEqual(b!.segments.map((s) => s.segmentId));
  });

  it('cycles the catalogue with suffixed names and still-unique 13-digit ids when asked for more', () => {
    const big = getTruth(createStubMarket({ ...BASE, campaigns: 1, days: 2, interestsPerCampaign: 400, behaviorsPerCampaign: 80 })).campaigns[0]!;
    const interests = big.segments.filter((s) => s.segmentType === 'interest');
    const behaviors = big.segments.filter((s) => s.segmentType === 'behavior');
    expect(interests).toHaveLength(400);
    expect(behaviors).toHaveLength(80);
    for (const s of [...interests, ...behaviors]) expect(s.segmentId).toMatch(/^\d{13}$/);
    expect(new Set(big.segments.map((s) => s.segmentId)).size).toBe(big.segments.length);
    expect(new Set(interests.map((s) => s.segmentName)).size).toBe(400);
    expect(interests.some((s) => / \(fans\)$/.test(s.segmentName))).toBe(true);
  });

  it('generates for given campaign ids and rejects inconsistent options', () => {
    const given = createStubMarket({ ...BASE, campaigns: 2, campaignIds: ['123456789', 'campaign_123'] });
    expect(given.campaigns.map((c) => c.campaignId)).toEqual(['123456789', 'campaign_123']);
    expect(() => createStubMarket({ ...BASE, campaigns: 3, campaignIds: ['1'] })).toThrow(RangeError);
    expect(() => createStubMarket({ ...BASE, campaigns: 2, campaignIds: ['1', '1'] })).toThrow(RangeError);
    expect(() => createStubMarket({ ...BASE, endDate: '2026-02-30' })).toThrow(RangeError);
    expect(() => createStubMarket({ ...BASE, days: 0 })).toThrow(RangeError);
    expect(() => createStubMarket({ ...BASE, currency: 'euro' })).toThrow(RangeError);
    expect(given.pixelEvents('not-a-campaign')).toEqual([]);
  });
});

describe('createStubMarket: rows', () => {
  it('keeps the invariants on every row', () => {
    for (const r of rows) {
      expect(r.date >= '2026-06-01' && r.date <= '2026-06-30').toBe(true);
      for (const n of [r.impressions, r.reach!, r.clicks, r.conversions!, r.spendMinor, r.revenueMinor!]) {
        expect(Number.isInteger(n) && n >= 0).toBe(true);
      }
      expect(r.reach).not.toBeNull();
      expect(r.reach!).toBeLessThanOrEqual(r.impressions);
      if (r.impressions >= 2) expect(r.reach!).toBeLessThan(r.impressions);
      expect(r.clicks).toBeLessThanOrEqual(r.impressions);
      expect(r.conversions!).toBeLessThanOrEqual(r.clicks);
      expect(r.currency).toBe('EUR');
      expect(r.country !== '' && r.segmentType !== '').toBe(false);
    }
  });

  it('emits the three kinds with their own fields set and nothing else', () => {
    const kinds = sumBy(rows, kindOf, () => 1);
    expect([...kinds.keys()].sort()).toEqual(['country', 'demographic', 'segment']);
    for (const r of rows) {
      const k = kindOf(r);
      if (k === 'country') {
        expect([r.segmentType, r.segmentId, r.segmentName, r.age, r.gender]).toEqual(['', '', '', '', '']);
        expect(['ES', 'MX', 'AR', 'CO', 'CL', 'PE', 'FR', 'DE', 'IT', 'PT']).toContain(r.country);
      } else if (k === 'demographic') {
        expect(r.segmentId).toBe(`${r.age}|${r.gender}`);
        expect(r.segmentName).toBe(`${r.age} ${r.gender}`);
        expect(r.age).not.toBe('');
        expect(r.gender).not.toBe('');
      } else {
        expect(['interest', 'behavior', 'custom_audience', 'lookalike']).toContain(r.segmentType);
        expect(r.segmentId).not.toBe('');
        expect(r.segmentName).not.toBe('');
        expect([r.age, r.gender]).toEqual(['', '']);
      }
    }
  });

  it('makes each kind a full breakdown of the same delivery: equal spend and impressions per ad set-day', () => {
    const key = (r: InsightRow): string => `${r.date}|${r.adsetId}|${kindOf(r)}`;
    const spend = sumBy(rows, key, (r) => r.spendMinor);
    const impressions = sumBy(rows, key, (r) => r.impressions);
    for (const [k, v] of spend) {
      if (!k.endsWith('|country')) continue;
      const stem = k.slice(0, -'country'.length);
      expect(spend.get(`${stem}segment`)).toBe(v);
      expect(spend.get(`${stem}demographic`)).toBe(v);
      expect(impressions.get(`${stem}segment`)).toBe(impressions.get(k));
      expect(impressions.get(`${stem}demographic`)).toBe(impressions.get(k));
    }
    // Clicks agree in expectation only; over a month they stay within 5 %.
    const clicks = sumBy(rows, kindOf, (r) => r.clicks);
    expect(Math.abs(clicks.get('segment')! / clicks.get('country')! - 1)).toBeLessThan(0.05);
    expect(Math.abs(clicks.get('demographic')! / clicks.get('country')! - 1)).toBeLessThan(0.05);
  });

  it('rowCount() matches the length of rows()', () => {
    expect(market.rowCount()).toBe(rows.length);
    const other = createStubMarket({ ...BASE, seed: 'x', campaigns: 2, days: 3, adsetsPerCampaign: 3, interestsPerCampaign: 10, behaviorsPerCampaign: 0 });
    expect(other.rowCount()).toBe([...other.rows()].length);
  });

  it('streams 90 days × 2,500 segments in a few seconds', () => {
    const started = performance.now();
    const big = createStubMarket({ seed: 1, campaigns: 1, days: 90, endDate: '2026-03-31', interestsPerCampaign: 2000, behaviorsPerCampaign: 500 });
    let n = 0;
    let segmentRows = 0;
    for (const r of big.rows()) {
      n++;
      if (r.segmentType === 'interest' || r.segmentType === 'behavior') segmentRows++;
    }
    const ms = performance.now() - started;
    expect(segmentRows).toBe(90 * 2 * 2500);
    expect(n).toBe(big.rowCount());
    // ~0.7 s on the 2-core build machines for ~456k rows.
    expect(ms).toBeLessThan(8000);
  });
});

describe('createStubMarket: realism', () => {
  it('draws country truths inside realistic 2026 ranges, Spain/EU dearer than LATAM', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const c of getTruth(createStubMarket({ ...BASE, seed, days: 1 })).campaigns) {
        expect(c.countries.map((k) => k.countryCode).sort()).toEqual(['AR', 'CL', 'CO', 'DE', 'ES', 'FR', 'IT', 'MX', 'PE', 'PT']);
        for (const k of c.countries) {
          // At the planned daily spend: cost per impression from the saturation curve.
          const spend = c.dailyBudgetMinor * k.budgetShare;
          const impressions = k.capacityImpressions * (1 - Math.exp(-spend / k.saturationSpendMinor));
          const cpcEur = spend / (impressions * k.ctr) / 100;
          const roas = (impressions * k.ctr * k.cvr * k.revenuePerConversionMinor) / spend;
          expect(k.ctr).toBeGreaterThanOrEqual(0.005);
          expect(k.ctr).toBeLessThanOrEqual(0.03);
          expect(k.cvr).toBeGreaterThanOrEqual(0.005);
          expect(k.cvr).toBeLessThanOrEqual(0.06);
          expect(cpcEur).toBeGreaterThan(0.1);
          expect(cpcEur).toBeLessThan(1.5);
          expect(roas).toBeGreaterThan(0.5);
          expect(roas).toBeLessThan(6);
        }
        const meanCpm = (region: string): number => {
          const ks = c.countries.filter((k) => (region === 'LATAM' ? k.region === 'LATAM' : k.region !== 'LATAM'));
          return ks.reduce((a, k) => a + k.marginalCpmMinor, 0) / ks.length;
        };
        expect(meanCpm('EU')).toBeGreaterThan(meanCpm('LATAM'));
      }
    }
  });

  it('lets the seed decide which country has the best ROAS', () => {
    const best = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      for (const c of getTruth(createStubMarket({ ...BASE, seed, days: 1 })).campaigns) {
        const roas = (k: (typeof c.countries)[number]): number => (k.ctr * k.cvr * k.revenuePerConversionMinor * 1000) / k.marginalCpmMinor;
        best.add([...c.countries].sort((x, y) => roas(y) - roas(x))[0]!.countryCode);
      }
    }
    expect(best.size).toBeGreaterThanOrEqual(4);
  });

  it('shows diminishing returns: impressions grow less than proportionally with a country’s daily spend', () => {
    // Slope of log(impressions) on log(spend) over the days of each campaign × country; 1 = linear.
    const slopes: number[] = [];
    for (const c of truth.campaigns) {
      for (const k of c.countries) {
        const days = rows.filter((r) => r.campaignId === c.campaignId && r.country === k.countryCode);
        const x = [...sumBy(days, (r) => r.date, (r) => r.spendMinor).values()].map(Math.log);
        const y = [...sumBy(days, (r) => r.date, (r) => r.impressions).values()].map(Math.log);
        const mx = x.reduce((a, v) => a + v, 0) / x.length;
        const my = y.reduce((a, v) => a + v, 0) / y.length;
        let sxy = 0;
        let sxx = 0;
        x.forEach((v, i) => {
          sxy += (v - mx) * (y[i]! - my);
          sxx += (v - mx) ** 2;
        });
        slopes.push(sxy / sxx);
      }
    }
    const mean = slopes.reduce((a, v) => a + v, 0) / slopes.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.9);
  });

  it('gives segments sizes that span at least 50x, and so widely different evidence', () => {
    for (const c of truth.campaigns) {
      const sizes = c.segments.map((s) => s.sizeImpressions);
      expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThanOrEqual(50);
      const delivered = [...sumBy(rows.filter((r) => r.campaignId === c.campaignId && kindOf(r) === 'segment'), (r) => r.segmentId, (r) => r.impressions).values()];
      expect(Math.max(...delivered) / Math.max(1, Math.min(...delivered))).toBeGreaterThanOrEqual(30);
    }
  });

  it('gives age and gender groups different true rates', () => {
    for (const c of truth.campaigns) {
      expect(c.demographics).toHaveLength(18);
      const ctrs = c.demographics.map((d) => d.ctr);
      const cvrs = c.demographics.map((d) => d.cvr);
      expect(Math.max(...ctrs) / Math.min(...ctrs)).toBeGreaterThan(1.3);
      expect(Math.max(...cvrs) / Math.min(...cvrs)).toBeGreaterThan(1.3);
      const share = c.demographics.reduce((a, d) => a + d.impressionShare, 0);
      expect(share).toBeCloseTo(1, 9);
    }
  });

  it('lets about 5 % of segments fatigue: CTR drops over the last 7 days and frequency rises', () => {
    const cut = '2026-06-24';
    let fatiguedMeasured = 0;
    const freshRatios: number[] = [];
    for (const c of truth.campaigns) {
      const candidates = c.segments.filter((s) => s.segmentType === 'interest' || s.segmentType === 'behavior');
      expect(candidates.filter((s) => s.fatigued)).toHaveLength(Math.round(0.05 * candidates.length));
      for (const s of candidates) {
        const own = rows.filter((r) => r.campaignId === c.campaignId && r.segmentId === s.segmentId);
        const before = own.filter((r) => r.date < cut);
        const last = own.filter((r) => r.date >= cut);
        const sum = (rs: InsightRow[], f: (r: InsightRow) => number): number => rs.reduce((a, r) => a + f(r), 0);
        const clicksBefore = sum(before, (r) => r.clicks);
        if (clicksBefore < 300) continue; // too little evidence to see a 40 % drop reliably
        const ratio = sum(last, (r) => r.clicks) / sum(last, (r) => r.impressions) / (clicksBefore / sum(before, (r) => r.impressions));
        const frequencyLast = sum(last, (r) => r.impressions) / sum(last, (r) => r.reach!);
        const frequencyBefore = sum(before, (r) => r.impressions) / sum(before, (r) => r.reach!);
        if (s.fatigued) {
          fatiguedMeasured++;
          expect(ratio).toBeLessThan(0.85);
          expect(frequencyLast).toBeGreaterThan(frequencyBefore * 1.3);
        } else {
          freshRatios.push(ratio);
        }
      }
    }
    expect(fatiguedMeasured).toBeGreaterThanOrEqual(3);
    freshRatios.sort((a, b) => a - b);
    const median = freshRatios[Math.floor(freshRatios.length / 2)]!;
    expect(median).toBeGreaterThan(0.9);
    expect(median).toBeLessThan(1.1);
  });

  it('biases pixel events toward the campaign’s genres', () => {
    for (const c of truth.campaigns) {
      const events = market.pixelEvents(c.campaignId);
      expect(new Set(events.map((e) => e.eventName))).toEqual(new Set(['PageView', 'ViewContent', 'AddToCart', 'Purchase']));
      const genres = new Set(STUB_INTERESTS.map((i) => i.genre));
      for (const e of events) {
        expect(genres.has(e.contentCategory)).toBe(true);
        expect(Number.isInteger(e.count) && e.count > 0).toBe(true);
      }
      const views = events.filter((e) => e.eventName === 'PageView');
      const own = views.filter((e) => c.genres.includes(e.contentCategory)).reduce((a, e) => a + e.count, 0);
      const total = views.reduce((a, e) => a + e.count, 0);
      // 2–3 of 15 genres would be 13–20 % of the traffic without a bias.
      expect(own / total).toBeGreaterThan(0.5);
    }
  });

  it('exposes the truth per campaign: countries, segments matching the rows, ad sets', () => {
    expect(truth.startDate).toBe('2026-06-01');
    expect(truth.endDate).toBe('2026-06-30');
    for (const c of truth.campaigns) {
      const segmentIds = new Set(rows.filter((r) => r.campaignId === c.campaignId && kindOf(r) === 'segment').map((r) => r.segmentId));
      expect(segmentIds).toEqual(new Set(c.segments.map((s) => s.segmentId)));
      expect(c.adsets.reduce((a, s) => a + s.budgetShare, 0)).toBeCloseTo(1, 9);
      expect(c.countries.reduce((a, k) => a + k.budgetShare, 0)).toBeCloseTo(1, 9);
    }
    expect(Object.isFrozen(truth.campaigns[0]!.countries[0])).toBe(true);
    expect(() => getTruth({ ...market })).toThrow(RangeError);
  });
});
