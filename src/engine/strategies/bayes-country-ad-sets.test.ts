import { describe, expect, it } from 'vitest';
import { segmentSizeMap, snapshotFromRows } from '../../backtest/snapshot-from-rows.ts';
import { loadConfig } from '../../config.ts';
import { createStubMarket, getTruth } from '../../simulation/market.ts';
import { optimizeCampaign } from '../optimizer.ts';
import type { TargetingEditEvent } from '../trace-events.ts';
import type { EngineSettings, InsightRow } from '../types.ts';

const END = '2026-11-10';
const market = createStubMarket({ seed: 3001, campaigns: 1, days: 21, endDate: END, interestsPerCampaign: 60, behaviorsPerCampaign: 20 });
const campaign = getTruth(market).campaigns[0]!;
const snapshot = snapshotFromRows(campaign.campaignId, getTruth(market).currency, [...market.rows()] as InsightRow[], { start: '2026-10-21', end: END, recentStart: '2026-11-04' }, market.pixelEvents(campaign.campaignId), segmentSizeMap(market.audienceSizes(campaign.campaignId), 'meta'));
const adsetIds = snapshot.adsets.map((a) => a.adsetId!);
// Each ad set has interests in force that the best set would replace: the campaign's last ones.
const interests = campaign.segments.filter((g) => g.segmentType === 'interest').map((g) => g.segmentId);
const targeting = adsetIds.map((adsetId) => ({ adsetId, interests: interests.slice(-15), behaviors: [] }));
const engine = loadConfig({}).engine;

/** Each ad set's interest edit line. */
function editLines(settings: EngineSettings): Map<string, TargetingEditEvent> {
  const decisions = optimizeCampaign({ snapshot, totalBudgetMinor: campaign.dailyBudgetMinor, settings, earlierRuns: { targeting } });
  return new Map(decisions.map((d) => [d.decision.adsetId!, d.decision.trace.find((e): e is TargetingEditEvent => e.kind === 'segments.edit' && e.segmentType === 'interest')!]));
}

describe('bayes: an edit weighed in the ad sets the split is applied through', () => {
  it('counts learning in the country ad sets, except in an ad set with a lifetime budget, which LIVE apply changes as one', () => {
    expect(adsetIds.length).toBeGreaterThanOrEqual(2);
    const asOne = editLines(engine);
    const split = editLines({ ...engine, countryAdSets: { minDailyBudgetMinor: 1_000 } });
    const lifetime = adsetIds[0]!;
    const partly = editLines({ ...engine, countryAdSets: { minDailyBudgetMinor: 1_000, unsplitAdSets: [lifetime] } });
    for (const id of adsetIds) {
      expect(asOne.get(id)!.countryAdSets).toBeUndefined();
      expect(split.get(id)!.countryAdSets!.adSets).toBeGreaterThan(1);
    }
    // The lifetime-budget ad set is weighed as one ad set, exactly as without the setting; the others as split.
    expect(partly.get(lifetime)).toEqual(asOne.get(lifetime));
    for (const id of adsetIds.slice(1)) expect(partly.get(id)).toEqual(split.get(id));
    // Split in ad sets of a country each, learning lasts longer, and an edit must gain more.
    expect(split.get(lifetime)!.minGain).toBeGreaterThan(asOne.get(lifetime)!.minGain);
  });
});

describe('bayes: the country ad sets an earlier split made', () => {
  it('a country already delivering through an ad set of its own keeps it down to half the minimum, so its learning is its own', () => {
    const [first, ...others] = adsetIds;
    const decided = optimizeCampaign({ snapshot, totalBudgetMinor: campaign.dailyBudgetMinor, settings: engine, earlierRuns: { targeting } }).find((d) => d.decision.adsetId === first)!.decision;
    const largest = Math.max(...decided.countries.filter((c) => c.countryCode !== 'ES').map((c) => c.amountMinor));
    // A minimum above every country's budget but Spain's (whose floor gives it its own), and within twice the largest.
    const minDailyBudgetMinor = Math.ceil(largest * 1.5);
    const pooled = editLines({ ...engine, countryAdSets: { minDailyBudgetMinor } });
    const held = editLines({ ...engine, countryAdSets: { minDailyBudgetMinor, holding: [{ adsetId: first!, countries: decided.countries.map((c) => c.countryCode) }] } });
    expect(pooled.get(first!)!.countryAdSets!.adSets).toBe(2);
    expect(held.get(first!)!.countryAdSets!.adSets).toBeGreaterThan(2);
    // The other ad sets hold none: decided as without the list.
    for (const id of others) expect(held.get(id)).toEqual(pooled.get(id));
  });
});
