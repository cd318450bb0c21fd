import { Type } from 'typebox';
import { Mode, Uuid } from './common.ts';
import { GuardrailReport } from './guardrails.ts';

export const ApplyParams = Type.Object({ recommendation_id: Uuid }, { additionalProperties: false });

export const ApplyBody = Type.Object(
  {
    recommendation_id: Type.String({ maxLength: 64, description: 'Must equal the recommendation_id of the path' }),
    mode: Type.Optional(Mode),
    dry_run: Type.Optional(Type.Boolean({ description: 'Validate and show what would change; nothing applied and nothing stored in the history (the audit log records the call). Default false' })),
    force: Type.Optional(Type.Boolean({ description: 'Apply even though a newer run superseded this recommendation for the ad set (admin only; default false: 409 naming the newer one)' })),
  },
  { additionalProperties: false },
);

export const ApplyResponse = Type.Object({
  recommendation_id: Type.String({ format: 'uuid' }),
  adset_id: Type.Union([Type.String(), Type.Null()]),
  success: Type.Boolean(),
  applied_changes: Type.Object({
    countries: Type.Array(Type.String()),
    age_range: Type.String(),
    interests_count: Type.Integer(),
    behaviors_count: Type.Integer(),
    lookalikes_count: Type.Integer(),
  }),
  message: Type.String(),
  dry_run: Type.Boolean(),
  already_in_force: Type.Boolean({ description: 'The ad set already has exactly this targeting: nothing was applied or recorded' }),
  history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The targeting_history row written, or (already_in_force) the one that put the targeting in force; null for a dry run that would change something' }),
  guardrails: Type.Union([GuardrailReport, Type.Null()], { description: 'What the guardrails said (a dry run reports it without recording anything); null when the targeting is already in force' }),
});
