import { Type } from 'typebox';
import { Uuid } from './common.ts';

export const ComparisonParams = Type.Object({ recommendation_id: Uuid }, { additionalProperties: false });

const Targeting = Type.Object({}, { additionalProperties: true, description: 'A Meta targeting spec (geo_locations, age_min, age_max, genders, flexible_spec, custom_audiences, frequency_cap)' });

export const ComparisonResponse = Type.Object({
  recommendation_id: Type.String({ format: 'uuid' }),
  campaign_id: Type.String(),
  adset_id: Type.Union([Type.String(), Type.Null()]),
  in_force: Type.Union([Type.Object({ history_id: Type.Integer(), targeting: Type.Union([Targeting, Type.Null()]) }), Type.Null()], { description: 'The targeting the ad set has now (its last successful change that was not a dry run); null when none was applied' }),
  proposed: Targeting,
  changes: Type.Array(Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() }), { description: 'Top-level targeting fields that applying would change' }),
  previous: Type.Union([
    Type.Object({
      recommendation_id: Type.String({ format: 'uuid' }),
      run_id: Type.String({ format: 'uuid' }),
      created_at: Type.String({ format: 'date-time' }),
      total_budget: Type.Number(),
      geo_allocations: Type.Array(Type.Object({ country_code: Type.String(), budget_pct: Type.Number(), budget_amount: Type.Number() })),
    }, { description: 'The same ad set\'s recommendation from the run before' }),
    Type.Null(),
  ]),
});
