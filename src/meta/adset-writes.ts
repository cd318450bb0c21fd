// The writes LIVE apply sends: an ad set update, an ad set copy, and a read of one ad set to start
// from and to reconcile with. Each can be sent for validation only (`execution_options=
// ["validate_only"]`): Meta checks it as it would the real one and changes nothing.
import type { MetaClient, Params } from './client.ts';
import { parseAdSet, type MetaAdSet, type WireAdSet } from './graph.ts';
import type { AdSetUpdateBody } from './targeting-spec.ts';

const ADSET_FIELDS = 'id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,optimization_goal,targeting';
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

export function copyRequest(sourceAdsetId: string, nameSuffix: string): GraphRequest {
  // deep_copy copies the ad set's ads too, so the copy keeps its creatives; PAUSED until the apply completes.
  return { method: 'POST', path: `${sourceAdsetId}/copies`, params: { deep_copy: true, status_option: 'PAUSED', rename_options: { rename_strategy: 'ONLY_TOP_LEVEL_RENAME', rename_suffix: nameSuffix } } };
}

export async function send(client: MetaClient, request: GraphRequest, options: { validateOnly: boolean }): Promise<unknown> {
  const params = options.validateOnly ? { ...request.params, execution_options: VALIDATE_ONLY } : request.params;
  // A copy is not idempotent: never retried blindly (a retried timeout could make two).
  return client.post<unknown>(request.path, params, { write: request.path.endsWith('/copies') ? 'once' : 'repeatable' });
}

/** The id of the ad set a copy created. */
export function copiedAdsetId(answer: unknown): string | null {
  const id = (answer as { copied_adset_id?: unknown } | null)?.copied_adset_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}
