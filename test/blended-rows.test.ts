// An ad set that targets several interests has no per-interest figures on Meta: LIVE sync credits
// its delivery to them in equal shares. Each share shows the set's blend, so read as the interest's
// own rows it says the interest changed when only its company did. Here an interest that ran alone
// at a 3 % CTR is then targeted with a weaker one, and the ad set's CTR falls to their blend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays } from '../src/engine/calendar.ts';
import { loadConfig } from '../src/config.ts';
import { optimizeCampaign } from '../src/engine/optimizer.ts';
import type { CampaignSnapshot, InsightRow } from '../src/engine/types.ts';
import { parseAdSet, type MetaInsightRow } from '../src/meta/graph.ts';
import { toInsightRows } from '../src/meta/rows.ts';
import { upsertInsights } from '../src/store/insights.ts';
import { loadCampaignSnapshot } from '../src/store/snapshot.ts';
import { snapshotFromRows } from '../src/backtest/snapshot-from-rows.ts';
import { openTestDb } from './helpers/db.ts';
import type { Db } from '../src/store/db.ts';

const adsetTargeting = (id: string, interests: [string, string][]) =>
  parseAdSet({ id, campaign_id: 'c', daily_budget: '5000', effective_status: 'ACTIVE', targeting: { geo_locations: { countries: ['ES'] }, flexible_spec: [{ interests: interests.map(([i, name]) => ({ id: i, name })) }] } });

const RUNNING: [string, string] = ['6001', 'Running'];
const YOGA: [string, string] = ['6002', 'Yoga'];
const FIRST = '2026-10-22';
const window = { start: FIRST, end: '2026-11-20', recentStart: '2026-11-14' };

/** One ES row a day per ad set: a1 runs Running alone for 15 days, then Running and Yoga; a2 runs Yoga alone throughout. */
function syncedRows(perturbShares: boolean): InsightRow[] {
  const rows: InsightRow[] = [];
  for (let d = 0; d < 30; d++) {
    const date = addCalendarDays(FIRST, d);
    const mixed = d >= 15;
    const day = (adsetId: string, ctr: number): MetaInsightRow => {
      const impressions = 20_000 + 37 * d;
      const clicks = Math.round(impressions * ctr);
      const purchases = Math.round(clicks * 0.05);
      return { date, campaignId: 'c', adsetId, country: 'ES', age: null, gender: null, impressions, reach: Math.round(impressions / 1.3), clicks, spendMinor: Math.round(impressions / 2), purchases, purchaseValueMinor: purchases * 5_000 };
    };
    const converted = toInsightRows({
      campaignId: 'c',
      currency: 'EUR',
      countryRows: [day('a1', mixed ? 0.02 : 0.03), day('a2', 0.01)],
      demographicRows: [],
      adsets: [adsetTargeting('a1', mixed ? [RUNNING, YOGA] : [RUNNING]), adsetTargeting('a2', [YOGA])],
      audiences: new Map(),
    });
    for (const r of converted.rows) {
      // The control: the same shares a few impressions apart, which no longer read as shares.
      if (perturbShares && mixed && r.adsetId === 'a1' && r.segmentId === YOGA[0]) r.impressions += 5;
      rows.push(r);
    }
  }
  return rows;
}

async function storedSnapshot(db: Db, rows: readonly InsightRow[]): Promise<CampaignSnapshot> {
  await db.transaction((tx) => upsertInsights(tx, rows, 'meta'));
  return loadCampaignSnapshot(db, 'c', 'EUR', window);
}

const settings = { ...loadConfig({}).engine, maxInterests: 2 };
const decide = (snapshot: CampaignSnapshot) => optimizeCampaign({ snapshot, totalBudgetMinor: 10_000, settings, randomSeed: 11 });

describe('rows LIVE sync credits in equal shares', () => {
  let shared: Db;
  let perturbed: Db;
  let snapshot: CampaignSnapshot;
  let control: CampaignSnapshot;
  const rows = syncedRows(false);
  beforeAll(async () => {
    [shared, perturbed] = await Promise.all([openTestDb(), openTestDb()]);
    snapshot = await storedSnapshot(shared, rows);
    control = await storedSnapshot(perturbed, syncedRows(true));
  });
  afterAll(async () => {
    await Promise.all([shared.close(), perturbed.close()]);
  });

  it('are read as the ad set\'s blend: the shares apart from each interest\'s own rows, the same in the store and in memory', async () => {
    const a1 = snapshot.adsets.find((a) => a.adsetId === 'a1')!;
    expect(a1.blends).toHaveLength(1);
    expect(a1.blends![0]!.segments.map((s) => s.segmentId)).toEqual([RUNNING[0], YOGA[0]]);
    expect(a1.blends![0]!.days).toBe(15);
    const running = a1.segments.find((s) => s.segmentId === RUNNING[0])!;
    expect(running.shared!.impressions).toBeGreaterThan(0);
    expect(running.shared!.impressions).toBeLessThan(running.total.impressions);
    // Its daily points for the fatigue fit are its own days only.
    for (const day of running.daily ?? []) expect(day.date < '2026-11-06').toBe(true);
    expect(snapshot.adsets.find((a) => a.adsetId === 'a2')!.blends).toBeUndefined();
    const inMemory = snapshotFromRows('c', 'EUR', rows, window, []);
    expect(inMemory.adsets.find((a) => a.adsetId === 'a1')!.blends).toEqual(a1.blends);
    expect(inMemory.adsets.find((a) => a.adsetId === 'a1')!.segments.find((s) => s.segmentId === RUNNING[0])!.shared).toEqual(running.shared);
  });

  it('do not make an interest look tired because it was targeted with a weaker one', async () => {
    const a1 = decide(snapshot).find((d) => d.decision.adsetId === 'a1')!;
    expect(a1.decision.interests.map((i) => i.segmentId)).toContain(RUNNING[0]);
    expect(a1.decision.trace.some((t) => t.kind === 'fatigue.rest' && t.segmentId === RUNNING[0])).toBe(false);
    // The same rows, their shares no longer recognisable: Running's CTR "fell" from 3 % to the blend's, and it rests.
    const naive = decide(control).find((d) => d.decision.adsetId === 'a1');
    expect(naive!.decision.trace.some((t) => t.kind === 'fatigue.rest' && t.segmentId === RUNNING[0] && t.what === 'started')).toBe(true);
    expect(naive!.decision.interests.map((i) => i.segmentId)).not.toContain(RUNNING[0]);
  });
});
