import { Type } from 'typebox';
import { Mode, OpaqueId } from './common.ts';

export const RunBody = Type.Object(
  {
    campaign_id: Type.Optional(OpaqueId),
    mode: Type.Optional(Mode),
    force_refresh: Type.Optional(Type.Boolean({ description: 'Recompute even when a fresh run on the same history exists (default false: reuse it)' })),
    budget: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 32 })], {
        description: 'Daily budget of this run in major units of the campaign\'s currency (a number or a decimal string, with no more decimals than the currency has); default: the campaign\'s stored daily budget. Only with campaign_id; it does not change the stored budget',
      }),
    ),
    generate_stub: Type.Optional(Type.Boolean({ description: 'With campaign_id: when the campaign has no stored history, generate a synthetic STUB one first (default false: 404). Refused (409) on a store holding real (imported or LIVE) data.' })),
  },
  { additionalProperties: false, description: 'Without campaign_id: every active campaign, each with its stored daily budget' },
);

export const RunResponse = Type.Object({
  run_id: Type.String({ format: 'uuid', description: 'The run (the first campaign\'s when several were optimized; all are in run_ids)' }),
  status: Type.Enum(['completed', 'partial'], { description: 'partial: some campaigns failed (failed_campaign_ids)' }),
  campaign_ids: Type.Array(Type.String()),
  recommendations_count: Type.Integer(),
  duration_ms: Type.Integer(),
  message: Type.String(),
  run_ids: Type.Array(Type.String({ format: 'uuid' }), { description: 'One run per optimized campaign, in the order of campaign_ids' }),
  reused_campaign_ids: Type.Array(Type.String(), { description: 'Campaigns whose fresh run was returned because their history has not changed' }),
  failed_campaign_ids: Type.Array(Type.String()),
});
