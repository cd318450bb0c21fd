import { Type } from 'typebox';
import { GUARDRAIL_RULES } from '../../engine/guardrails.ts';

const Rule = Type.Enum([...GUARDRAIL_RULES]);

export const GuardrailReport = Type.Object(
  {
    allowed: Type.Boolean(),
    blocked_by: Type.Union([Rule, Type.Null()], { description: 'The first rule that failed; null when allowed' }),
    message: Type.String(),
    checks: Type.Array(Type.Object({ rule: Rule, passed: Type.Boolean(), detail: Type.String() }), { description: 'Every rule, in the order they are checked' }),
    current_budget: Type.Union([Type.Number(), Type.Null()], { description: "The ad set's daily budget now, in major units; null when the store does not know it" }),
    current_budget_source: Type.Union([Type.Enum(['meta_sync', 'last_applied']), Type.Null()]),
    proposed_budget: Type.Number({ description: "The recommendation's daily budget for the ad set, in major units" }),
    currency: Type.String(),
    event_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The guardrail ledger row of a pass; null for a dry run' }),
  },
  { description: 'What the guardrails said about the change' },
);
