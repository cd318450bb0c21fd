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
