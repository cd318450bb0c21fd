// The endpoints LIVE mode reads, their wire shapes, and their parsing into the project's own
// shapes. Numbers arrive as strings (money as decimal major units, budgets as minor units); they are
// parsed here, once, and nothing past this module sees a wire shape.
import { parseMinor } from '../engine/money.ts';
import type { MetaClient } from './client.ts';

// ---- Wire shapes (exactly the fields requested) ----

export interface WireAccount { id: string; name?: string; account_status?: number; currency: string; timezone_name?: string; timezone_offset_hours_utc?: number | string }
export interface WireCampaign {
  id: string;
  account_id?: string;
  name?: string;
  objective?: string;
  status?: string;
  effective_status?: string;
  special_ad_categories?: string[];
  daily_budget?: string;
  lifetime_budget?: string;
}
export interface WireTargetingEntity { id: string | number; name?: string }
export interface WireTargeting {
  geo_locations?: { countries?: string[]; regions?: { key: string }[]; [key: string]: unknown };
  age_min?: number;
  age_max?: number;
  genders?: number[];
  flexible_spec?: { interests?: WireTargetingEntity[]; behaviors?: WireTargetingEntity[] }[];
  interests?: WireTargetingEntity[];
  behaviors?: WireTargetingEntity[];
  custom_audiences?: WireTargetingEntity[];
  excluded_custom_audiences?: WireTargetingEntity[];
  targeting_automation?: { advantage_audience?: number; [key: string]: unknown };
  [key: string]: unknown;
}
export interface WireAdSet {
  id: string;
  name?: string;
  campaign_id: string;
  status?: string;
  effective_status?: string;
  daily_budget?: string;
  lifetime_budget?: string;
  optimization_goal?: string;
  bid_strategy?: string;
  bid_amount?: string | number;
  end_time?: string;
  /** The last change of any of its fields, as Meta's time ("2026-11-20T08:00:00+0000"). */
  updated_time?: string;
  targeting?: WireTargeting;
}
export interface WireCustomAudience { id: string; name?: string; subtype?: string; approximate_count_lower_bound?: number | string; approximate_count_upper_bound?: number | string }
export interface WireAction { action_type: string; value: string }
export interface WireInsightRow {
  date_start: string;
  date_stop: string;
  campaign_id?: string;
  adset_id?: string;
  impressions?: string;
  reach?: string;
  inline_link_clicks?: string;
  spend?: string;
  actions?: WireAction[];
  action_values?: WireAction[];
  country?: string;
  age?: string;
  gender?: string;
}
export interface WireReportRun {
  id: string;
  async_status: string;
  async_percent_completion?: number;
  error_code?: number;
  error_subcode?: number;
  error_message?: string;
  error_user_title?: string;
  error_user_msg?: string;
}

const ACCOUNT_FIELDS = 'id,name,account_status,currency,timezone_name,timezone_offset_hours_utc';
const CAMPAIGN_FIELDS = 'id,account_id,name,objective,status,effective_status,special_ad_categories,daily_budget,lifetime_budget';
const ADSET_FIELDS = 'id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,optimization_goal,targeting,updated_time';
const AUDIENCE_FIELDS = 'id,name,subtype,approximate_count_lower_bound,approximate_count_upper_bound';
// inline_link_clicks, not clicks: `clicks` counts every click on the ad (likes, comments, profile,
// "see more"), while the engine's CTR and CVR are per link click, as in the CSV import's "Link clicks".
export const INSIGHT_FIELDS = 'campaign_id,adset_id,impressions,reach,inline_link_clicks,spend,actions,action_values';

// ---- Parsed shapes ----

export interface MetaAccount {
  id: string;
  name: string | null;
  currency: string;
  /** IANA name (timezone_name): the zone the account's insights days are in. */
  timezone: string | null;
  /** timezone_offset_hours_utc: the zone's current offset, for when the name is unknown. */
  timezoneOffsetHours: number | null;
  status: number | null;
}
export interface MetaCampaign {
  id: string;
  /** `act_…`, or null when Meta did not say. */
  accountId: string | null;
  name: string | null;
  objective: string | null;
  status: string | null;
  effectiveStatus: string | null;
  specialAdCategories: string[];
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
  /** Advantage campaign budget puts the budget on the campaign; otherwise each ad set has its own. */
  budgetMode: 'campaign' | 'adset';
}
export interface TargetingEntity { id: string; name: string }
export interface MetaAdSet {
  id: string;
  campaignId: string;
  name: string | null;
  status: string | null;
  effectiveStatus: string | null;
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
  optimizationGoal: string | null;
  /** How it bids and when it ends, where read (a geo split's copies are compared with their original). */
  bidding: { strategy: string | null; amount: string | null; endTime: string | null };
  /** The spec as Meta returned it: it is replaced whole on update, so it is kept whole. */
  targeting: WireTargeting;
  /** When any of its fields last changed (Meta's updated_time), where read and readable. */
  updatedAt: Date | null;
  interests: TargetingEntity[];
  behaviors: TargetingEntity[];
  customAudiences: TargetingEntity[];
  countries: string[];
}
export interface MetaCustomAudience { id: string; name: string | null; subtype: string | null; sizeLower: number | null; sizeUpper: number | null }
export interface MetaInsightRow {
  date: string;
  campaignId: string;
  adsetId: string;
  country: string | null;
  age: string | null;
  gender: string | null;
  impressions: number;
  reach: number | null;
  /** Link clicks (inline_link_clicks). */
  clicks: number;
  spendMinor: number;
  purchases: number;
  purchaseValueMinor: number;
}

