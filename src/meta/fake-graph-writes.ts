// The writes the fake Graph API accepts: ad set updates (`POST /{adset_id}`), ad set copies
// (`POST /{adset_id}/copies`), ad copies (`POST /{ad_id}/copies`), ad status changes
// (`POST /{ad_id}`), and the updates with `execution_options=["validate_only"]`, which validates and
// changes nothing (the copies take no such option). It refuses what Meta refuses (malformed targeting, a budget on a campaign-
// budget campaign, frequency caps outside REACH and THRUPLAY, what a special ad category forbids),
// with Meta's error shapes, so that a test sees the refusal a real account would give.
import type { WireAdSet, WireCampaign, WireCustomAudience, WireTargeting } from './graph.ts';

/** An ad as the fake holds it: the ad set it delivers in and its status (its creative is not modelled). */
export interface FakeAd {
  id: string;
  name: string;
  adset_id: string;
  campaign_id: string;
  status: string;
  effective_status: string;
  /** The ad it was copied from (Meta's `source_ad_id`); absent on an ad made otherwise. */
  source_ad_id?: string;
}

export interface WriteState {
  campaigns: readonly WireCampaign[];
  adsets: WireAdSet[];
  ads: FakeAd[];
  audiences: readonly WireCustomAudience[];
  newAdsetId(): string;
  newAdId(): string;
  /** Meta's clock: a change stamps the ad set's updated_time. */
  now(): Date;
}

/** A time as Meta writes it: 2026-11-20T08:00:00+0000. */
export function metaTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

export type WriteResult = { status: number; body: unknown; changed: boolean };

export class GraphRefusal extends Error {
  readonly code: number;
  readonly subcode: number | null;
  constructor(code: number, subcode: number | null, message: string) {
    super(message);
    this.code = code;
    this.subcode = subcode;
  }
}

const UPDATE_FIELDS = new Set(['targeting', 'daily_budget', 'status', 'name', 'frequency_control_specs', 'execution_options']);
// Meta's copies endpoints take no execution_options (no validate_only): refused here, so that a test sees one sent.
const COPY_FIELDS = new Set(['deep_copy', 'status_option', 'rename_options', 'campaign_id']);
const AD_COPY_FIELDS = new Set(['adset_id', 'status_option', 'rename_options']);
const AD_UPDATE_FIELDS = new Set(['status', 'execution_options']);
/** Meta copies at most this many ads with their ad set in one synchronous request (its copies reference). */
const SYNC_COPY_ADS = 3;
const STATUS_OPTIONS = ['ACTIVE', 'PAUSED', 'INHERITED_FROM_SOURCE'];
const RESTRICTED = new Set(['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES', 'CREDIT']);
const STATUSES = new Set(['ACTIVE', 'PAUSED', 'ARCHIVED', 'DELETED']);

/** Whether a write asks only for validation. */
export function isValidateOnly(body: URLSearchParams): boolean {
  const options = body.get('execution_options');
  if (options === null) return false;
  try {
    const list = JSON.parse(options) as unknown;
    return Array.isArray(list) && list.includes('validate_only');
  } catch {
    return false;
  }
}

export function updateAdSet(state: WriteState, adset: WireAdSet, body: URLSearchParams): WriteResult {
  for (const k of body.keys()) if (!UPDATE_FIELDS.has(k)) throw new GraphRefusal(100, null, `(#100) Param ${k} is not a field of an ad set update`);
  // Meta: a deleted object cannot change; an archived one can change only its name, and its status only to DELETED.
  if (adset.status === 'DELETED') throw new GraphRefusal(100, null, `(#100) Ad set ${adset.id} is deleted and cannot be edited`);
  if (adset.status === 'ARCHIVED' && ([...body.keys()].some((k) => k !== 'name' && k !== 'status' && k !== 'execution_options') || (body.has('status') && body.get('status') !== 'DELETED'))) {
    throw new GraphRefusal(100, null, `(#100) Ad set ${adset.id} is archived: only its name, and its status to DELETED, can change`);
  }
  const campaign = campaignOf(state, adset);
  const targeting = body.has('targeting') ? parseTargeting(body.get('targeting')!) : undefined;
  if (targeting !== undefined) checkTargeting(state, campaign, targeting);
  const budget = body.get('daily_budget');
  if (budget !== null) checkBudget(campaign, adset, budget);
  const status = body.get('status');
  if (status !== null && !STATUSES.has(status)) throw new GraphRefusal(100, null, `(#100) status must be one of ${[...STATUSES].join(', ')}`);
  if (body.has('frequency_control_specs') && adset.optimization_goal !== 'REACH' && adset.optimization_goal !== 'THRUPLAY') {
    throw new GraphRefusal(100, 1885621, '(#100) Frequency control specs are only available for the REACH and THRUPLAY optimization goals');
  }
  if (isValidateOnly(body)) return { status: 200, body: { success: true }, changed: false };
  if (targeting !== undefined) adset.targeting = targeting;
  if (budget !== null) adset.daily_budget = budget;
  if (status !== null) {
    adset.status = status;
    adset.effective_status = status;
  }
  const name = body.get('name');
  if (name !== null) adset.name = name;
  adset.updated_time = metaTime(state.now());
  return { status: 200, body: { success: true }, changed: true };
}

