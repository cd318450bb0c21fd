import { GuardrailBlockedError } from '../../services/apply-guardrails.ts';
import { approveProposal, listProposals, proposalMode, proposeApply, rejectProposal } from '../../services/apply-proposals.ts';
import { ApiError } from '../errors.ts';
import { authorizeLiveApply } from '../roles.ts';
import { errorResponses } from '../schemas/common.ts';
import { ApproveBody, ApproveResponse, ProposalParams, ProposalsQuery, ProposalsResponse, ProposeBody, ProposeResponse, RejectBody, RejectResponse } from '../schemas/proposals.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export function proposalRoutes(app: ApiInstance, { ctx, metrics, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/proposals',
    {
      schema: {
        tags: ['approval'],
        summary: 'Propose a recommendation for an admin to approve',
        description: 'The approval step (META_TARGETING_APPROVAL_REQUIRED): records the proposal; nothing is applied until an admin approves it. Proposing a recommendation that already has an open proposal in this mode returns that one (created false).',
        security: BEARER,
        body: ProposeBody,
        response: { 200: ProposeResponse, ...errorResponses(404, 413, 415) },
      },
      config: { access: 'write', auditFields: ['recommendation_id', 'mode'], rateLimit: writeRateLimit },
    },
    async (req) => proposeApply(requestContext(ctx, req), { recommendationId: req.body.recommendation_id.toLowerCase(), mode: req.body.mode ?? 'stub' }),
  );

  app.get(
    '/meta/targeting/proposals',
    {
      schema: { tags: ['approval'], summary: 'Proposals, newest first', security: BEARER, querystring: ProposalsQuery, response: { 200: ProposalsResponse, ...errorResponses() } },
      config: { access: 'read' },
    },
    async (req) => listProposals(ctx, { status: req.query.status ?? null, limit: req.query.limit ?? 50 }),
  );

  app.post(
    '/meta/targeting/proposals/:proposal_id/approve',
    {
      schema: {
        tags: ['approval'],
        summary: 'Approve a proposal: it is applied now (admin only)',
        description: 'Applies the recommendation through the ordinary apply, under the guardrails as they stand now: a refusal answers 409/422 naming the rule (error.rule) and leaves the proposal open. Approving an approved proposal answers it again (apply null); a rejected one is a 409. LIVE proposals also need a role in META_TARGETING_LIVE_APPLY_ROLES.',
        security: BEARER,
        params: ProposalParams,
        body: ApproveBody,
        response: { 200: ApproveResponse, ...errorResponses(404, 409, 413, 415, 422, 501) },
      },
      config: { access: 'admin', auditFields: ['force'], rateLimit: writeRateLimit },
    },
    async (req) => {
      const rctx = requestContext(ctx, req);
      // A LIVE proposal changes real ad sets: its approver also needs a LIVE apply role.
      const mode = await proposalMode(ctx, req.params.proposal_id);
      if (mode === 'live') {
        const decision = authorizeLiveApply(req.principal!, ctx.config.api.liveApplyRoles);
        if (!decision.allowed) throw new ApiError('forbidden', decision.reason);
      }
      try {
        const result = await approveProposal(rctx, req.params.proposal_id, { force: req.body.force ?? false });
        if (result.apply !== null) metrics.applies.inc({ mode: result.proposal.mode, outcome: result.apply.already_in_force ? 'already_in_force' : result.apply.success ? 'applied' : 'failed' });
        return result;
      } catch (error) {
        if (error instanceof GuardrailBlockedError) metrics.applies.inc({ mode: mode ?? 'stub', outcome: 'blocked' });
        throw error;
      }
    },
  );

  app.post(
    '/meta/targeting/proposals/:proposal_id/reject',
    {
      schema: {
        tags: ['approval'],
        summary: 'Reject a proposal: nothing is applied (admin only)',
        description: 'Rejecting a rejected proposal answers it again; an approved one is a 409 (roll the change back instead).',
        security: BEARER,
        params: ProposalParams,
        body: RejectBody,
        response: { 200: RejectResponse, ...errorResponses(404, 409, 413, 415) },
      },
      config: { access: 'admin', auditFields: ['note'], rateLimit: writeRateLimit },
    },
    async (req) => rejectProposal(requestContext(ctx, req), req.params.proposal_id, req.body.note ?? null),
  );
}
