import { segmentDocument } from '../../services/segment-document.ts';
import { segmentPerformancePage } from '../../services/segments.ts';
import { errorResponses, pageHeaders } from '../schemas/common.ts';
import { SegmentsQuery, SegmentsResponse } from '../schemas/segments.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';
import { setNextPage } from './page.ts';

export function segmentRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/segments',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Segment performance across campaigns',
        description: 'Most impressions first. Paginated: the next page\'s cursor is in the X-Next-Cursor header (and a Link rel="next" header); no header on the last page.',
        security: BEARER,
        querystring: SegmentsQuery,
        response: { 200: { ...SegmentsResponse, headers: pageHeaders }, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      const page = await segmentPerformancePage(ctx, { segmentType: req.query.segment_type ?? null, limit: req.query.limit ?? 50, cursor: req.query.cursor ?? null });
      setNextPage(req, reply, page.nextCursor);
      return page.items.map(segmentDocument);
    },
  );
}
