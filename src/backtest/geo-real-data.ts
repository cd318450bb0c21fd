// Checks the `bayes` geo split's models on real daily spend and sales: the Kaggle "Online
// Advertising Digital Marketing Data" (display banners, not Meta; 3 campaigns, 91 days), each
// campaign's placements standing for its countries. Every rolling 30-day window is checked as a
// run checks its history (checkOnHeldOutDays: each later day predicted from the days before it),
// under the engine's settings and under the settings of earlier engine versions, and each window
// says whether the days show a value bend and a swing in cost per impression common to every placement. Used by a test and by `npm run bench:geo-real`.
import { readFile } from 'node:fs/promises';
import { checkOnHeldOutDays, type GeoCandidate } from '../engine/geo-value.ts';
import { fitValueCurves } from '../engine/value-curves.ts';
import { orderValueSpread, type OrderValueSpread } from '../engine/level-noise.ts';
import { totalOfDays } from '../engine/metrics.ts';
import type { CountryDay, EngineSettings } from '../engine/types.ts';
import { readCsvTable } from '../sources/tabular.ts';

export interface PlacementDays {
  code: string;
  daily: CountryDay[];
}

const MONTH: Record<string, string> = { April: '04', May: '05', June: '06' };

/** Each campaign's placements with their days (spend, displays, clicks, post-click conversions and sales, in cents). */
export async function readPlacementDays(file: string): Promise<Map<string, PlacementDays[]>> {
  const table = await readCsvTable(await readFile(file, 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  const at = Object.fromEntries(['month', 'day', 'campaign_number', 'placement', 'displays', 'cost', 'clicks', 'post_click_conversions', 'post_click_sales_amount'].map((n) => [n, col(n)]));
  const byCampaign = new Map<string, Map<string, Map<string, CountryDay>>>();
  for (const { cells } of table.records) {
    const placement = String(cells[at.placement!]);
    // A row without its placement cannot be put with any of them.
    if (placement === '#N/A') continue;
    const date = `2020-${MONTH[String(cells[at.month!])]}-${String(cells[at.day!]).padStart(2, '0')}`;
    const campaign = String(cells[at.campaign_number!]);
    const placements = byCampaign.get(campaign) ?? byCampaign.set(campaign, new Map()).get(campaign)!;
    const days = placements.get(placement) ?? placements.set(placement, new Map()).get(placement)!;
    const d = days.get(date) ?? days.set(date, { date, spendMinor: 0, impressions: 0, clicks: 0, conversions: 0, clicksWithConversions: 0, revenueMinor: 0, spendWithRevenueMinor: 0 }).get(date)!;
    const spend = Math.round(Number(cells[at.cost!]) * 100);
    const clicks = Number(cells[at.clicks!]);
    d.spendMinor += spend;
    d.spendWithRevenueMinor! += spend;
    d.impressions += Number(cells[at.displays!]);
    d.clicks! += clicks;
    d.clicksWithConversions! += clicks;
    d.conversions! += Number(cells[at.post_click_conversions!]);
    d.revenueMinor! += Math.round(Number(cells[at.post_click_sales_amount!]) * 100);
  }
  const sorted = (days: Map<string, CountryDay>) => [...days.values()].filter((d) => d.spendMinor > 0).sort((a, b) => (a.date! < b.date! ? -1 : 1));
  return new Map([...byCampaign].map(([campaign, placements]) => [campaign, [...placements].map(([code, days]) => ({ code, daily: sorted(days) }))]));
}

export interface WindowCheck {
  campaign: string;
  lastDay: string;
  /** Each settings variant's held-out error per candidate. */
  errors: Record<string, Record<GeoCandidate, number>>;
  /** Whether the window's days show a shared value bend (null: too few days to test). */
  bendShown: boolean | null;
  /** Whether they show a swing in cost per impression common to every placement (null: too few placements or days to test). */
  dayCostShown: boolean | null;
}

export interface RealDataGeoCheck {
  orderValues: Map<string, OrderValueSpread>;
  windows: WindowCheck[];
}

/** Every campaign's rolling windows (30 days, a week apart) checked under each settings variant. */
export function checkPlacements(campaigns: ReadonlyMap<string, readonly PlacementDays[]>, variants: Readonly<Record<string, EngineSettings>>, windowDays = 30, stepDays = 7): RealDataGeoCheck {
  const orderValues = new Map<string, OrderValueSpread>();
  const windows: WindowCheck[] = [];
  for (const [campaign, placements] of campaigns) {
    orderValues.set(campaign, orderValueSpread(placements.map((p) => p.daily)));
    const dates = [...new Set(placements.flatMap((p) => p.daily.map((d) => d.date!)))].sort();
    for (let end = windowDays; end <= dates.length; end += stepDays) {
      const inWindow = new Set(dates.slice(end - windowDays, end));
      const units = placements
        .map((p) => {
          const daily = p.daily.filter((d) => inWindow.has(d.date!));
          return { code: p.code, daily, total: totalOfDays(daily) };
        })
        .filter((u) => u.daily.length > 0);
      if (units.length < 2) continue;
      const dailyBudget = units.reduce((s, u) => s + u.total.spendMinor, 0) / windowDays;
      const errors: WindowCheck['errors'] = {};
      for (const [name, settings] of Object.entries(variants)) {
        const check = checkOnHeldOutDays(units, settings, 100, true, dailyBudget);
        if (typeof check !== 'string') errors[name] = check.errors;
      }
      if (Object.keys(errors).length === 0) continue;
      const { sharedTest, dayCostTest } = fitValueCurves(units, true, { measured: true, tested: true, commonDayCost: true });
      windows.push({ campaign, lastDay: dates[end - 1]!, errors, bendShown: sharedTest === null ? null : sharedTest.shown, dayCostShown: dayCostTest === null ? null : dayCostTest.shown });
    }
  }
  return { orderValues, windows };
}
