import { applyRecommendation } from '../../services/apply-recommendation.ts';
import { GuardrailBlockedError } from '../../services/apply-guardrails.ts';
import { ConflictError, NotFoundError, UnavailableError } from '../../services/errors.ts';
import { ApiError } from '../errors.ts';
import { authorizeLiveApply } from '../roles.ts';
import { ApplyBody, ApplyParams, ApplyResponse } from '../schemas/apply.ts';
import { errorResponses } from '../schemas/common.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export function applyRoutes(app: ApiInstance, { ctx, metrics, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/apply/:recommendation_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Apply a recommendation to its ad set',
        description: 'STUB mode simulates the change and records it in the targeting history (mode stub), with the caller as actor. Applies of one ad set are serialised. A targeting already in force records nothing (already_in_force true). A recommendation that a newer run superseded for the ad set is refused (409 naming the newer one) unless an admin sends force: true. dry_run answers what would change, with what the guardrails would say, and stores nothing but the audit row. The guardrails (docs/live-mode.md) are checked before anything is recorded: a refusal is kept in the guardrail ledger and answered 409 (kill switch, approval, hourly changes, daily amount: the state may change) or 422 (confidence, budget change: the recommendation itself), with the rule in error.rule. LIVE mode is limited to META_TARGETING_LIVE_APPLY_ROLES (default admin) and needs the Meta client, which this version does not have (501).',
        security: BEARER,
        params: ApplyParams,
        body: ApplyBody,
        response: { 200: ApplyResponse, ...errorResponses(404, 409, 413, 415, 422, 501) },
      },
      config: { access: 'write', auditFields: ['recommendation_id', 'mode', 'dry_run', 'force'], rateLimit: writeRateLimit },
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
      const force = req.body.force ?? false;
      if (force && req.principal!.role !== 'admin') {
        metrics.applies.inc({ mode, outcome: 'refused' });
        throw new ApiError('forbidden', `body.force: only an admin may apply a superseded recommendation (role ${req.principal!.role})`);
      }
      try {
        const result = await applyRecommendation(requestContext(ctx, req), { recommendationId: id.toLowerCase(), mode, dryRun: req.body.dry_run ?? false, force });
        metrics.applies.inc({ mode, outcome: result.already_in_force ? 'already_in_force' : result.dry_run ? 'dry_run' : 'applied' });
        return result;
      } catch (error) {
        const outcome = error instanceof GuardrailBlockedError ? 'blocked' : error instanceof UnavailableError ? 'refused' : error instanceof NotFoundError ? 'not_found' : error instanceof ConflictError ? 'superseded' : 'failed';
        metrics.applies.inc({ mode, outcome });
        throw error;
      }
    },
  );
}
