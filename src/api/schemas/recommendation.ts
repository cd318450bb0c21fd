import { Type } from 'typebox';
import { OpaqueId } from './common.ts';

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
