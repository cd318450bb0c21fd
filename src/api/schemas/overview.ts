import { Type } from 'typebox';
import { Campaign } from './campaigns.ts';

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Rates = { ctr: NullableNumber, cvr: NullableNumber, roas: NullableNumber };

export const CampaignOverview = Type.Object({
  ...Campaign.properties,
  latest_run: Type.Union([
    Type.Object({
      run_id: Type.String({ format: 'uuid' }),
      status: Type.String({ description: 'running, completed or failed' }),
      strategy: Type.String(),
      mode: Type.String(),
      started_at: Type.String({ format: 'date-time' }),
      finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      duration_ms: Type.Union([Type.Integer(), Type.Null()]),
      actor: Type.Union([Type.String(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  expected: Type.Union([Type.Object({ ...Rates, confidence: Type.Number() }, { description: 'Budget-weighted over the latest run\'s recommendations (one per ad set)' }), Type.Null()]),
  actual: Type.Object({ ...Rates, days: Type.Integer({ description: 'Observed over this many days ending at last_data_day' }) }),
  spend: Type.Object({ amount: Type.Number({ description: 'Major units of the campaign currency' }), days: Type.Integer({ description: 'Over this many days ending at last_data_day' }) }),
});

export const CampaignOverviewResponse = Type.Array(CampaignOverview);
