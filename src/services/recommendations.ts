// Reads of the latest stored recommendations for the API and the CLI.
import type { AppContext } from '../context.ts';
import { latestRecommendationBody, latestRecommendationOfAdset, latestRecommendations } from '../store/runs.ts';

/** The latest run's recommendations of a campaign, one per ad set (none when it never ran). */
export function latestRecommendationsOf(ctx: AppContext, campaignId: string): ReturnType<typeof latestRecommendations> {
  return latestRecommendations(ctx.db, campaignId);
}

/**
 * The latest run's answer as stored JSON text (one document, or an array with one per ad set),
 * null when the campaign never ran. Sent as it is: no parse and re-serialisation per request.
 */
export function latestRecommendationJson(ctx: AppContext, campaignId: string): Promise<string | null> {
  return latestRecommendationBody(ctx.db, campaignId);
}

/** One ad set's latest document as stored JSON text, and the ad sets of the latest run (empty when it never ran). */
export function latestAdsetRecommendationJson(ctx: AppContext, campaignId: string, adsetId: string): Promise<{ document: string | null; adsets: (string | null)[] }> {
  return latestRecommendationOfAdset(ctx.db, campaignId, adsetId);
}
