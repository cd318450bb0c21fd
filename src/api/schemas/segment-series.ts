import { Type } from 'typebox';
import { SEGMENT_TYPES } from '../../engine/types.ts';

export const SegmentSeriesQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30, description: 'Days ending at the latest stored day (1 to 90, default 30)' })),
    segment_type: Type.Optional(Type.Enum([...SEGMENT_TYPES])),
    segment_ids: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, pattern: '^[^,\\u0000-\\u001F]+(,[^,\\u0000-\\u001F]+){0,499}$', description: 'Comma-separated segment ids (at most 500); default every segment' })),
  },
  { additionalProperties: false },
);

export const SegmentSeriesResponse = Type.Object({
  start: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'First day of the series; null on an empty store' }),
  end: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'The latest stored day of delivery' }),
  series: Type.Array(
    Type.Object({
      segment_type: Type.String(),
      segment_id: Type.String(),
      currency: Type.String(),
      days: Type.Array(
        Type.Object({
          date: Type.String({ format: 'date' }),
          impressions: Type.Number(),
          clicks: Type.Number(),
          spend: Type.Number({ description: 'Major units of the currency' }),
          ctr: Type.Union([Type.Number(), Type.Null()], { description: 'null on a day without impressions' }),
        }),
      ),
    }),
  ),
});