/** Meta answered with a value this client cannot read: named, never guessed around. */
export class MetaDataError extends Error {
  constructor(what: string, field: string, value: unknown) {
    super(`Meta returned ${what} with an unreadable ${field}: ${JSON.stringify(value)}`);
    this.name = 'MetaDataError';
  }
}

function count(value: string | number | undefined, what: string, field: string): number {
  if (value === undefined || value === '') return 0;
  const text = String(value);
  if (!/^\d+(\.0+)?$/.test(text) || !Number.isSafeInteger(Math.trunc(Number(text)))) throw new MetaDataError(what, field, value);
  return Math.trunc(Number(text));
}

/** Budgets are strings of minor units; "0" or absent means the object has no budget of that kind. */
function budget(value: string | undefined, what: string, field: string): number | null {
  if (value === undefined || value === '') return null;
  const n = count(value, what, field);
  return n > 0 ? n : null;
}

function entities(list: WireTargetingEntity[] | undefined): TargetingEntity[] {
  return (list ?? []).map((e) => ({ id: String(e.id), name: e.name ?? String(e.id) }));
}

function parseAccount(w: WireAccount): MetaAccount {
  if (typeof w.currency !== 'string' || !/^[A-Z]{3}$/.test(w.currency)) throw new MetaDataError(`account ${w.id}`, 'currency', w.currency);
  const offset = w.timezone_offset_hours_utc === undefined || w.timezone_offset_hours_utc === '' ? null : Number(w.timezone_offset_hours_utc);
  if (offset !== null && !(Number.isFinite(offset) && Math.abs(offset) <= 14)) throw new MetaDataError(`account ${w.id}`, 'timezone_offset_hours_utc', w.timezone_offset_hours_utc);
  return { id: w.id, name: w.name ?? null, currency: w.currency, timezone: w.timezone_name ?? null, timezoneOffsetHours: offset, status: w.account_status ?? null };
}

function parseCampaign(w: WireCampaign): MetaCampaign {
  const what = `campaign ${w.id}`;
  const daily = budget(w.daily_budget, what, 'daily_budget');
  const lifetime = budget(w.lifetime_budget, what, 'lifetime_budget');
  return {
    id: w.id,
    accountId: w.account_id ? `act_${w.account_id}` : null,
    name: w.name ?? null,
    objective: w.objective ?? null,
    status: w.status ?? null,
    effectiveStatus: w.effective_status ?? null,
    specialAdCategories: (w.special_ad_categories ?? []).filter((c) => c !== 'NONE'),
    dailyBudgetMinor: daily,
    lifetimeBudgetMinor: lifetime,
    budgetMode: daily !== null || lifetime !== null ? 'campaign' : 'adset',
  };
}

export function parseAdSet(w: WireAdSet): MetaAdSet {
  const what = `ad set ${w.id}`;
  const t = w.targeting ?? {};
  // Interests and behaviors sit in flexible_spec; older specs put them at the top level too.
  const flex = t.flexible_spec ?? [];
  const dedupe = (list: TargetingEntity[]) => [...new Map(list.map((e) => [e.id, e])).values()];
  return {
    id: w.id,
    campaignId: w.campaign_id,
    name: w.name ?? null,
    status: w.status ?? null,
    effectiveStatus: w.effective_status ?? null,
    dailyBudgetMinor: budget(w.daily_budget, what, 'daily_budget'),
    lifetimeBudgetMinor: budget(w.lifetime_budget, what, 'lifetime_budget'),
    optimizationGoal: w.optimization_goal ?? null,
    bidding: { strategy: w.bid_strategy ?? null, amount: w.bid_amount === undefined ? null : String(w.bid_amount), endTime: w.end_time ?? null },
    targeting: t,
    updatedAt: w.updated_time === undefined || Number.isNaN(Date.parse(w.updated_time)) ? null : new Date(Date.parse(w.updated_time)),
    interests: dedupe([...entities(t.interests), ...flex.flatMap((f) => entities(f.interests))]),
    behaviors: dedupe([...entities(t.behaviors), ...flex.flatMap((f) => entities(f.behaviors))]),
    customAudiences: dedupe(entities(t.custom_audiences)),
    countries: (t.geo_locations?.countries ?? []).map((c) => c.toUpperCase()),
  };
}

