import { ApiError } from '../errors.ts';
import { errorResponses } from '../schemas/common.ts';
import { RunBody, RunResponse } from '../schemas/run.ts';
import { runAllActive, runOneCampaign, type RunSummary } from '../../services/run-all-active.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export function runRoutes(app: ApiInstance, { ctx, metrics, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/run',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Optimize one campaign, or every active campaign',
        description: 'Runs the optimizer with the campaign\'s stored daily budget, or the `budget` given for one campaign. In LIVE mode the campaign is first read from Meta (reading only): 501 when LIVE mode is not set up, 503 with Meta\'s error when Meta fails the read. A campaign is never optimized twice at once; without force_refresh, a run on the same (unchanged) history within the scheduler interval is returned instead of a new one. In STUB mode a campaign without stored history is a 404 unless generate_stub is true (then a synthetic STUB history is generated first, which a store holding real data refuses: 409).',
        security: BEARER,
        body: RunBody,
        response: { 200: RunResponse, ...errorResponses(404, 409, 413, 415, 501, 503) },
      },
      config: { access: 'write', auditFields: ['campaign_id', 'mode', 'force_refresh', 'budget', 'generate_stub'], rateLimit: writeRateLimit },
    },
    async (req) => {
      const mode = req.body.mode ?? 'stub';
      const budget = req.body.budget === undefined ? null : String(req.body.budget);
      if (budget !== null && req.body.campaign_id === undefined) throw new ApiError('bad_request', 'body.budget: applies to one campaign; give campaign_id too (a run of every active campaign uses each one\'s stored daily budget)');
      if (req.body.generate_stub === true && req.body.campaign_id === undefined) throw new ApiError('bad_request', 'body.generate_stub: needs a campaign_id (the campaign to generate a synthetic history for)');
      const request = { mode, forceRefresh: req.body.force_refresh ?? false, budget, generateStub: req.body.generate_stub ?? false } as const;
      const rctx = requestContext(ctx, req);
      let summary: RunSummary;
      try {
        summary = req.body.campaign_id !== undefined ? await runOneCampaign(rctx, req.body.campaign_id.trim(), request) : await runAllActive(rctx, request);
      } catch (error) {
        metrics.runs.inc({ status: 'failed' });
        throw error;
      }
      const reused = summary.reused_campaign_ids.length === summary.campaign_ids.length;
      metrics.runs.inc({ status: reused ? 'reused' : summary.status });
      if (!reused) {
        metrics.runDuration.observe(summary.duration_ms / 1000);
        metrics.recommendations.inc(summary.recommendations_count);
      }
      return summary;
    },
  );
}
