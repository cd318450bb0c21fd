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
        description: 'Dry run by default: without dry_run false the answer is what would change and nothing is applied or stored but the audit row; in LIVE mode it holds the exact requests, validated by Meta (validate_only), and each ad set\'s diff. STUB mode simulates the change and records it in the targeting history (mode stub). LIVE mode (META_TARGETING_LIVE_APPLY_ROLES, default admin) records the change as pending before any request, sends it (a geo split copies the ad set per country, copies paused until the apply completes), and settles it as applied, or failed with Meta\'s error after undoing what had landed (rolled_back says which). The same recommendation applied twice sends nothing the second time (already_in_force). A recommendation that a newer run superseded for the ad set is refused (409 naming the newer one) unless an admin sends force: true. The guardrails (docs/live-mode.md) are checked in both modes before anything is recorded or any write reaches Meta (a dry run reports every rule\'s verdict in guardrails and records nothing): a refusal is kept in the guardrail ledger and answered 409 (kill switch, approval, hourly changes, daily amount: the state may change) or 422 (confidence, budget change: the recommendation itself), with the rule in error.rule. LIVE: lookalikes the recommendation proposes are made (or reused) from a source audience on the account and targeted once Meta has populated them; until then the apply goes ahead without them and lookalikes says so. 501 when LIVE mode is not set up; 503 with Meta\'s error when Meta fails a read.',
        security: BEARER,
        params: ApplyParams,
        body: ApplyBody,
        response: { 200: ApplyResponse, ...errorResponses(404, 409, 413, 415, 422, 501, 503) },
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
        const result = await applyRecommendation(requestContext(ctx, req), { recommendationId: id.toLowerCase(), mode, dryRun: req.body.dry_run ?? true, force });
        metrics.applies.inc({ mode, outcome: result.already_in_force ? 'already_in_force' : result.dry_run ? 'dry_run' : result.success ? 'applied' : 'failed' });
        return result;
      } catch (error) {
        const outcome = error instanceof GuardrailBlockedError ? 'blocked' : error instanceof UnavailableError ? 'refused' : error instanceof NotFoundError ? 'not_found' : error instanceof ConflictError ? 'superseded' : 'failed';
        metrics.applies.inc({ mode, outcome });
        throw error;
      }
    },
  );
}
