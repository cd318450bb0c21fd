import { applyRecommendation } from '../../services/apply-recommendation.ts';
import { NotFoundError, UnavailableError } from '../../services/errors.ts';
import { ApiError } from '../errors.ts';
import { authorizeLiveApply } from '../roles.ts';
import { ApplyBody, ApplyParams, ApplyResponse } from '../schemas/apply.ts';
import { errorResponses } from '../schemas/common.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';

export function applyRoutes(app: ApiInstance, { ctx, metrics, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/apply/:recommendation_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Apply a recommendation to its ad set',
        description: 'STUB mode simulates the change and records it in the targeting history (mode stub). dry_run records a dry-run row and applies nothing. LIVE mode is limited to META_TARGETING_LIVE_APPLY_ROLES and needs the Meta client, which this version does not have (501).',
        security: BEARER,
        params: ApplyParams,
        body: ApplyBody,
        response: { 200: ApplyResponse, ...errorResponses(404, 413, 415, 501) },
      },
      config: { access: 'write', auditFields: ['recommendation_id', 'mode', 'dry_run'], rateLimit: writeRateLimit },
    },
    async (req) => {
      const id = req.params.recommendation_id;
      if (req.body.recommendation_id.toLowerCase() !== id.toLowerCase()) {
        throw new ApiError('bad_request', 'body.recommendation_id: must equal the recommendation_id of the path');
      }
      const mode = req.body.mode ?? 'stub';
      if (mode === 'live') {
        const decision = authorizeLiveApply(req.principal!, ctx.config.api.liveApplyRoles);
        if (!decision.allowed) {
          metrics.applies.inc({ mode, outcome: 'refused' });
          throw new ApiError('forbidden', decision.reason);
        }
      }
      try {
        const result = await applyRecommendation(ctx, { recommendationId: id.toLowerCase(), mode, dryRun: req.body.dry_run ?? false });
        metrics.applies.inc({ mode, outcome: result.dry_run ? 'dry_run' : 'applied' });
        return result;
      } catch (error) {
        const outcome = error instanceof UnavailableError ? 'refused' : error instanceof NotFoundError ? 'not_found' : 'failed';
        metrics.applies.inc({ mode, outcome });
        throw error;
      }
    },
  );
}
