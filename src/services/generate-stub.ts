import type { InsightRow } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import type { MarketFamily } from '../simulation/families.ts';
import { createStubMarket, getTruth } from '../simulation/market.ts';
import type { Db } from '../store/db.ts';
import { refreshStatistics, replacePixelEvents, upsertCampaigns, upsertInsights, upsertSegmentSizeRanges } from '../store/insights.ts';
import { addDays, isoDate } from './dates.ts';
import { EARLIEST_DATA_YEAR, isCalendarDate } from '../sources/field-rules.ts';
import { dataSources, storeKindOf, STUB_SOURCE } from '../store/data-sources.ts';
import { auditChange } from './audit.ts';
import { ConflictError, InputError } from './errors.ts';
import { refreshSegmentPerformance } from './segment-performance.ts';
import { refreshAfterMetrics } from './after-metrics.ts';

export interface GenerateOptions {
  campaigns: number;
  days: number;
  seed: number | string;
  /** Last day of the history; defaults to yesterday by the context's clock. */
  endDate?: string;
  campaignIds?: string[];
  interestsPerCampaign?: number;
  adsetsPerCampaign?: number;
  behaviorsPerCampaign?: number;
  /** The market's assumptions (src/simulation/families.ts); default the original market. */
  family?: MarketFamily;
  onProgress?: (rowsWritten: number, rowsTotal: number) => void;
}

export interface GenerateReport {
  campaigns: { campaign_id: string; name: string; adset_ids: string[] }[];
  rows: number;
  dateRange: { start: string; end: string };
  seed: number | string;
  durationMs: number;
}

const CHUNK = 20_000;

export async function generateStubHistory(ctx: AppContext, options: GenerateOptions): Promise<GenerateReport> {
  const started = performance.now();
  if (!Number.isInteger(options.campaigns) || options.campaigns < 1 || options.campaigns > 1000) throw new InputError('campaigns', 'must be a whole number from 1 to 1000');
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 730) throw new InputError('days', 'must be a whole number from 1 to 730');
  const endDate = options.endDate ?? addDays(isoDate(ctx.clock.now()), -1);
  // Date.parse takes 2026-02-30 as March 2; the market would then refuse it as an unexpected failure.
  if (!isCalendarDate(endDate)) throw new InputError('end-date', `must be a real calendar date written YYYY-MM-DD from ${EARLIEST_DATA_YEAR} on, got ${JSON.stringify(endDate)}`);

  const market = createStubMarket({
    seed: options.seed,
    campaigns: options.campaigns,
    days: options.days,
    endDate,
    currency: ctx.config.defaultCurrency,
    ...(options.campaignIds ? { campaignIds: options.campaignIds } : {}),
    ...(options.interestsPerCampaign ? { interestsPerCampaign: options.interestsPerCampaign } : {}),
    ...(options.behaviorsPerCampaign ? { behaviorsPerCampaign: options.behaviorsPerCampaign } : {}),
    ...(options.adsetsPerCampaign ? { adsetsPerCampaign: options.adsetsPerCampaign } : {}),
    ...(options.family ? { family: options.family } : {}),
  });
  const total = market.rowCount();
  const refusal = (sources: readonly string[] | null) =>
    new ConflictError(`this store holds real data (${sources === null ? 'imported while this ran' : `sources: ${sources.filter((x) => x !== STUB_SOURCE).join(', ')}`}), so it takes no synthetic STUB rows; use another DATA_DIR or DATABASE_SCHEMA for a demo`);
  const written = await ctx.db.transaction(async (tx) => {
    // Synthetic rows never enter a store that holds real data: they would be optimised, reported
    // and scheduled as if they were the advertiser's own. (The insights trigger of migration 010
    // refuses them too, for an import that commits while this runs.)
    const sources = await dataSources(tx);
    if (storeKindOf(sources) === 'real') throw refusal(sources);
    const truth = getTruth(market);
    const campaigns = new Map(truth.campaigns.map((c) => [c.campaignId, { currency: ctx.config.defaultCurrency, name: c.name, dailyBudgetMinor: c.dailyBudgetMinor }]));
    await upsertCampaigns(tx, campaigns, 'stub');
    const n = await writeInChunks(tx, market.rows(), (w) => options.onProgress?.(w, total));
    for (const c of market.campaigns) await replacePixelEvents(tx, c.campaignId, market.pixelEvents(c.campaignId));
    // Each interest's and behavior's audience size as Meta's targeting search would give it (a
    // rounded range around a noisy estimate), stored as a Meta size: the engine reads it as it
    // would read Meta's in LIVE mode. The rows themselves carry no size.
    for (const c of market.campaigns) {
      await upsertSegmentSizeRanges(tx, market.audienceSizes(c.campaignId).map((s) => ({ campaignId: c.campaignId, ...s, asOf: endDate })), 'meta');
    }
    await refreshSegmentPerformance(tx, ctx.config.engine);
    await refreshAfterMetrics(tx, market.campaigns.map((c) => c.campaignId));
    await auditChange(tx, ctx, { action: 'stub generate', summary: { stub_campaigns: market.campaigns.length, stub_rows: n, stub_days: options.days, stub_seed: String(options.seed) } });
    return n;
  }).catch((error: unknown) => {
    // The database's own refusal; the transaction is aborted, so nothing more is asked of it.
    if (error instanceof Error && error.message.includes('synthetic_into_real')) throw refusal(null);
    throw error;
  });
  await refreshStatistics(ctx.db);
  ctx.logger.info({ rows: written, campaigns: market.campaigns.length }, 'stub history generated');
  return {
    campaigns: market.campaigns.map((c) => ({ campaign_id: c.campaignId, name: c.name, adset_ids: c.adsetIds })),
    rows: written,
    dateRange: { start: addDays(endDate, -(options.days - 1)), end: endDate },
    seed: options.seed,
    durationMs: Math.round(performance.now() - started),
  };
}

async function writeInChunks(tx: Db, rows: Iterable<InsightRow>, onProgress: (written: number) => void): Promise<number> {
  let chunk: InsightRow[] = [];
  let written = 0;
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === CHUNK) {
      written += await upsertInsights(tx, chunk, 'stub');
      chunk = [];
      onProgress(written);
    }
  }
  if (chunk.length > 0) written += await upsertInsights(tx, chunk, 'stub');
  onProgress(written);
  return written;
}
