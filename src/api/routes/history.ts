import { targetingHistoryPage } from '../../services/history.ts';
import { errorResponses, pageHeaders } from '../schemas/common.ts';
import { HistoryQuery, HistoryResponse } from '../schemas/history.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';
import { setNextPage } from './page.ts';

export function historyRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/history',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Targeting changes applied to ad sets',
        description: 'Latest first, with old/new targeting and before/after metrics. Paginated like /segments (X-Next-Cursor and Link headers).',
        security: BEARER,
        querystring: HistoryQuery,
        response: { 200: { ...HistoryResponse, headers: pageHeaders }, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      const page = await targetingHistoryPage(ctx, { campaignId: req.query.campaign_id ?? null, adsetId: req.query.adset_id ?? null, limit: req.query.limit ?? 50, cursor: req.query.cursor ?? null });
      setNextPage(req, reply, page.nextCursor);
      // The targeting columns are jsonb objects written by the apply service (or null for the first change).
      return page.items.map((h) => ({ ...h, old_targeting: h.old_targeting as object | null, new_targeting: h.new_targeting as object | null }));
    },
  );
}