export function copyAdSet(state: WriteState, source: WireAdSet, body: URLSearchParams): WriteResult {
  for (const k of body.keys()) if (!COPY_FIELDS.has(k)) throw new GraphRefusal(100, null, `(#100) Param ${k} is not a parameter of an ad set copy`);
  const statusOption = statusOptionOf(body);
  const suffix = renameSuffixOf(body);
  const deep = body.get('deep_copy') === 'true';
  const ads = deep ? state.ads.filter((a) => a.adset_id === source.id && a.status !== 'DELETED' && a.status !== 'ARCHIVED') : [];
  if (ads.length > SYNC_COPY_ADS) {
    throw new GraphRefusal(100, 1885194, `(#100) The ad set's ${ads.length} ads are more than the ${SYNC_COPY_ADS} a synchronous copy takes: copy the ads one at a time, or use an asynchronous batch request`);
  }
  const id = state.newAdsetId();
  const status = statusOption === 'INHERITED_FROM_SOURCE' ? (source.status ?? 'PAUSED') : statusOption;
  state.adsets.push({ ...structuredClone(source), id, name: `${source.name ?? source.id}${suffix}`, status, effective_status: status, updated_time: metaTime(state.now()) });
  const copiedAds = ads.map((a) => pushAdCopy(state, a, id, a.name, statusOption));
  return { status: 200, body: { copied_adset_id: id, ad_object_ids: [{ ad_object_type: 'ad_set', source_id: source.id, copied_id: id }, ...copiedAds.map((c, i) => ({ ad_object_type: 'ad', source_id: ads[i]!.id, copied_id: c.id }))] }, changed: true };
}

/** `POST /{ad_id}/copies`: the ad copied into `adset_id` (its own ad set without one). */
export function copyAd(state: WriteState, source: FakeAd, body: URLSearchParams): WriteResult {
  for (const k of body.keys()) if (!AD_COPY_FIELDS.has(k)) throw new GraphRefusal(100, null, `(#100) Param ${k} is not a parameter of an ad copy`);
  const statusOption = statusOptionOf(body);
  const suffix = renameSuffixOf(body);
  const targetId = body.get('adset_id') ?? source.adset_id;
  const target = state.adsets.find((a) => a.id === targetId);
  if (target === undefined) throw new GraphRefusal(100, 33, `(#100) Ad set ${targetId} does not exist, cannot be loaded due to missing permissions, or does not support this operation`);
  if (target.status === 'DELETED' || target.status === 'ARCHIVED') throw new GraphRefusal(100, null, `(#100) Ad set ${targetId} is ${target.status}: no ad can be added to it`);
  if (target.campaign_id !== source.campaign_id) throw new GraphRefusal(100, null, `(#100) An ad is copied into an ad set of its own campaign; ${targetId} is not`);
  return { status: 200, body: { copied_ad_id: pushAdCopy(state, source, target.id, `${source.name}${suffix}`, statusOption).id }, changed: true };
}

/** `POST /{ad_id}`: its status (the only field the optimizer changes on an ad). */
export function updateAd(ad: FakeAd, body: URLSearchParams): WriteResult {
  for (const k of body.keys()) if (!AD_UPDATE_FIELDS.has(k)) throw new GraphRefusal(100, null, `(#100) Param ${k} is not a field the fake updates on an ad`);
  if (ad.status === 'DELETED') throw new GraphRefusal(100, null, `(#100) Ad ${ad.id} is deleted and cannot be edited`);
  const status = body.get('status');
  if (status === null || !STATUSES.has(status)) throw new GraphRefusal(100, null, `(#100) status must be one of ${[...STATUSES].join(', ')}`);
  if (ad.status === 'ARCHIVED' && status !== 'DELETED') throw new GraphRefusal(100, null, `(#100) Ad ${ad.id} is archived: its status can only change to DELETED`);
  if (isValidateOnly(body)) return { status: 200, body: { success: true }, changed: false };
  ad.status = status;
  ad.effective_status = status;
  return { status: 200, body: { success: true }, changed: true };
}

function pushAdCopy(state: WriteState, source: FakeAd, adsetId: string, name: string, statusOption: string): FakeAd {
  const status = statusOption === 'INHERITED_FROM_SOURCE' ? source.status : statusOption;
  const ad = { id: state.newAdId(), name, adset_id: adsetId, campaign_id: source.campaign_id, status, effective_status: status, source_ad_id: source.id };
  state.ads.push(ad);
  return ad;
}

