import { NotFoundError } from '../../services/errors.ts';
import { unknownAdsetMessage } from '../../services/recommendation-messages.ts';
import { latestAdsetRecommendationJson, latestRecommendationJson } from '../../services/recommendations.ts';
import { errorResponses } from '../schemas/common.ts';
import { RecommendationParams, RecommendationQuery, RecommendationResponse } from '../schemas/recommendation.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';

export function recommendationRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/recommendations/:campaign_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'The latest recommendation of a campaign',
        description:
          'Two stable shapes, by the latest run: one document when it has one recommendation (one ad set, or a campaign without ad sets), else an array with one per ad set (ordered by ad set id); the same rule as the CLI\'s `recommendation` command. With `?adset_id=` the answer is always exactly one document.',
        security: BEARER,
        params: RecommendationParams,
        querystring: RecommendationQuery,
        response: { 200: RecommendationResponse, ...errorResponses(404) },
      },
      config: { access: 'read' },
    },
    async (req, reply) => {
      // The stored body is sent as it is (latest_recommendations, migration 003): no parse and
      // re-serialisation of ~50 KB per request, the read benchmark's hot path.
      const campaignId = req.params.campaign_id;
      const missing = () => new NotFoundError(`no recommendation stored for campaign ${JSON.stringify(campaignId)}; POST /meta/targeting/run with {"campaign_id": ...} first`);
      if (req.query.adset_id !== undefined) {
        const one = await latestAdsetRecommendationJson(ctx, campaignId, req.query.adset_id);
        if (one.adsets.length === 0) throw missing();
        if (one.document === null) throw new NotFoundError(unknownAdsetMessage(campaignId, req.query.adset_id, one.adsets));
        return reply.type('application/json; charset=utf-8').send(one.document);
      }
      const body = await latestRecommendationJson(ctx, campaignId);
      if (body === null) throw missing();
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
