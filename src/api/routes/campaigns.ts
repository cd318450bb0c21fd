import { listCampaigns, setCampaignBudget } from '../../services/campaigns.ts';
import { errorResponses, pageHeaders } from '../schemas/common.ts';
import { Campaign, CampaignBody, CampaignParams, CampaignsQuery, CampaignsResponse } from '../schemas/campaigns.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';
import { setNextPage } from './page.ts';

export function campaignRoutes(app: ApiInstance, { ctx, writeRateLimit }: RouteDeps): void {
  app.get(
    '/meta/targeting/campaigns',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Stored campaigns with their daily budget, currency, data range and whether the scheduler runs them',
        description: 'By campaign id. Paginated: the next page\'s cursor is in the X-Next-Cursor header (and a Link rel="next" header); no header on the last page.',
        security: BEARER,
        querystring: CampaignsQuery,
        response: { 200: { ...CampaignsResponse, headers: pageHeaders }, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      const page = await listCampaigns(ctx, { limit: req.query.limit ?? 50, cursor: req.query.cursor ?? null });
      setNextPage(req, reply, page.nextCursor);
      return page.items;
    },
  );

  app.put(
    '/meta/targeting/campaigns/:campaign_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Set a campaign\'s daily budget',
        description: 'The budget a run without an explicit budget, and the scheduler, optimize. The campaign must be stored (imported or generated). Audited.',
        security: BEARER,
        params: CampaignParams,
        body: CampaignBody,
        response: { 200: Campaign, ...errorResponses(404, 413, 415) },
      },
      config: { access: 'write', auditFields: ['daily_budget'], rateLimit: writeRateLimit },
    },
    async (req) => setCampaignBudget(requestContext(ctx, req), req.params.campaign_id, req.body.daily_budget),
  );
}