function statusOptionOf(body: URLSearchParams): string {
  const option = body.get('status_option') ?? 'PAUSED';
  if (!STATUS_OPTIONS.includes(option)) throw new GraphRefusal(100, null, '(#100) status_option must be ACTIVE, PAUSED or INHERITED_FROM_SOURCE');
  return option;
}

function renameSuffixOf(body: URLSearchParams): string {
  const rename = body.get('rename_options');
  if (rename === null) return '';
  try {
    const r = JSON.parse(rename) as { rename_strategy?: string; rename_suffix?: string };
    return r.rename_strategy === 'NO_RENAME' ? '' : (r.rename_suffix ?? ' - Copy');
  } catch {
    throw new GraphRefusal(100, null, '(#100) rename_options must be JSON');
  }
}

function campaignOf(state: WriteState, adset: WireAdSet): WireCampaign {
  const c = state.campaigns.find((x) => x.id === adset.campaign_id);
  if (!c) throw new GraphRefusal(100, 33, `(#100) ad set ${adset.id} has no campaign`);
  return c;
}

function parseTargeting(text: string): WireTargeting {
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch {
    throw new GraphRefusal(100, null, '(#100) targeting must be a JSON object');
  }
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new GraphRefusal(100, null, '(#100) targeting must be a JSON object');
  return t as WireTargeting;
}

function checkTargeting(state: WriteState, campaign: WireCampaign, t: WireTargeting): void {
  const countries = t.geo_locations?.countries ?? [];
  if (!Array.isArray(countries) || countries.some((c) => typeof c !== 'string' || !/^[A-Z]{2}$/.test(c))) throw new GraphRefusal(100, 1487756, '(#100) geo_locations.countries must be two-letter country codes');
  if (countries.length === 0 && (t.custom_audiences ?? []).length === 0) throw new GraphRefusal(100, 1487756, '(#100) A location is required: add a country to geo_locations');
  const ageMin = t.age_min ?? 18;
  const ageMax = t.age_max ?? 65;
  if (!Number.isInteger(ageMin) || !Number.isInteger(ageMax) || ageMin < 13 || ageMax > 65 || ageMin > ageMax) throw new GraphRefusal(100, 1487069, '(#100) age_min must be at least 13, age_max at most 65, and age_min no more than age_max');
  if (t.genders !== undefined && (!Array.isArray(t.genders) || t.genders.some((g) => g !== 1 && g !== 2))) throw new GraphRefusal(100, null, '(#100) genders holds 1 (male) and 2 (female) only');
  const flex = t.flexible_spec ?? [];
  if (!Array.isArray(flex) || flex.length > 25) throw new GraphRefusal(100, null, '(#100) flexible_spec must be an array of at most 25 objects');
  for (const f of flex) for (const e of [...(f.interests ?? []), ...(f.behaviors ?? [])]) if (!/^\d+$/.test(String(e.id))) throw new GraphRefusal(100, 1487694, `(#100) ${JSON.stringify(e.id)} is not a valid interest or behavior id`);
  const automation = t.targeting_automation?.advantage_audience;
  if (automation !== 0 && automation !== 1) throw new GraphRefusal(100, 1870227, 'Advantage Audience Flag Required: set targeting_automation.advantage_audience to 0 or 1');
  const lookalikes = (t.custom_audiences ?? []).filter((a) => state.audiences.find((x) => x.id === String(a.id))?.subtype === 'LOOKALIKE');
  const categories = (campaign.special_ad_categories ?? []).filter((c) => RESTRICTED.has(c));
  if (categories.length === 0) return;
  const why = (what: string) => new GraphRefusal(100, 2909035, `(#2909035) ${what} is not allowed for ads in a special ad category (${categories.join(', ')})`);
  if (ageMin !== 18 || ageMax !== 65) throw why('Narrowing the age range');
  if (t.genders !== undefined) throw why('Choosing a gender');
  if (flex.some((f) => (f.behaviors ?? []).length > 0) || (t.behaviors ?? []).length > 0) throw why('Targeting behaviors');
  if (lookalikes.length > 0) throw why('A lookalike audience');
  if (t.excluded_geo_locations !== undefined || t.excluded_custom_audiences !== undefined) throw why('An exclusion');
}

function checkBudget(campaign: WireCampaign, adset: WireAdSet, budget: string): void {
  if (!/^\d+$/.test(budget) || Number(budget) < 100) throw new GraphRefusal(100, 1885272, `(#100) daily_budget must be a whole number of the account currency's minor units, at least the minimum; got ${JSON.stringify(budget)}`);
  if (campaign.daily_budget !== undefined || campaign.lifetime_budget !== undefined) throw new GraphRefusal(100, 1885621, '(#100) The campaign uses Advantage campaign budget: an ad set budget cannot be set');
  if (adset.lifetime_budget !== undefined && Number(adset.lifetime_budget) > 0) throw new GraphRefusal(100, null, '(#100) The ad set has a lifetime budget: a daily budget cannot be set');
}