function parseCustomAudience(w: WireCustomAudience): MetaCustomAudience {
  const what = `custom audience ${w.id}`;
  const bound = (v: number | string | undefined, field: string): number | null => {
    if (v === undefined || v === '' || Number(v) < 0) return null; // Meta reports -1 while a size is not known.
    return count(v, what, field);
  };
  return { id: w.id, name: w.name ?? null, subtype: w.subtype ?? null, sizeLower: bound(w.approximate_count_lower_bound, 'approximate_count_lower_bound'), sizeUpper: bound(w.approximate_count_upper_bound, 'approximate_count_upper_bound') };
}

/**
 * One daily insights row. Purchases and their value come from the one configured action type:
 * `omni_purchase`, `purchase` and the pixel's own type describe overlapping events, and summing
 * them would count a purchase two or three times. Meta leaves out action types with no events, so
 * an absent type is zero.
 */
export function parseInsightRow(w: WireInsightRow, currency: string, purchaseActionType: string): MetaInsightRow {
  const what = `insights row ${w.adset_id ?? '?'} ${w.date_start}`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(w.date_start)) throw new MetaDataError(what, 'date_start', w.date_start);
  if (w.date_stop !== w.date_start) throw new MetaDataError(what, 'date_stop (rows must be daily: time_increment=1)', w.date_stop);
  if (typeof w.adset_id !== 'string' || w.adset_id === '') throw new MetaDataError(what, 'adset_id', w.adset_id);
  const spendMinor = w.spend === undefined || w.spend === '' ? 0 : parseMinor(w.spend, currency);
  if (spendMinor === null || spendMinor < 0) throw new MetaDataError(what, 'spend', w.spend);
  const action = (list: WireAction[] | undefined) => list?.find((a) => a.action_type === purchaseActionType)?.value;
  const purchasesText = action(w.actions);
  // Attribution can report fractional conversions on some action types; the engine counts whole ones.
  const purchases = purchasesText === undefined ? 0 : Number(purchasesText);
  if (!Number.isFinite(purchases) || purchases < 0) throw new MetaDataError(what, `actions ${purchaseActionType}`, purchasesText);
  const valueText = action(w.action_values);
  const purchaseValueMinor = valueText === undefined ? 0 : parseMinor(valueText, currency);
  if (purchaseValueMinor === null || purchaseValueMinor < 0) throw new MetaDataError(what, `action_values ${purchaseActionType}`, valueText);
  return {
    date: w.date_start,
    campaignId: w.campaign_id ?? '',
    adsetId: w.adset_id,
    country: w.country ?? null,
    age: w.age ?? null,
    gender: w.gender ?? null,
    impressions: count(w.impressions, what, 'impressions'),
    reach: w.reach === undefined ? null : count(w.reach, what, 'reach'),
    clicks: count(w.inline_link_clicks, what, 'inline_link_clicks'),
    spendMinor,
    purchases: Math.round(purchases),
    purchaseValueMinor,
  };
}

// ---- Calls ----

export async function readAccount(client: MetaClient, accountId: string): Promise<MetaAccount> {
  return parseAccount(await client.get<WireAccount>(accountId, { fields: ACCOUNT_FIELDS }));
}

export async function readCampaigns(client: MetaClient, accountId: string): Promise<MetaCampaign[]> {
  return (await client.all<WireCampaign>(`${accountId}/campaigns`, { fields: CAMPAIGN_FIELDS, limit: 100 })).map(parseCampaign);
}

export async function readCampaign(client: MetaClient, campaignId: string): Promise<MetaCampaign> {
  return parseCampaign(await client.get<WireCampaign>(campaignId, { fields: CAMPAIGN_FIELDS }));
}

export async function readAdSets(client: MetaClient, campaignId: string): Promise<MetaAdSet[]> {
  return (await client.all<WireAdSet>(`${campaignId}/adsets`, { fields: ADSET_FIELDS, limit: 100 })).map(parseAdSet);
}

export async function readCustomAudiences(client: MetaClient, accountId: string): Promise<MetaCustomAudience[]> {
  return (await client.all<WireCustomAudience>(`${accountId}/customaudiences`, { fields: AUDIENCE_FIELDS, limit: 100 })).map(parseCustomAudience);
}

export async function readPermissions(client: MetaClient): Promise<{ permission: string; status: string }[]> {
  return client.all<{ permission: string; status: string }>('me/permissions');
}

export async function readMe(client: MetaClient): Promise<{ id: string; name: string | null }> {
  const me = await client.get<{ id: string; name?: string }>('me', { fields: 'id,name' });
  return { id: me.id, name: me.name ?? null };
}
