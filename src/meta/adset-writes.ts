// The writes LIVE apply sends: an ad set update, an ad set copy and the copies of its ads, and the
// reads of one ad set and of its ads to start from and to reconcile with. Each write can be sent
// for validation only (`execution_options=["validate_only"]`): Meta checks it as it would the real
// one and changes nothing.
import type { MetaClient, Params } from './client.ts';
import { parseAdSet, type MetaAdSet, type WireAdSet } from './graph.ts';
import type { AdSetUpdateBody } from './targeting-spec.ts';

const ADSET_FIELDS = 'id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,optimization_goal,bid_strategy,bid_amount,end_time,targeting';
const AD_FIELDS = 'id,name,status,source_ad_id';
/** Statuses of an ad set or ad Meta no longer lets anyone edit (archived: its name and deletion only): an ad so is not copied. */
export const GONE_STATUSES: ReadonlySet<string> = new Set(['ARCHIVED', 'DELETED']);
const VALIDATE_ONLY = ['validate_only'];

/** Everything an update may set: the targeting decision's body, plus status and name for split ad sets and rollbacks. */
export type AdSetWrite = Partial<AdSetUpdateBody> & { status?: string; name?: string };

/** One request as it is (or would be) sent: what a dry run shows and the history keeps. */
export interface GraphRequest {
  method: 'POST';
  path: string;
  params: Params;
}

export async function readAdSet(client: MetaClient, adsetId: string): Promise<MetaAdSet> {
  return parseAdSet(await client.get<WireAdSet>(adsetId, { fields: ADSET_FIELDS }));
}

export function updateRequest(adsetId: string, write: AdSetWrite): GraphRequest {
  return { method: 'POST', path: adsetId, params: { ...write } };
}

/** An ad of an ad set, as a copy of the ad set needs it: what to copy, and whether it was on. */
export interface MetaAd {
  id: string;
  name: string | null;
  status: string | null;
  /** The ad it was copied from; null for an ad made otherwise (Meta answers 0 there). */
  sourceAdId: string | null;
}

/** The ads of an ad set that may deliver again (archived and deleted ones left out). */
export async function readAds(client: MetaClient, adsetId: string): Promise<MetaAd[]> {
  const ads = await client.all<{ id: string | number; name?: string; status?: string; source_ad_id?: string | number }>(`${adsetId}/ads`, { fields: AD_FIELDS, limit: 100 });
  const source = (id: string | number | undefined) => (id === undefined || String(id) === '0' || String(id) === '' ? null : String(id));
  return ads.map((a) => ({ id: String(a.id), name: a.name ?? null, status: a.status ?? null, sourceAdId: source(a.source_ad_id) })).filter((a) => !GONE_STATUSES.has(a.status ?? ''));
}

export function copyRequest(sourceAdsetId: string, nameSuffix: string): GraphRequest {
  // The ad set alone (Meta copies at most three ads with their ad set in one request):
  // its ads are copied one by one (adCopyRequest). PAUSED until the apply completes.
  return { method: 'POST', path: `${sourceAdsetId}/copies`, params: { deep_copy: false, status_option: 'PAUSED', rename_options: { rename_strategy: 'ONLY_TOP_LEVEL_RENAME', rename_suffix: nameSuffix } } };
}

/**
 * One ad copied into an ad set, with its creative and name: with the status it has (an ad turned off
 * stays off) into a new, paused copy; PAUSED into an ad set that may be delivering, and set after.
 */
export function adCopyRequest(adId: string, targetAdsetId: string, status: 'INHERITED_FROM_SOURCE' | 'PAUSED' = 'INHERITED_FROM_SOURCE'): GraphRequest {
  return { method: 'POST', path: `${adId}/copies`, params: { adset_id: targetAdsetId, status_option: status, rename_options: { rename_strategy: 'NO_RENAME' } } };
}

/** An ad turned on or off. */
export function adStatusRequest(adId: string, status: string): GraphRequest {
  return { method: 'POST', path: adId, params: { status } };
}

export async function send(client: MetaClient, request: GraphRequest, options: { validateOnly: boolean }): Promise<unknown> {
  // Meta's copies endpoints take no validate_only: sent with it, a copy would be refused or made.
  if (options.validateOnly && isCopy(request)) throw new Error(`${request.path} cannot be validated without being made: Meta's copies endpoints take no validate_only`);
  const params = options.validateOnly ? { ...request.params, execution_options: VALIDATE_ONLY } : request.params;
  // A copy is not idempotent: never retried blindly (a retried timeout could make two).
  return client.post<unknown>(request.path, params, { write: isCopy(request) ? 'once' : 'repeatable' });
}

const isCopy = (request: GraphRequest) => request.path.endsWith('/copies');

/** The id of the ad set a copy created. */
export function copiedAdsetId(answer: unknown): string | null {
  const id = (answer as { copied_adset_id?: unknown } | null)?.copied_adset_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/** The id of the ad an ad copy created. */
export function copiedAdId(answer: unknown): string | null {
  const id = (answer as { copied_ad_id?: unknown } | null)?.copied_ad_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}
