// Read endpoints the dashboard's pages need beside the specification's: campaigns with their
// latest run, segments' daily series, a recommendation against the targeting in force, experiments.
import { campaignOverviewPage } from '../../services/campaign-overview.ts';
import { experimentSummaries } from '../../services/experiment-list.ts';
import { compareRecommendation } from '../../services/recommendation-comparison.ts';
import { segmentSeries } from '../../services/segment-series.ts';
import { errorResponses, pageHeaders } from '../schemas/common.ts';
import { CampaignsQuery } from '../schemas/campaigns.ts';
import { ComparisonParams, ComparisonResponse } from '../schemas/comparison.ts';
import { ExperimentListQuery, ExperimentListResponse } from '../schemas/experiment-list.ts';
import { CampaignOverviewResponse } from '../schemas/overview.ts';
import { SegmentSeriesQuery, SegmentSeriesResponse } from '../schemas/segment-series.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';
import { setNextPage } from './page.ts';

export function dashboardReadRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/campaigns/overview',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Campaigns with their latest run, expected against last actual rates, and spend',
        description: 'As GET /meta/targeting/campaigns (same order and pagination), each with latest_run, expected (budget-weighted over the latest recommendations), actual (the last 7 days of delivery) and spend (the last 30 days, in the campaign currency).',
        security: BEARER,
        querystring: CampaignsQuery,
        response: { 200: { ...CampaignOverviewResponse, headers: pageHeaders }, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      const page = await campaignOverviewPage(ctx, { limit: req.query.limit ?? 50, cursor: req.query.cursor ?? null });
      setNextPage(req, reply, page.nextCursor);
      return page.items;
    },
  );

  app.get(
    '/meta/targeting/segments/daily',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Segments\' daily delivery (impressions, clicks, spend, CTR) over the last days',
        description: 'One entry per calendar day from start to end (the latest stored day) for every segment with delivery in that range, across campaigns, by currency.',
        security: BEARER,
        querystring: SegmentSeriesQuery,
        response: { 200: SegmentSeriesResponse, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req) => segmentSeries(ctx, { days: req.query.days ?? 30, segmentType: req.query.segment_type ?? null, segmentIds: req.query.segment_ids?.split(',') ?? null }),
  );

  app.get(
    '/meta/targeting/comparisons/:recommendation_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'A recommendation against the targeting in force and the previous run\'s split',
        description: 'What applying would change, field by field, and the ad set\'s recommendation from the run before (its geo split).',
        security: BEARER,
        params: ComparisonParams,
        response: { 200: ComparisonResponse, ...errorResponses(404) },
      },
      config: { access: 'read' },
    },
    async (req) => {
      const c = await compareRecommendation(ctx, req.params.recommendation_id);
      return { ...c, proposed: c.proposed as unknown as object, in_force: c.in_force === null ? null : { history_id: c.in_force.history_id, targeting: c.in_force.targeting as object | null } };
    },
  );

  app.get(
    '/meta/targeting/experiments',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Holdout experiments, latest first',
        description: 'Each one\'s lift: GET /meta/targeting/experiments/{experiment_id}.',
        security: BEARER,
        querystring: ExperimentListQuery,
        response: { 200: ExperimentListResponse, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req) => experimentSummaries(ctx, { campaignId: req.query.campaign_id ?? null, limit: req.query.limit ?? 50 }),
  );
}
