import { rollbackChange } from '../../services/rollback-change.ts';
import { errorResponses } from '../schemas/common.ts';
import { RollbackBody, RollbackParams, RollbackResponse } from '../schemas/rollback.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export function rollbackRoutes(app: ApiInstance, { ctx, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/rollback/:history_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Roll back an applied change (admin)',
        description: 'Restores exactly the targeting, budget and status the history stored from before the change (ad sets the change created are paused), recorded as a history row of its own with rolls_back_history_id. Not stopped by the kill switch or the apply guardrails; in LIVE mode a budget restore beyond Meta\'s hourly limit of the ad set is 409 with error.rule hourly_budget_changes, and its budget changes are recorded in the guardrail ledger. Dry run by default (dry_run true: the exact requests, validated by Meta in LIVE mode; nothing changes). Only the change in force on its ad set can be rolled back (409 otherwise, and for a failed, pending or already rolled back row). STUB mode restores the stored old targeting in the history. mode, when given, must be the row\'s mode (400).',
        security: BEARER,
        params: RollbackParams,
        body: RollbackBody,
        response: { 200: RollbackResponse, ...errorResponses(404, 409, 413, 415, 501, 503) },
      },
      config: { access: 'admin', auditFields: ['mode', 'dry_run'], rateLimit: writeRateLimit },
    },
    async (req) => rollbackChange(requestContext(ctx, req), { historyId: req.params.history_id, ...(req.body.mode === undefined ? {} : { mode: req.body.mode }), dryRun: req.body.dry_run ?? true }),
  );
}
