import { Type } from 'typebox';
import { Mode, OpaqueId, Uuid } from './common.ts';

export const ExperimentBody = Type.Object(
  {
    campaign_id: OpaqueId,
    mode: Type.Optional(Mode),
    holdout_share: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5, description: 'Share of the ad sets kept on their old targeting, 0 to 0.5 (default 0: apply to every ad set, no holdout). At least one ad set in each arm when above 0; a campaign with one ad set cannot have a holdout (400).' })),
    dry_run: Type.Optional(Type.Boolean({ description: 'Draw and show the assignment, store and apply nothing (default false). The real start draws the same assignment from the same run.' })),
  },
  { additionalProperties: false },
);

export const ExperimentParams = Type.Object({ experiment_id: Uuid }, { additionalProperties: false });

const Arm = Type.Enum(['treatment', 'holdout']);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const Assignment = Type.Array(
  Type.Object({
    adset_id: Type.Union([Type.String(), Type.Null()]),
    arm: Arm,
    recommendation_id: Type.String({ format: 'uuid', description: 'Applied (treatment) or withheld (holdout)' }),
    history_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The targeting_history row of the ad set; null in a dry run' }),
  }),
  { description: 'Every ad set of the run, in ad set id order' },
);

const common = {
  campaign_id: Type.String(),
  run_id: Type.String({ format: 'uuid', description: 'The run whose recommendations were applied: the campaign\'s latest at the start' }),
  holdout_share: Type.Number(),
  seed: Type.Integer({ description: 'Seed of the draw, derived from the run id: createRng(seed) reproduces the assignment' }),
  started_at: Type.String({ format: 'date-time' }),
};

export const ExperimentStartResponse = Type.Object({
  experiment_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Null in a dry run' }),
  ...common,
  dry_run: Type.Boolean(),
  assignment: Assignment,
  message: Type.String(),
});

const ArmReport = Type.Object({
  adset_ids: Type.Array(Type.Union([Type.String(), Type.Null()])),
  adsets_with_delivery: Type.Integer(),
  days: Type.Integer({ description: 'Days with delivery since the start' }),
  impressions: Type.Number(),
  clicks: Type.Number(),
  conversions: Type.Number(),
  spend: Type.Number({ description: 'Major units of the campaign currency' }),
  revenue: Type.Number(),
  ctr: NullableNumber,
  cvr: NullableNumber,
  roas: NullableNumber,
});

const Lift = Type.Object({
  state: Type.Enum(['ok', 'not_enough_data']),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why there is no lift yet; null when state is ok' }),
  treatment: NullableNumber,
  holdout: NullableNumber,
  lift: Type.Union([Type.Number(), Type.Null()], { description: 'treatment / holdout − 1 (0.12 = +12 %); null until there is enough data' }),
  ci95: Type.Union([Type.Object({ low: Type.Number(), high: Type.Number() }), Type.Null()], { description: '95 % confidence interval of the lift' }),
  adjusted: Type.Union([Type.Object({ lift: Type.Number(), ci95: Type.Object({ low: Type.Number(), high: Type.Number() }) }), Type.Null()], { description: 'The lift divided by the same arms\' ratio over baseline_period (difference in differences on the log scale): persistent differences between the drawn ad sets removed. Null without baseline data' }),
});

export const ExperimentReportResponse = Type.Object({
  experiment_id: Type.String({ format: 'uuid' }),
  ...common,
  currency: Type.String(),
  period: Type.Object({ start: Type.String({ format: 'date', description: 'The day after the start (the start day mixes old and new targeting)' }), end: Type.Union([Type.String({ format: 'date' }), Type.Null()]) }),
  baseline_period: Type.Object({ start: Type.String({ format: 'date' }), end: Type.String({ format: 'date' }) }, { description: 'TARGETING_WINDOW_DAYS days before the start day' }),
  status: Type.Enum(['no_holdout', 'not_enough_data', 'ready'], { description: 'ready: at least one of the lifts has an interval' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  assignment: Assignment,
  arms: Type.Object({ treatment: ArmReport, holdout: ArmReport }),
  lift: Type.Object({ ctr: Lift, cvr: Lift, roas: Lift }),
  rules: Type.Object({ min_days: Type.Integer(), min_clicks: Type.Integer(), min_conversions: Type.Integer() }, { description: 'What each arm needs before a lift is reported' }),
  method: Type.String(),
});
