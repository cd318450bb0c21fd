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
  last_used: Type.String({ description: 'Last day with delivery, YYYY-MM-DD' }),
  is_fatigued: Type.Boolean(),
  fatigue_reason: Type.Union([Type.String(), Type.Null()]),
});

export const SegmentsResponse = Type.Array(Segment);
