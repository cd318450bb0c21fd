// A canonical CSV import, on either driver, with the reading and the writing overlapped: a worker
// thread (canonical-import-worker.ts) reads and checks the file and posts the valid rows as COPY
// text in batches, which the main thread writes as they come (Db.copyCsv), in one transaction with
// the rest of the import. PGlite runs on the main thread, so there the reading would otherwise wait
// for every write; on PostgreSQL, the rows of a file are never all held in memory at once. The
// worker keeps only a few batches ahead of the writes (it waits for each batch's "written"), so a
// database that writes more slowly than the file is read slows the reading down instead of letting
// unwritten batches pile up. A file with a problem (without --skip-invalid) is still refused as a
// whole: the worker stops posting rows at the first problem, reads on to list every one, and the
// transaction is rolled back.
import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AppContext } from '../context.ts';
import type { SegmentDays } from '../store/segment-days.ts';
import { copyInsights, CurrencyConflictError, hasSegmentRows, refreshStatistics, storedCampaignDays, upsertCampaigns, upsertSegmentSizeRanges, type SegmentSizeRange } from '../store/insights.ts';
import type { RowProblem } from '../sources/csv.ts';
import { auditChange } from './audit.ts';
import { refreshAfterMetrics } from './after-metrics.ts';
import { ImportRejectedError } from './errors.ts';
import { refreshSegmentPerformance } from './segment-performance.ts';
import { latestDeliveryDay } from './dates.ts';
import { budgetsToStore, type OlderBudget } from './import-budgets.ts';

export interface ReaderInput {
  file: string;
  defaultCurrency: string;
  skipInvalid: boolean;
  source: string;
  batchRows: number;
  latestDate: string;
}

/** What the main thread tells the worker: a posted batch has been written (or, on a refused import, dropped). */
export type WriterMessage = { type: 'written' };

export type ReaderMessage =
  | { type: 'progress'; rowsRead: number }
  | { type: 'batch'; text: string; rows: number; campaigns: { id: string; currency: string; first: string; last: string }[] }
  | ReaderEnd;

export interface ReaderEnd {
  type: 'end';
  rowsRead: number;
  problems: RowProblem[];
  headerProblems: string[];
  /** Rows posted in batches. */
  written: number;
  /** Each campaign with rows, and its currency, in the order the file first names them. */
  campaigns: Map<string, string>;
  currencies: string[];
  dateRange: { start: string; end: string } | null;
  /** Daily budgets in minor units of the campaigns with rows. */
  dailyBudgets: Map<string, number>;
  segmentDays: SegmentDays;
  segmentSizes: SegmentSizeRange[];
}

// Small enough that the first batch is written soon after the import starts, large enough that a
// statement's fixed cost (the sources trigger's pass over its rows, the blob) stays small.
const BATCH_ROWS = 20_000;

const SOURCE = 'csv';

/**
 * Reads `file` in a worker and writes its rows, campaigns, budgets, audience sizes and the
 * refreshed segment table in one transaction, as storeInsights does for rows already read.
 */
export async function importCanonicalOverlapped(ctx: AppContext, file: string, options: { defaultCurrency: string; skipInvalid: boolean; onProgress?: (rowsRead: number) => void; batchRows?: number }): Promise<ReaderEnd & { olderBudgets: OlderBudget[] }> {
  const input: ReaderInput = { file, defaultCurrency: options.defaultCurrency, skipInvalid: options.skipInvalid, source: SOURCE, batchRows: options.batchRows ?? BATCH_ROWS, latestDate: latestDeliveryDay(ctx.clock.now()) };
  const worker = new Worker(new URL('./canonical-import-worker.ts', import.meta.url), { workerData: input });
  try {
    const end = await ctx.db.transaction(async (tx) => {
      const hadSegmentRows = await hasSegmentRows(tx);
      // Per campaign, its stored currency and days before this import wrote any of its rows.
      const stored = new Map<string, { currency: string | null; first: string | null; last: string | null }>();
      const fileLastDay = new Map<string, string>();
      let replacing = false;
      let conflict: CurrencyConflictError | null = null;
      let finished: ReaderEnd | null = null;
      for await (const [message] of on(worker, 'message', { close: ['exit'] }) as AsyncIterable<[ReaderMessage]>) {
        if (message.type === 'end') {
          finished = message;
          break;
        }
        if (message.type === 'progress') {
          options.onProgress?.(message.rowsRead);
          continue;
        }
        if (conflict === null) {
          const unknown = message.campaigns.filter((c) => !stored.has(c.id)).map((c) => c.id);
          if (unknown.length > 0) for (const [id, s] of await storedCampaignDays(tx, unknown)) stored.set(id, s);
          let mayReplace = false;
          for (const c of message.campaigns) {
            if ((fileLastDay.get(c.id) ?? '') < c.last) fileLastDay.set(c.id, c.last);
            const s = stored.get(c.id)!;
            if (s.currency !== null && s.currency !== c.currency) conflict ??= new CurrencyConflictError(c.id, s.currency, c.currency);
            if (s.first !== null && s.last !== null && c.first <= s.last && c.last >= s.first) mayReplace = true;
          }
          if (conflict === null) {
            await copyInsights(tx, message.text, mayReplace);
            replacing ||= mayReplace;
          }
        }
        // Written, or dropped after a conflict (the import fails; the worker reads on for the file's
        // problems): either way the worker may read further.
        worker.postMessage({ type: 'written' } satisfies WriterMessage);
      }
      if (finished === null) throw new Error('the CSV reader stopped before the end of the file');
      // As when the file is read first: its own problems are reported before a conflict with the store.
      if (finished.headerProblems.length > 0) throw new ImportRejectedError(finished.headerProblems, []);
      if (finished.problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError([], finished.problems);
      if (conflict !== null) throw conflict;

      const budgets = budgetsToStore(finished.dailyBudgets, fileLastDay, new Map([...stored].map(([id, s]) => [id, s.last])));
      const campaigns = new Map([...finished.campaigns].map(([id, currency]) => [id, { currency, name: null, dailyBudgetMinor: budgets.stored.get(id) ?? null }]));
      await upsertCampaigns(tx, campaigns, SOURCE);
      await upsertSegmentSizeRanges(tx, finished.segmentSizes, 'csv');
      await refreshSegmentPerformance(tx, ctx.config.engine, { days: finished.segmentDays, hadSegmentRows, mayHaveReplaced: replacing });
      await refreshAfterMetrics(tx, [...campaigns.keys()]);
      await auditChange(tx, ctx, { action: 'import', summary: { source: SOURCE, rows: finished.written, campaigns: campaigns.size } });
      return { ...finished, dailyBudgets: budgets.stored, olderBudgets: budgets.older };
    });
    await refreshStatistics(ctx.db);
    return end;
  } finally {
    await worker.terminate();
  }
}
