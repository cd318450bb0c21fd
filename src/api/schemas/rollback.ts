import { Type } from 'typebox';
import { FieldChangeSchema, GraphRequestSchema, MetaErrorSchema, RolledBackSchema } from './apply.ts';
import { Mode } from './common.ts';

export const RollbackParams = Type.Object({ history_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The targeting history row to roll back' }) }, { additionalProperties: false });

export const RollbackBody = Type.Object(
  {
    mode: Type.Optional(Mode),
    dry_run: Type.Optional(Type.Boolean({ description: 'Default true: show what would be restored (LIVE: the exact requests, validated by Meta with validate_only); nothing changes. false rolls back' })),
  },
  { additionalProperties: false },
);

export const RollbackResponse = Type.Object({
  history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The new history row of the rollback (null for a dry run, or when Meta refused it in validation)' }),
  rolled_back_history_id: Type.Integer(),
  success: Type.Boolean(),
  dry_run: Type.Boolean(),
  mode: Mode,
  message: Type.String(),
  changes: Type.Array(
    Type.Object({
      adset_id: Type.Union([Type.String(), Type.Null()]),
      action: Type.Enum(['restore', 'pause', 'leave'], { description: 'restore: the targeting, budget and status stored before the change; pause: an ad set the change created; leave: an ad set archived or deleted at Meta since, which can never change again (nothing is sent to it)' }),
      diff: Type.Array(FieldChangeSchema),
      note: Type.Union([Type.String(), Type.Null()], { description: 'Why anything of this ad set is not put back: archived or deleted since, or paused since by someone other than the optimizer (its targeting and budget are restored, its status is left)' }),
    }),
  ),
  requests: Type.Array(GraphRequestSchema),
  validation: Type.Object({ validated_by_meta: Type.Boolean(), errors: Type.Array(Type.Object({ path: Type.String(), error: MetaErrorSchema })) }),
  rolled_back: Type.Array(RolledBackSchema, { description: 'After a failed rollback: the ad sets it had restored, put back as they were before it started' }),
  meta_error: Type.Union([MetaErrorSchema, Type.Null()]),
});
