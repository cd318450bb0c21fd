import { guardrailEvents } from '../../services/guardrail-events.ts';
import { errorResponses } from '../schemas/common.ts';
import { GuardrailEventsQuery, GuardrailEventsResponse } from '../schemas/guardrails.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';

export function guardrailRoutes(app: ApiInstance, { ctx }: RouteDeps): void {
  app.get(
    '/meta/targeting/guardrails/events',
    {
      schema: {
        tags: ['approval'],
        summary: 'The guardrails\' verdicts on applies, newest first',
        description: 'Every apply that was not a dry run: passed (with the budget it moved, which the hourly and daily limits count), blocked (with the rule) or withdrawn (passed, then refused by Meta).',
        security: BEARER,
        querystring: GuardrailEventsQuery,
        response: { 200: GuardrailEventsResponse, ...errorResponses() },
      },
      config: { access: 'read' },
    },
    async (req) => guardrailEvents(ctx, { campaignId: req.query.campaign_id ?? null, outcome: req.query.outcome ?? null, limit: req.query.limit ?? 50 }),
  );
}
