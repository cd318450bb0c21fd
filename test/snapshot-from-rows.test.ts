// The benchmarks hand the engine snapshots built in memory from a stub market's rows
// (src/backtest/snapshot-from-rows.ts). They must be what a run reads from the store after
// `stub generate` wrote the same rows (and the market's audience size estimates), or the benchmark
// would judge the engine on other inputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentSizeMap, snapshotFromRows } from '../src/backtest/snapshot-from-rows.ts';
import type { AdSetSnapshot, CampaignSnapshot } from '../src/engine/types.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { NAMED_FAMILIES } from '../src/simulation/families.ts';
import { createStubMarket } from '../src/simulation/market.ts';
import { loadCampaignSnapshot } from '../src/store/snapshot.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

const byKey = <T>(xs: readonly T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const normalised = (s: CampaignSnapshot) => ({
  ...s,
  pixelEvents: byKey(s.pixelEvents, (p) => `${p.eventName}|${p.contentCategory}`),
  adsets: byKey(s.adsets, (a) => a.adsetId ?? '').map((a: AdSetSnapshot) => ({
    ...a,
    segments: byKey(a.segments, (g) => `${g.segmentType}|${g.segmentId}`),
    countries: byKey(a.countries, (c) => c.countryCode),
    demographics: byKey(a.demographics, (d) => `${d.age}|${d.gender}`),
    ...(a.blends !== undefined ? { blends: byKey(a.blends, (b) => b.segments.map((g) => `${g.segmentType}|${g.segmentId}`).join(',')) } : {}),
  })),
});

describe(`snapshots built from rows match the store's on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it.each(['stub', 'shared-adsets', 'patchy-funded-segments'])('%s family', async (name) => {
    const options = { campaigns: 1, days: 12, seed: `rows-${name}`, endDate: '2026-11-10', interestsPerCampaign: 20, behaviorsPerCampaign: 4, family: NAMED_FAMILIES[name]! };
    const report = await generateStubHistory(ctx, options);
    const id = report.campaigns[0]!.campaign_id;
    const window = { start: '2026-11-01', end: '2026-11-10', recentStart: '2026-11-04' };
    const stored = await loadCampaignSnapshot(ctx.db, id, ctx.config.defaultCurrency, window);
    const market = createStubMarket({ ...options, currency: ctx.config.defaultCurrency });
    const built = snapshotFromRows(id, ctx.config.defaultCurrency, market.rows(), window, market.pixelEvents(id), segmentSizeMap(market.audienceSizes(id), 'meta'));
    expect(built.adsets.length).toBe(report.campaigns[0]!.adset_ids.length);
    // The original market has fatigued segments, whose daily points the fatigue fit reads.
    if (name === 'stub') expect(built.adsets.some((a) => a.segments.some((g) => g.daily !== undefined))).toBe(true);
    // Every interest and behavior carries Meta's kind of size (a range); no other segment does.
    const segments = stored.adsets.flatMap((a) => a.segments);
    for (const g of segments) {
      if (g.segmentType === 'interest' || g.segmentType === 'behavior') expect(g.size).toMatchObject({ source: 'meta' });
      else expect(g.size).toBeUndefined();
    }
    expect(segments.some((g) => g.size !== undefined && g.size.upper > g.size.lower)).toBe(true);
    // Shared ad sets' rows are equal shares of each ad set-day: blends, and each segment's shared part.
    const blended = stored.adsets.filter((a) => a.blends !== undefined);
    if (name === 'shared-adsets') {
      expect(blended.length).toBeGreaterThan(0);
      for (const a of blended) for (const b of a.blends!) expect(b.segments.length).toBeGreaterThan(1);
      expect(segments.some((g) => g.shared !== undefined && g.shared.impressions > 0)).toBe(true);
    } else expect(blended).toEqual([]);
    expect(normalised(built)).toEqual(normalised(stored));
  });
});
