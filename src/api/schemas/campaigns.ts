import { Type } from 'typebox';
import { Cursor, Limit, OpaqueId } from './common.ts';

export const CampaignsQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });

export const CampaignParams = Type.Object({ campaign_id: OpaqueId }, { additionalProperties: false });

const Day = Type.Union([Type.String({ format: 'date' }), Type.Null()]);

export const Campaign = Type.Object({
  campaign_id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String({ description: 'ISO 4217 code of the campaign\'s amounts' }),
  daily_budget: Type.Union([Type.Number(), Type.Null()], { description: 'Major units of the currency: what a run without an explicit budget and the scheduler optimize; null when none is stored' }),
  source: Type.String({ description: 'Where its rows came from: stub, csv, ads-manager, kaggle-conversion' }),
  active: Type.Boolean(),
  first_data_day: Day,
  last_data_day: Day,
  scheduled: Type.Boolean({ description: 'Whether the scheduler optimizes it at each tick: active, with a daily budget and history, and the scheduler on' }),
  not_scheduled_because: Type.Union([Type.String(), Type.Null()]),
});

export const CampaignsResponse = Type.Array(Campaign);

export const CampaignBody = Type.Object(
  {
    daily_budget: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 32 })], {
      description: 'Daily budget in major units of the campaign\'s currency, as a number or a decimal string (250, "250.50"), with no more decimals than the currency has',
    }),
  },
  { additionalProperties: false },
);
