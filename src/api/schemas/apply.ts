import { Type } from 'typebox';
import { Mode, Uuid } from './common.ts';

export const ApplyParams = Type.Object({ recommendation_id: Uuid }, { additionalProperties: false });

export const ApplyBody = Type.Object(
  {
    recommendation_id: Type.String({ maxLength: 64, description: 'Must equal the recommendation_id of the path' }),
    mode: Type.Optional(Mode),
    dry_run: Type.Optional(Type.Boolean({ description: 'Validate and show what would change; recorded in the history with dry_run true, nothing applied (default false)' })),
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
  history_id: Type.Integer({ description: 'The targeting_history row written (GET /meta/targeting/history)' }),
});
