import { Type } from 'typebox';
import { OpaqueId } from './common.ts';

export const ExperimentListQuery = Type.Object(
  { campaign_id: Type.Optional(OpaqueId), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) },
  { additionalProperties: false },
);

export const ExperimentListResponse = Type.Array(
  Type.Object({
    experiment_id: Type.String({ format: 'uuid' }),
    campaign_id: Type.String(),
    run_id: Type.String({ format: 'uuid' }),
    holdout_share: Type.Number(),
    started_at: Type.String({ format: 'date-time' }),
    adsets: Type.Integer(),
  }),
);
