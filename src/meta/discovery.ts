// Targeting discovery through Meta's targeting search: interests by name, suggestions seeded with
// interests that already work, and validity (Meta retires interests; an ad set that still names
// one fails with error 100 / subcode 1487694 on its next update). Every result carries Meta's
// audience size bounds, the size the engine weighs candidates by.
import type { MetaClient } from './client.ts';

interface WireInterest {
  id: string | number;
  name?: string;
  audience_size_lower_bound?: number | string;
  audience_size_upper_bound?: number | string;
  path?: string[];
  topic?: string;
  valid?: boolean;
}

export interface InterestOption {
  id: string;
  name: string;
  sizeLower: number | null;
  sizeUpper: number | null;
  path: string[];
  topic: string | null;
}

export interface InterestValidity {
  id: string;
  name: string;
  valid: boolean;
  /** Why an interest is not valid, for the person reading the report. */
  reason: string | null;
}

function size(v: number | string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function option(w: WireInterest): InterestOption {
  return { id: String(w.id), name: w.name ?? String(w.id), sizeLower: size(w.audience_size_lower_bound), sizeUpper: size(w.audience_size_upper_bound), path: w.path ?? [], topic: w.topic ?? null };
}

export async function searchInterests(client: MetaClient, query: string, limit = 25): Promise<InterestOption[]> {
  const page = await client.get<{ data: WireInterest[] }>('search', { type: 'adinterest', q: query, limit });
  return (page.data ?? []).map(option);
}

/** Interests Meta suggests next to the given ones (by name, as the endpoint takes them). */
export async function suggestInterests(client: MetaClient, names: readonly string[], limit = 25): Promise<InterestOption[]> {
  if (names.length === 0) return [];
  const page = await client.get<{ data: WireInterest[] }>('search', { type: 'adinterestsuggestion', interest_list: [...names], limit });
  return (page.data ?? []).map(option);
}

export async function validateInterests(client: MetaClient, ids: readonly string[]): Promise<InterestValidity[]> {
  if (ids.length === 0) return [];
  const page = await client.get<{ data: WireInterest[] }>('search', { type: 'adinterestvalid', interest_fbid_list: [...ids] });
  const seen = new Map((page.data ?? []).map((w) => [String(w.id), w]));
  return ids.map((id) => {
    const w = seen.get(id);
    if (!w) return { id, name: id, valid: false, reason: 'Meta did not return it: unknown or retired' };
    return { id, name: w.name ?? id, valid: w.valid !== false, reason: w.valid === false ? 'retired by Meta: targeting it fails with error 100 / subcode 1487694' : null };
  });
}

/** A targeting entity's audience size bounds as Meta states them (people). */
export interface AudienceSizeBounds {
  id: string;
  lower: number;
  upper: number;
}

/**
 * Interest ids per `adinterestvalid` call: the list travels in the query string, and this many
 * 18-digit ids keep the URL well under the length proxies and Meta accept.
 */
export const INTEREST_SIZE_BATCH = 200;

function bounds(w: WireInterest): AudienceSizeBounds | null {
  const lower = size(w.audience_size_lower_bound);
  const upper = size(w.audience_size_upper_bound);
  // Both bounds or nothing: a half-stated size is not a size, and none is ever guessed.
  if (lower === null || upper === null || upper < lower || upper === 0) return null;
  return { id: String(w.id), lower, upper };
}

/**
 * Meta's audience size bounds of the given interests, through `adinterestvalid` (which answers
 * with each interest's bounds), INTEREST_SIZE_BATCH ids per call. Interests Meta returns without
 * both bounds, or does not return, are left out.
 */
export async function interestSizes(client: MetaClient, ids: readonly string[]): Promise<AudienceSizeBounds[]> {
  return (await lookUpInterests(client, ids)).flatMap((x) => (x.bounds === null ? [] : [x.bounds]));
}

/** What `adinterestvalid` says of an interest: its name, whether Meta still accepts it, its size bounds. */
export interface InterestLookup {
  id: string;
  name: string;
  /** false: retired (error 100 / subcode 1487694 when targeted); null: Meta did not say. */
  valid: boolean | null;
  bounds: AudienceSizeBounds | null;
}

/** `adinterestvalid` for the given interests, INTEREST_SIZE_BATCH ids per call; interests Meta does not return are left out. */
export async function lookUpInterests(client: MetaClient, ids: readonly string[]): Promise<InterestLookup[]> {
  const unique = [...new Set(ids)].sort();
  const out: InterestLookup[] = [];
  for (let i = 0; i < unique.length; i += INTEREST_SIZE_BATCH) {
    const batch = unique.slice(i, i + INTEREST_SIZE_BATCH);
    const asked = new Set(batch);
    const page = await client.get<{ data?: WireInterest[] }>('search', { type: 'adinterestvalid', interest_fbid_list: batch });
    for (const w of page.data ?? []) {
      const id = String(w.id);
      if (asked.has(id)) out.push({ id, name: w.name ?? id, valid: w.valid === undefined ? null : w.valid, bounds: bounds(w) });
    }
  }
  return out;
}

/**
 * Meta's audience size bounds of the given behaviors. Behaviors cannot be looked up by id: the
 * `adTargetingCategory` search with class=behaviors lists them all (one call, following pages),
 * and the wanted ones are picked from it. No call when no behavior is wanted.
 */
export async function behaviorSizes(client: MetaClient, ids: readonly string[]): Promise<AudienceSizeBounds[]> {
  const wanted = new Set(ids);
  if (wanted.size === 0) return [];
  const out: AudienceSizeBounds[] = [];
  for await (const page of client.pages<WireInterest>('search', { type: 'adTargetingCategory', class: 'behaviors', limit: 1000 })) {
    for (const w of page) {
      const b = bounds(w);
      if (b !== null && wanted.has(b.id)) out.push(b);
    }
  }
  return out;
}
