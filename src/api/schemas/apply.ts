import { Type } from 'typebox';
import { Mode, Uuid } from './common.ts';
import { GuardrailReport } from './guardrails.ts';

export const MetaErrorSchema = Type.Object(
  {
    code: Type.Union([Type.Integer(), Type.Null()]),
    subcode: Type.Union([Type.Integer(), Type.Null()]),
    fbtrace_id: Type.Union([Type.String(), Type.Null()]),
    user_message: Type.Union([Type.String(), Type.Null()]),
    message: Type.String(),
  },
  { description: 'Meta\'s error: code, subcode, fbtrace_id and the message meant for people (never a token)' },
);

export const GraphRequestSchema = Type.Object({
  method: Type.Literal('POST'),
  path: Type.String({ description: 'The Graph API path after the version: an ad set id, or {adset_id}/copies' }),
  params: Type.Object({}, { additionalProperties: true, description: 'The form parameters; objects are sent as JSON text' }),
});

export const FieldChangeSchema = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() });

export const RolledBackSchema = Type.Object({ adset_id: Type.String(), step: Type.String(), restored: Type.Boolean(), error: Type.Union([Type.String(), Type.Null()]) });

export const LookalikesInApply = Type.Object(
  {
    included: Type.Boolean({ description: 'The targeting sent (or, in a dry run, that would be sent) includes them: every one is ready at Meta' }),
    message: Type.String(),
    audiences: Type.Array(
      Type.Object({
        name: Type.String(),
        audience_id: Type.Union([Type.String(), Type.Null()], { description: 'Null for one a dry run would create' }),
        ratio: Type.Number(),
        countries: Type.Array(Type.String()),
        action: Type.Enum(['create', 'created', 'reused', 'found']),
        state: Type.Enum(['planned', 'populating', 'ready', 'unusable']),
      }),
    ),
  },
  { description: 'Lookalikes are made from a source audience on the account and take Meta hours to populate; the apply goes ahead without them until they are ready' },
);

export const ApplyParams = Type.Object({ recommendation_id: Uuid }, { additionalProperties: false });

export const ApplyBody = Type.Object(
  {
    recommendation_id: Type.String({ maxLength: 64, description: 'Must equal the recommendation_id of the path' }),
    mode: Type.Optional(Mode),
    dry_run: Type.Optional(Type.Boolean({ description: 'Default true: show the exact request(s) that would be sent (in LIVE mode validated by Meta with validate_only) and the diff against the current targeting; nothing applied and nothing stored in the history (the audit log records the call). false applies' })),
    force: Type.Optional(Type.Boolean({ description: 'Apply even though a newer run superseded this recommendation for the ad set (admin only; default false: 409 naming the newer one)' })),
  },
  { additionalProperties: false },
);

export const ApplyResponse = Type.Object({
  recommendation_id: Type.String({ format: 'uuid' }),
  adset_id: Type.Union([Type.String(), Type.Null()]),
  success: Type.Boolean(),
  applied_changes: Type.Object({
    countries: Type.Array(Type.String()),
    age_range: Type.String(),
    interests_count: Type.Integer(),
    behaviors_count: Type.Integer(),
    lookalikes_count: Type.Integer(),
  }),
  message: Type.String(),
  dry_run: Type.Boolean(),
  already_in_force: Type.Boolean({ description: 'The ad set already has exactly this targeting: nothing was applied or recorded' }),
  history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The targeting_history row written, or (already_in_force) the one that put the targeting in force; null for a dry run that would change something' }),
  guardrails: Type.Union([GuardrailReport, Type.Null()], { description: 'What the guardrails said (a dry run reports it without recording anything); null when the targeting is already in force' }),
  mode: Mode,
  state: Type.Union([Type.Enum(['applied', 'failed']), Type.Null()], { description: 'The history row\'s state; null when nothing was recorded (dry run, or already in force at Meta)' }),
  requests: Type.Array(GraphRequestSchema, { description: 'LIVE: the exact requests sent (or, in a dry run, that would be sent), in order. A create is a copy of the original (POST /{adset_id}/copies) then an update of the copy, whose id Meta gives' }),
  validation: Type.Object({
    validated_by_meta: Type.Boolean({ description: 'Meta validated every request with execution_options=["validate_only"] (LIVE only)' }),
    errors: Type.Array(Type.Object({ path: Type.String(), error: MetaErrorSchema })),
  }),
  adsets: Type.Array(
    Type.Object({
      adset_id: Type.Union([Type.String(), Type.Null()], { description: 'Null for an ad set a dry run would create' }),
      step: Type.Enum(['update', 'create', 'retire']),
      countries: Type.Array(Type.String()),
      daily_budget_minor: Type.Union([Type.Integer(), Type.Null()], { description: 'The daily budget sent, in the account currency\'s minor units; null when none is sent' }),
      diff: Type.Array(FieldChangeSchema),
    }),
    { description: 'LIVE: each ad set changed, created (geo split) or retired (paused), with its fields before and after' },
  ),
  notes: Type.Array(
    Type.Object({ kind: Type.Enum(['advisory', 'forbidden', 'suggestion', 'budget', 'learning', 'floor', 'paused']), field: Type.String(), message: Type.String(), adset_id: Type.Union([Type.String(), Type.Null()]) }),
    { description: 'advisory: recorded, not sent (a frequency cap the optimization goal does not accept); forbidden: left out by the campaign\'s special ad category; suggestion: Advantage+ audience treats it as a suggestion; budget: a budget not sent (campaign or lifetime budget) or moved' },
  ),
  rolled_back: Type.Array(RolledBackSchema, { description: 'After a failure: the ad sets whose changes were undone (created ones paused), and any that could not be (restored false)' }),
  meta_error: Type.Union([MetaErrorSchema, Type.Null()]),
  lookalikes: Type.Union([LookalikesInApply, Type.Null()], { description: 'LIVE: the lookalikes the recommendation proposes, made or reused on the account (a dry run says what it would make); null when it proposes none, or in STUB mode' }),
});
