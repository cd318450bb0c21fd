import { Type } from 'typebox';
import { OpaqueId } from './common.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const GeoAllocation = Type.Object({
  country_code: Type.String(),
  country_name: Type.String(),
  budget_pct: Type.Number(),
  budget_amount: Type.Number({ description: 'Major units of the campaign currency (reasoning.currency)' }),
  avg_cpc: Nullable(Type.Number()),
  avg_ctr: Nullable(Type.Number()),
  avg_roas: Nullable(Type.Number()),
  engagement_score: Type.Number(),
});

/** The specification's recommendation document, plus recommendation_id, run_id and created_at. */
export const Recommendation = Type.Object(
  {
    recommendation_id: Type.String({ format: 'uuid' }),
    run_id: Type.String({ format: 'uuid' }),
    created_at: Type.String({ format: 'date-time' }),
    adset_id: Nullable(Type.String()),
    campaign_id: Type.String(),
    countries: Type.Array(Type.String()),
    geo_allocations: Type.Array(GeoAllocation),
    age_min: Type.Integer(),
    age_max: Type.Integer(),
    gender: Type.Enum(['all', 'male', 'female']),
    interests: Type.Array(Type.Object({ interest_id: Type.String(), interest_name: Type.String(), score: Type.Number(), rank: Type.Integer() })),
    behaviors: Type.Array(Type.Object({ behavior_id: Type.String(), behavior_name: Type.String(), score: Type.Number(), rank: Type.Integer() })),
    custom_audiences: Type.Array(Type.Object({ audience_id: Type.String(), name: Type.String(), size: Type.Integer(), description: Type.String() })),
    lookalikes: Type.Array(Type.Object({ source_audience_id: Type.String(), country_codes: Type.Array(Type.String()), ratio: Type.Number(), name: Type.String(), description: Type.String() })),
    frequency_cap: Type.Integer(),
    frequency_window_days: Type.Integer(),
    total_budget: Type.Number(),
    budget_per_segment: Type.Record(Type.String(), Type.Number()),
    reasoning: Type.Object(
      {
        method: Type.String(),
        strategy: Type.String(),
        geo_constraint: Type.String(),
        top_interests_count: Type.Integer(),
        top_behaviors_count: Type.Integer(),
        lookalikes_generated: Type.Integer(),
        total_budget: Type.Number(),
        spain_allocation_pct: Type.Number(),
        currency: Type.String(),
        window: Type.Object({ start: Type.String(), end: Type.String() }),
        priors: Type.Object({ ctr: Type.Number(), cvr: Type.Number(), roas: Type.Number(), strength: Type.Number() }),
        trace: Type.Array(Type.Object({ step: Type.String(), decision: Type.String(), numbers: Type.Record(Type.String(), Type.Unknown()) })),
      },
      { additionalProperties: true },
    ),
    expected_ctr: Type.Number(),
    expected_cvr: Type.Number(),
    expected_roas: Type.Number(),
    confidence: Type.Number(),
  },
  { $id: 'Recommendation' },
);

export const RecommendationParams = Type.Object({ campaign_id: OpaqueId }, { additionalProperties: false });

export const RecommendationQuery = Type.Object(
  { adset_id: Type.Optional({ ...OpaqueId, description: 'One ad set of the latest run: the answer is then always exactly one document (404 naming the ad set when the latest run has none for it)' }) },
  { additionalProperties: false },
);

/**
 * The same rule as the CLI's `recommendation` command: one document when the campaign's latest run
 * has one recommendation (one ad set), else the array of that run's recommendations, one per ad set.
 */
// Typed unknown: the route sends the stored JSON text as it is (see routes/recommendations.ts).
export const RecommendationResponse = Type.Unsafe<unknown>({
  // oneOf, not anyOf: an object and an array of at least two never both match.
  oneOf: [Type.Ref('Recommendation'), Type.Array(Type.Ref('Recommendation'), { minItems: 2 })],
  description: 'The latest run\'s recommendation: one document when the run has one recommendation (one ad set, or a campaign without ad sets), an array of at least two (one per ad set, ordered by ad set id) otherwise; always one document with ?adset_id=',
});
