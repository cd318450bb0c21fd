// The daily budget each delivering ad set of a LIVE campaign holds: its own daily budget, or, on a
// lifetime budget (which a run never changes), what it spent a day over the run's window. A run
// shares the campaign's budget among its ad sets in proportion to these, and a sync totals them
// into the campaign's default budget; a lifetime ad set counted at nothing would take its share
// from the daily ones at every run.
import type { Db } from '../store/db.ts';
import { averageDailySpend } from '../store/insights.ts';
import { addDays } from './dates.ts';

export interface BudgetedAdSet {
  id: string;
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
}

/** By ad set id; `window` is the run's (its last day and its length in days). */
export async function dailyBudgetsOf(db: Db, campaignId: string, delivering: readonly BudgetedAdSet[], window: { end: string; days: number }): Promise<Map<string, number>> {
  const lifetime = delivering.filter((a) => a.dailyBudgetMinor === null && a.lifetimeBudgetMinor !== null).map((a) => a.id);
  const spent = await averageDailySpend(db, campaignId, lifetime, addDays(window.end, -(window.days - 1)), window.end);
  return new Map(delivering.map((a) => [a.id, a.dailyBudgetMinor ?? spent.get(a.id) ?? 0]));
}
