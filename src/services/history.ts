// Reads of the targeting history for the API and the CLI: the outlets ask the services layer, which
// alone knows the store.
import type { AppContext } from '../context.ts';
import { type HistoryFilter, listTargetingHistory, listTargetingHistoryPage, type TargetingChange } from '../store/history.ts';

export type { HistoryFilter, TargetingChange };

/** Latest change first, at most filter.limit rows. */
export function targetingHistory(ctx: AppContext, filter: HistoryFilter): Promise<TargetingChange[]> {
  return listTargetingHistory(ctx.db, filter);
}

/** One page, latest first; nextCursor is null on the last page. */
export function targetingHistoryPage(ctx: AppContext, filter: HistoryFilter & { cursor: string | null }): Promise<{ items: TargetingChange[]; nextCursor: string | null }> {
  return listTargetingHistoryPage(ctx.db, filter);
}
