import { Type } from 'typebox';
import { GUARDRAIL_RULES } from '../../engine/guardrails.ts';
import { OpaqueId } from './common.ts';

const Rule = Type.Enum([...GUARDRAIL_RULES]);

export const GuardrailReport = Type.Object(
  {
    allowed: Type.Boolean(),
    blocked_by: Type.Union([Rule, Type.Null()], { description: 'The first rule that failed; null when allowed' }),
    message: Type.String(),
    checks: Type.Array(Type.Object({ rule: Rule, passed: Type.Boolean(), detail: Type.String() }), { description: 'Every rule, in the order they are checked' }),
    current_budget: Type.Union([Type.Number(), Type.Null()], { description: "The ad set's daily budget now, in major units; null when the store does not know it" }),
    current_budget_source: Type.Union([Type.Enum(['meta_sync', 'last_applied', 'meta_read']), Type.Null()], { description: 'meta_read: a LIVE apply read the ad sets from Meta just now (with one ad set per country, the budgets are the totals across them; checks name each ad set)' }),
    proposed_budget: Type.Number({ description: "The recommendation's daily budget for the ad set, in major units" }),
    currency: Type.String(),
    event_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The guardrail ledger row of a pass; null for a dry run' }),
  },
  { description: 'What the guardrails said about the change' },
);

export const GuardrailEventsQuery = Type.Object(
  {
    campaign_id: Type.Optional(OpaqueId),
    outcome: Type.Optional(Type.Enum(['passed', 'blocked', 'withdrawn'])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'At most this many, newest first (1 to 500, default 50)' })),
  },
  { additionalProperties: false },
);

export const GuardrailEventsResponse = Type.Array(
  Type.Object({
    id: Type.Integer(),
    recorded_at: Type.String({ format: 'date-time' }),
    recommendation_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    campaign_id: Type.String(),
    adset_id: Type.Union([Type.String(), Type.Null()]),
    mode: Type.String(),
    outcome: Type.Enum(['passed', 'blocked', 'withdrawn']),
    rule: Type.Union([Rule, Type.Null()], { description: 'The rule that blocked the change (blocked only)' }),
    message: Type.String(),
    actor: Type.Union([Type.String(), Type.Null()]),
  }),
);
