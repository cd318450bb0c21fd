import { Type } from 'typebox';
import { ApplyResponse } from './apply.ts';
import { Mode } from './common.ts';

export const ProposalParams = Type.Object({ proposal_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false });

export const ProposeBody = Type.Object(
  {
    recommendation_id: Type.String({ format: 'uuid', maxLength: 36 }),
    mode: Type.Optional(Mode),
  },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'Apply even though a newer run superseded the recommendation (default false: 409)' })) },
  { additionalProperties: false },
);

export const RejectBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500, pattern: '^[^\\u0000-\\u001F\\u007F]*$', description: 'Why, for the record' })) },
  { additionalProperties: false },
);

export const ProposalsQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(['proposed', 'approved', 'rejected'])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'At most this many, newest first (1 to 500, default 50)' })),
  },
  { additionalProperties: false },
);

export const Proposal = Type.Object({
  id: Type.Integer(),
  recommendation_id: Type.String({ format: 'uuid' }),
  campaign_id: Type.String(),
  adset_id: Type.Union([Type.String(), Type.Null()]),
  mode: Type.Enum(['stub', 'live']),
  status: Type.Enum(['proposed', 'approved', 'rejected']),
  proposed_by: Type.String(),
  proposed_at: Type.String({ format: 'date-time' }),
  decided_by: Type.Union([Type.String(), Type.Null()]),
  decided_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The targeting history row the approval applied (or found in force)' }),
  note: Type.Union([Type.String(), Type.Null()]),
});

export const ProposeResponse = Type.Object({ proposal: Proposal, created: Type.Boolean({ description: 'False: the recommendation already had an open proposal in this mode, returned here' }), message: Type.String() });
export const ApproveResponse = Type.Object({ proposal: Proposal, apply: Type.Union([ApplyResponse, Type.Null()], { description: 'The apply the approval made; null when approved before' }), message: Type.String() });
export const RejectResponse = Type.Object({ proposal: Proposal, message: Type.String() });
export const ProposalsResponse = Type.Array(Proposal);
