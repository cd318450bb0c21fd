// The bayes strategy's expected ROAS at the recent level (src/engine/roas-level.ts), checked on
// real daily spend and sales: the Kaggle "Online Advertising Digital Marketing Data" (display
// banners, not Meta; ../shared/data/real/online_advertising/SOURCE.md), 3 campaigns over 91 days.
// Each day from the 31st on is forecast from the 30 days before it, as a run does, by the window's
// ROAS alone and at the recent level; the error is forecast / realized − 1.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../src/engine/metrics.ts';
import { recentRoasLevel } from '../src/engine/roas-level.ts';
import type { Metrics } from '../src/engine/types.ts';
import { readCsvTable } from '../src/sources/tabular.ts';

const file = path.resolve(import.meta.dirname, '../../shared/data/real/online_advertising/online_advertising_performance_data.csv');
const MONTH_START: Record<string, number> = { April: 0, May: 30, June: 61 };
const DAYS = 91;
const WINDOW = 30;
const RECENT = 7;
const STRENGTH = 100; // TARGETING_PRIOR_STRENGTH's default

async function dailyByCampaign(): Promise<Map<string, { spendMinor: number[]; salesMinor: number[] }>> {
  const table = await readCsvTable(await readFile(file, 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  const [month, day, campaign, cost, sales] = ['month', 'day', 'campaign_number', 'cost', 'post_click_sales_amount'].map(col);
  const out = new Map<string, { spendMinor: number[]; salesMinor: number[] }>();
  for (const { cells } of table.records) {
    const d = MONTH_START[String(cells[month!])]! + Number(cells[day!]) - 1;
    const name = String(cells[campaign!]);
    let c = out.get(name);
    if (!c) out.set(name, (c = { spendMinor: Array<number>(DAYS).fill(0), salesMinor: Array<number>(DAYS).fill(0) }));
    c.spendMinor[d]! += Math.round(Number(cells[cost!]) * 100);
    c.salesMinor[d]! += Math.round(Number(cells[sales!]) * 100);
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('expected ROAS at the recent level on real daily spend and sales', () => {
  it('forecasts the next day and the next week with a smaller mean absolute error than the window alone', async () => {
    const campaigns = await dailyByCampaign();
    expect([...campaigns.keys()].sort()).toEqual(['camp 1', 'camp 2', 'camp 3']);
    for (const horizon of [1, 7]) {
      const windowErrors: number[] = [];
      const levelErrors: number[] = [];
      for (const c of campaigns.values()) {
        const between = (from: number, to: number): Metrics => {
          let spend = 0;
          let sales = 0;
          for (let d = from; d < to; d++) {
            spend += c.spendMinor[d]!;
            sales += c.salesMinor[d]!;
          }
          return { ...emptyMetrics(), spendMinor: spend, spendWithRevenueMinor: spend, revenueMinor: sales };
        };
        for (let d = WINDOW; d + horizon <= DAYS; d++) {
          const window = between(d - WINDOW, d);
          const next = between(d, d + horizon);
          if (next.spendMinor === 0 || window.revenueMinor === 0) continue;
          const realized = next.revenueMinor / next.spendMinor;
          const level = recentRoasLevel(window, between(d - RECENT, d), STRENGTH, 100);
          windowErrors.push(level.windowRoas! / realized - 1);
          levelErrors.push((level.windowRoas! * level.factor) / realized - 1);
        }
      }
      const windowMae = mean(windowErrors.map(Math.abs));
      const levelMae = mean(levelErrors.map(Math.abs));
      console.log(
        `${horizon} day(s) ahead, ${windowErrors.length} forecasts: window alone bias ${(mean(windowErrors) * 100).toFixed(1)} %, mean absolute ${(windowMae * 100).toFixed(1)} %; ` +
          `recent level bias ${(mean(levelErrors) * 100).toFixed(1)} %, mean absolute ${(levelMae * 100).toFixed(1)} %`,
      );
      // camp 2 runs in April only, so most forecasts are camp 1's and camp 3's.
      expect(windowErrors.length).toBeGreaterThan(100);
      expect(levelMae).toBeLessThan(windowMae);
    }
  });
});
