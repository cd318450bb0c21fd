// Checks the bayes strategy's expected ROAS at the recent level (src/engine/roas-level.ts) on a
// real daily series of spend and sales: each day from the window's end on is forecast from the
// window before it, as a run does, by the window's ROAS alone and at the recent level. The error
// is forecast / realized − 1. Used by a test (which asserts the recent level is the better
// forecast) and by a benchmark (which prints the figures).
import { readFile } from 'node:fs/promises';
import { emptyMetrics } from '../engine/metrics.ts';
import { recentRoasLevel } from '../engine/roas-level.ts';
import type { Metrics } from '../engine/types.ts';
import { readCsvTable } from '../sources/tabular.ts';

export interface DailySeries {
  spendMinor: number[];
  salesMinor: number[];
}

export interface ForecastErrors {
  horizonDays: number;
  windowAlone: number[];
  recentLevel: number[];
}

const MONTH_START: Record<string, number> = { April: 0, May: 30, June: 61 };
const DAYS = 91;

/**
 * The Kaggle "Online Advertising Digital Marketing Data" (display banners, April–June, 91 days):
 * daily spend and post-click sales per campaign, in cents.
 */
export async function readOnlineAdvertisingDaily(file: string): Promise<Map<string, DailySeries>> {
  const table = await readCsvTable(await readFile(file, 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  const [month, day, campaign, cost, sales] = ['month', 'day', 'campaign_number', 'cost', 'post_click_sales_amount'].map(col);
  const out = new Map<string, DailySeries>();
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

/** Forecast errors of every campaign's days that have spend in the horizon and revenue in the window. */
export function roasForecastErrors(
  series: Iterable<DailySeries>,
  options: { horizonDays: number; windowDays: number; recentDays: number; priorStrength: number },
): ForecastErrors {
  const { horizonDays, windowDays, recentDays, priorStrength } = options;
  const out: ForecastErrors = { horizonDays, windowAlone: [], recentLevel: [] };
  for (const c of series) {
    const between = (from: number, to: number): Metrics => {
      let spend = 0;
      let sales = 0;
      for (let d = from; d < to; d++) {
        spend += c.spendMinor[d]!;
        sales += c.salesMinor[d]!;
      }
      return { ...emptyMetrics(), spendMinor: spend, spendWithRevenueMinor: spend, revenueMinor: sales };
    };
    for (let d = windowDays; d + horizonDays <= c.spendMinor.length; d++) {
      const window = between(d - windowDays, d);
      const next = between(d, d + horizonDays);
      if (next.spendMinor === 0 || window.revenueMinor === 0) continue;
      const realized = next.revenueMinor / next.spendMinor;
      const level = recentRoasLevel(window, between(d - recentDays, d), priorStrength, 100);
      out.windowAlone.push(level.windowRoas! / realized - 1);
      out.recentLevel.push((level.windowRoas! * level.factor) / realized - 1);
    }
  }
  return out;
}

export const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const meanAbsolute = (xs: readonly number[]) => meanOf(xs.map(Math.abs));
