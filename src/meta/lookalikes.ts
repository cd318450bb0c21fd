// Lookalike audiences through the Marketing API: reading a custom audience (a lookalike's source,
// or a lookalike's readiness), creating a lookalike, and finding an identical one that exists.
//
// Create: POST /act_{id}/customaudiences with name, subtype=LOOKALIKE, origin_audience_id and
// lookalike_spec = {ratio, country} for one country, or {ratio, location_spec: {geo_locations:
// {countries}}} for a group; `type` is never sent beside `ratio` (Meta then ignores the ratio).
// Meta refuses a second lookalike of the same source, countries and size with code 2654.
// Read back, lookalike_spec carries `origin` [{id, …}], `ratio`, `starting_ratio`, `country` and
// `target_countries`; `delivery_status.code` 200 means the audience can deliver, and the size
// bounds are -1 while a lookalike is not populated yet.
import type { MetaClient } from './client.ts';
import { MetaApiError } from './errors.ts';

export interface WireLookalikeSpec {
  origin?: { id: string | number; name?: string; type?: string }[];
  ratio?: number | string;
  starting_ratio?: number | string;
  country?: string;
  target_countries?: string[];
  type?: string;
}

export interface WireAudienceStatus { code?: number; description?: string }

export interface WireAudience {
  id: string;
  name?: string;
  subtype?: string;
  approximate_count_lower_bound?: number | string;
  approximate_count_upper_bound?: number | string;
  delivery_status?: WireAudienceStatus;
  operation_status?: WireAudienceStatus;
  lookalike_spec?: WireLookalikeSpec;
}

const AUDIENCE_FIELDS = 'id,name,subtype,approximate_count_lower_bound,approximate_count_upper_bound,delivery_status,operation_status,lookalike_spec';

export type LookalikeState = 'populating' | 'ready' | 'unusable';

export interface MetaAudienceStatus {
  id: string;
  name: string | null;
  subtype: string | null;
  /** Meta's size bounds; null while unknown (Meta says -1, as for a lookalike still populating). */
  sizeLower: number | null;
  sizeUpper: number | null;
  state: LookalikeState;
  /** Meta's own words on the state, when it gave any. */
  statusMessage: string | null;
  lookalike: { originIds: string[]; ratioPct: number; startingRatioPct: number; countries: string[] } | null;
}

/** What identifies a lookalike for Meta's duplicate rule: source, countries and size. */
export interface LookalikeIdentity {
  originAudienceId: string;
  /** 1 to 20 (percent of the countries' population). */
  ratioPct: number;
  /** Upper-case country codes, sorted. */
  countries: string[];
}

export const DUPLICATE_LOOKALIKE_CODE = 2654;

function bound(v: number | string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function pct(v: number | string | undefined): number {
  return v === undefined || v === '' ? 0 : Math.round(Number(v) * 100);
}

/**
 * Ready when Meta says the audience can deliver (delivery_status 200); unusable when Meta reports
 * a problem (a code of 400 or more on either status); populating otherwise (300: too small yet,
 * as a new lookalike is).
 */
export function audienceState(w: WireAudience): { state: LookalikeState; message: string | null } {
  const delivery = w.delivery_status?.code;
  const operation = w.operation_status?.code;
  const problem = [w.delivery_status, w.operation_status].find((s) => (s?.code ?? 0) >= 400);
  if (problem !== undefined) return { state: 'unusable', message: `${problem.code}: ${problem.description ?? 'no description'}` };
  if (delivery === 200 && bound(w.approximate_count_lower_bound) !== null) return { state: 'ready', message: w.delivery_status?.description ?? null };
  const said = delivery !== undefined ? w.delivery_status : operation !== undefined ? w.operation_status : undefined;
  return { state: 'populating', message: said === undefined ? null : `${said.code}: ${said.description ?? 'no description'}` };
}

export function parseAudience(w: WireAudience): MetaAudienceStatus {
  const { state, message } = audienceState(w);
  const spec = w.lookalike_spec;
  const countries = spec === undefined ? [] : [...new Set((spec.target_countries ?? (spec.country ? [spec.country] : [])).map((c) => c.toUpperCase()))].sort();
  return {
    id: String(w.id),
    name: w.name ?? null,
    subtype: w.subtype ?? null,
    sizeLower: bound(w.approximate_count_lower_bound),
    sizeUpper: bound(w.approximate_count_upper_bound),
    state,
    statusMessage: message,
    lookalike: spec === undefined ? null : { originIds: (spec.origin ?? []).map((o) => String(o.id)), ratioPct: pct(spec.ratio), startingRatioPct: pct(spec.starting_ratio), countries },
  };
}

export async function readAudience(client: MetaClient, audienceId: string): Promise<MetaAudienceStatus> {
  return parseAudience(await client.get<WireAudience>(audienceId, { fields: AUDIENCE_FIELDS }));
}

/** The lookalike_spec Meta expects for one identity (one country, or a group through location_spec). */
export function lookalikeSpecOf(id: LookalikeIdentity): Record<string, unknown> {
  const ratio = id.ratioPct / 100;
  return id.countries.length === 1 ? { ratio, country: id.countries[0] } : { ratio, location_spec: { geo_locations: { countries: id.countries } } };
}

/** Creates the lookalike; its id. A duplicate is Meta's MetaApiError with code 2654 (isDuplicateLookalike). */
export async function createLookalike(client: MetaClient, accountId: string, id: LookalikeIdentity, name: string): Promise<string> {
  const created = await client.post<{ id: string | number }>(
    `${accountId}/customaudiences`,
    { name, subtype: 'LOOKALIKE', origin_audience_id: id.originAudienceId, lookalike_spec: lookalikeSpecOf(id) },
    { write: 'repeatable' },
  );
  return String(created.id);
}

export function isDuplicateLookalike(error: unknown): boolean {
  return error instanceof MetaApiError && error.code === DUPLICATE_LOOKALIKE_CODE;
}

/** The account's lookalike that matches the identity (source, countries, size from 0 %), or null. */
export async function findLookalike(client: MetaClient, accountId: string, id: LookalikeIdentity): Promise<MetaAudienceStatus | null> {
  for await (const page of client.pages<WireAudience>(`${accountId}/customaudiences`, { fields: AUDIENCE_FIELDS, limit: 100 })) {
    for (const w of page) {
      if (w.subtype !== 'LOOKALIKE') continue;
      const a = parseAudience(w);
      const l = a.lookalike;
      if (l !== null && l.originIds.includes(id.originAudienceId) && l.ratioPct === id.ratioPct && l.startingRatioPct === 0 && l.countries.join(',') === id.countries.join(',')) return a;
    }
  }
  return null;
}
