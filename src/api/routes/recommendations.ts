import { NotFoundError } from '../../services/errors.ts';
import { latestRecommendationBody } from '../../store/runs.ts';
import { errorResponses } from '../schemas/common.ts';
import { RecommendationParams, RecommendationResponse } from '../schemas/recommendation.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';

export function recommendationRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/recommendations/:campaign_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'The latest recommendation of a campaign',
        description: 'One document when the latest run has one recommendation (one ad set), else an array with one per ad set: the same rule as the CLI\'s `recommendation` command.',
        security: BEARER,
        params: RecommendationParams,
        response: { 200: RecommendationResponse, ...errorResponses(404) },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      // The stored body is sent as it is (latest_recommendations, migration 003): no parse and
      // re-serialisation of ~50 KB per request, the read benchmark's hot path.
      const body = await latestRecommendationBody(ctx.db, req.params.campaign_id);
      if (body === null) throw new NotFoundError(`no recommendation stored for campaign ${JSON.stringify(req.params.campaign_id)}; POST /meta/targeting/run with {"campaign_id": ...} first`);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
