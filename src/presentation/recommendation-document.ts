// The specification's recommendation document (snake_case, money in major units of the campaign's
// currency, the reasoning in prose): one TypeBox schema that the API validates and documents with,
// and the type every outlet and the store use (Static<>). The engine never sees this shape.
import { type Static, Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const GeoAllocationDocument = Type.Object({
  country_code: Type.String(),
  country_name: Type.String(),
  budget_pct: Type.Number(),
  budget_amount: Type.Number({ description: 'Major units of the campaign currency (reasoning.currency)' }),
  avg_cpc: Nullable(Type.Number()),
  avg_ctr: Nullable(Type.Number()),
  avg_roas: Nullable(Type.Number()),
  engagement_score: Type.Number(),
});
export type GeoAllocationDocument = Static<typeof GeoAllocationDocument>;

/** One line of the reasoning: which decision, in words, and the figures that made it. */
export const TraceEntryDocument = Type.Object({
  step: Type.String(),
  decision: Type.String(),
  numbers: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()])),
});
export type TraceEntryDocument = Static<typeof TraceEntryDocument>;

const ServiceFields = {
  recommendation_id: Type.String({ format: 'uuid' }),
  run_id: Type.String({ format: 'uuid' }),
  created_at: Type.String({ format: 'date-time' }),
};

const DecidedFields = {
  adset_id: Nullable(Type.String()),
  campaign_id: Type.String(),
  countries: Type.Array(Type.String()),
  geo_allocations: Type.Array(GeoAllocationDocument),
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
      trace: Type.Array(TraceEntryDocument),
    },
    { additionalProperties: true },
  ),
  expected_ctr: Type.Number(),
  expected_cvr: Type.Number(),
  expected_roas: Type.Number(),
  confidence: Type.Number(),
};

/** The specification's recommendation document, plus recommendation_id, run_id and created_at. */
export const RecommendationDocument = Type.Object({ ...ServiceFields, ...DecidedFields }, { $id: 'Recommendation' });

/** What the engine decided for one ad set, as a document: the recommendation without the fields the service adds. */
export const RecommendationDraftDocument = Type.Object(DecidedFields);
export type RecommendationDraftDocument = Static<typeof RecommendationDraftDocument>;
export type RecommendationDocument = Static<typeof RecommendationDocument>;
