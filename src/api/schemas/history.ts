import { Type } from 'typebox';
import { Cursor, Limit, OpaqueId } from './common.ts';

export const HistoryQuery = Type.Object(
  {
    campaign_id: Type.Optional(OpaqueId),
    adset_id: Type.Optional(OpaqueId),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Targeting = Type.Object({}, { additionalProperties: true, description: 'A Meta targeting spec (geo_locations, age_min, age_max, genders, flexible_spec, custom_audiences, frequency_cap)' });

export const HistoryEntry = Type.Object({
  id: Type.Integer(),
  run_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  recommendation_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  campaign_id: Type.String(),
  adset_id: Type.Union([Type.String(), Type.Null()]),
  mode: Type.Enum(['stub', 'live']),
  dry_run: Type.Boolean(),
  applied_at: Type.String({ format: 'date-time' }),
  old_targeting: Type.Union([Targeting, Type.Null()]),
  new_targeting: Type.Union([Targeting, Type.Null()], { description: 'Null only on a holdout row (experiment_arm holdout) of an ad set whose earlier targeting is unknown: it was kept as it was' }),
  before_ctr: NullableNumber,
  before_cvr: NullableNumber,
  before_roas: NullableNumber,
  after_ctr: NullableNumber,
  after_cvr: NullableNumber,
  after_roas: NullableNumber,
  success: Type.Boolean(),
  error_message: Type.Union([Type.String(), Type.Null()]),
  experiment_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The holdout experiment of the change (GET /meta/targeting/experiments/{experiment_id})' }),
  experiment_arm: Type.Union([Type.Enum(['treatment', 'holdout']), Type.Null()], { description: 'treatment: the recommendation was applied; holdout: it was withheld and the old targeting kept' }),
  actor: Type.Union([Type.String(), Type.Null()], { description: 'Who made the change: the token subject (API), cli:<os user> (CLI) or scheduler; null for changes recorded before actors were' }),
  state: Type.Enum(['pending', 'applied', 'failed'], { description: 'pending: recorded before the request, not settled yet (an apply at work, or one a crash interrupted: the next apply or run reconciles it); applied; failed (nothing of it is left in force)' }),
  rolls_back_history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The row this one rolls back (POST /meta/targeting/rollback/{history_id}), or null' }),
});

export const HistoryResponse = Type.Array(HistoryEntry);
