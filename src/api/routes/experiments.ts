import { experimentReport, startExperiment } from '../../services/holdout-experiment.ts';
import { ApiError } from '../errors.ts';
import { authorizeLiveApply } from '../roles.ts';
import { errorResponses } from '../schemas/common.ts';
import { ExperimentBody, ExperimentParams, ExperimentReportResponse, ExperimentStartResponse } from '../schemas/experiments.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export function experimentRoutes(app: ApiInstance, { ctx, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/experiments',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Apply the latest recommendations of a campaign with a holdout',
        description: 'A seeded random share (holdout_share) of the ad sets keeps its targeting; the others get the latest run\'s recommendation. Every ad set gets a targeting_history row with its experiment_id and experiment_arm. STUB mode simulates; LIVE is limited to META_TARGETING_LIVE_APPLY_ROLES and not available in this version (501). A run can be in one experiment only (400 for a second start).',
        security: BEARER,
        body: ExperimentBody,
        response: { 200: ExperimentStartResponse, ...errorResponses(404, 413, 415, 501) },
      },
      config: { access: 'write', auditFields: ['campaign_id', 'mode', 'holdout_share', 'dry_run'], rateLimit: writeRateLimit },
    },
    async (req) => {
      const mode = req.body.mode ?? 'stub';
      if (mode === 'live') {
        const decision = authorizeLiveApply(req.principal!, ctx.config.api.liveApplyRoles);
        if (!decision.allowed) throw new ApiError('forbidden', decision.reason);
      }
      return startExperiment(requestContext(ctx, req), { campaignId: req.body.campaign_id, mode, holdoutShare: req.body.holdout_share ?? 0, dryRun: req.body.dry_run ?? false });
    },
  );

  app.get(
    '/meta/targeting/experiments/:experiment_id',
    {
      schema: {
        tags: ['targeting'],
        summary: 'The lift report of a holdout experiment',
        description: 'Per arm the delivery since the day after the start (impressions, clicks, conversions, spend, revenue, CTR, CVR, ROAS), and the lift of treatment over holdout for CTR, CVR and ROAS with a 95 % interval. Until each arm has 3 days with delivery and 100 clicks (CTR) or 30 conversions (CVR, ROAS), a lift is "not_enough_data" with the reason, never a number.',
        security: BEARER,
        params: ExperimentParams,
        response: { 200: ExperimentReportResponse, ...errorResponses(404) },
      },
      config: { access: 'read' },
    },
    async (req) => experimentReport(ctx, req.params.experiment_id),
  );
}
