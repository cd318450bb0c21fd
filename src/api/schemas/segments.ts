import { Type } from 'typebox';
import { SEGMENT_TYPES } from '../../engine/types.ts';
import { Cursor, Limit } from './common.ts';

export const SegmentsQuery = Type.Object(
  {
    segment_type: Type.Optional(Type.Enum([...SEGMENT_TYPES])),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const Segment = Type.Object({
  segment_id: Type.String(),
  segment_name: Type.String(),
  segment_type: Type.String(),
  total_impressions: Type.Number(),
  total_clicks: Type.Number(),
  total_conversions: NullableNumber,
  total_spend: Type.Number({ description: 'Major units of currency' }),
  total_revenue: NullableNumber,
  currency: Type.String(),
  avg_ctr: NullableNumber,
  avg_cvr: NullableNumber,
  avg_roas: NullableNumber,
  campaigns_count: Type.Integer(),
  last_used: Type.String({ format: 'date-time', description: 'Start (00:00 UTC) of the last day with delivery, e.g. 2025-11-26T00:00:00Z: insights are daily, so the time is always 00:00' }),
  is_fatigued: Type.Boolean({ description: "The specification's verdict across campaigns: recent CTR against earlier CTR, and frequency" }),
  fatigue_reason: Type.Union([Type.String(), Type.Null()]),
  rests_in_force: Type.Array(
    Type.Object({
      campaign_id: Type.String(),
      adset_id: Type.Union([Type.String(), Type.Null()], { description: 'null for a campaign without ad sets' }),
      since: Type.String({ description: 'YYYY-MM-DD: the last day of the history the rest was decided from' }),
    }),
    {
      description:
        'Ad sets where the bayes strategy rests this segment after a change-point fit found it fatigued: excluded for TARGETING_FATIGUE_REST_DAYS days from `since`, then re-admitted only through exploration until its new delivery shows no fatigue. Campaigns in the row\'s currency.',
    },
  ),
});

export const SegmentsResponse = Type.Array(Segment);
