import type { Db } from '../store/db.ts';
import { adsetsObservedRates } from '../store/adset-metrics.ts';
import { listChangesAwaitingResults, setAfterMetrics } from '../store/history.ts';
import { campaignDays } from './campaign-day.ts';
import { addDays } from './dates.ts';

/**
 * Fills the after_* metrics of applied targeting changes from the delivery stored since: the
 * observed CTR, CVR and ROAS of the ad sets the change left delivering (a geo split's original and
 * copies together) from the day after the change (the campaign's day, its ad account's for LIVE;
 * that day mixes old and new targeting) to the latest stored day. Runs in the transaction that stored new insights for these
 * campaigns, so the history never lags the data it is computed from; more days refine it.
 */
export async function refreshAfterMetrics(tx: Db, campaignIds: readonly string[]): Promise<number> {
  if (campaignIds.length === 0) return 0;
  const changes = await listChangesAwaitingResults(tx, campaignIds);
  const dayOf = campaignDays(tx);
  let updated = 0;
  for (const c of changes) {
    const rates = await adsetsObservedRates(tx, c.campaignId, c.adsetIds, addDays(await dayOf(c.campaignId, c.appliedAt), 1), '9999-12-31');
    if (rates.ctr === null && rates.cvr === null && rates.roas === null) continue;
    await setAfterMetrics(tx, c.id, rates);
    updated++;
  }
  return updated;
}
