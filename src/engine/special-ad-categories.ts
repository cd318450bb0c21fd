// Meta's special ad categories (the campaign's `special_ad_categories`). Housing, employment and
// financial products and services (CREDIT before 2025) forbid age narrowing, a gender choice,
// behaviors, lookalikes and exclusions, whatever the account's data says: Meta refuses such a
// targeting spec (error 2909035). Issues, elections and politics ask for an authorisation and a
// "Paid for by" disclaimer instead, and keep the ordinary audience options.
import type { LeftOutEvent, UnlimitedCategoryEvent } from './trace-events.ts';

/** The categories under which Meta limits the audience (docs/how-it-decides.md, "Special ad categories"). */
export const AUDIENCE_LIMITING_CATEGORIES: readonly string[] = ['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES', 'CREDIT'];

const POLITICS = 'ISSUES_ELECTIONS_POLITICS';

// The whole age range Meta allows such a campaign: 18 to "65 and older".
const OPEN_AGE_MIN = 18;
const OPEN_AGE_MAX = 65;

/** The part of a recommendation that a special ad category can forbid. */
export interface LimitableAudience<B, L> {
  ageMin: number;
  ageMax: number;
  gender: 'all' | 'male' | 'female';
  behaviors: B[];
  lookalikes: L[];
}

/** The categories of a campaign that limit its audience, in Meta's spelling and the given order. */
export function audienceLimitingCategories(categories: readonly string[] | undefined): string[] {
  return (categories ?? []).filter((c) => AUDIENCE_LIMITING_CATEGORIES.includes(c));
}

/**
 * The audience with everything the campaign's categories forbid left out, and one trace event per
 * thing left out naming the categories that forbid it. Without a limiting category it is returned as given.
 */
export function limitAudience<B, L>(categories: readonly string[] | undefined, audience: LimitableAudience<B, L>): { audience: LimitableAudience<B, L>; trace: (UnlimitedCategoryEvent | LeftOutEvent)[] } {
  const declared = categories ?? [];
  const limiting = audienceLimitingCategories(declared);
  const trace: (UnlimitedCategoryEvent | LeftOutEvent)[] = [];
  for (const c of declared.filter((c) => !limiting.includes(c))) trace.push({ kind: 'special_ad_categories.unlimited', category: c, known: c === POLITICS });
  if (limiting.length === 0) return { audience, trace };
  const base = { kind: 'special_ad_categories.left_out', categories: limiting } as const;
  if (audience.ageMin !== OPEN_AGE_MIN || audience.ageMax !== OPEN_AGE_MAX) trace.push({ ...base, what: 'age', ageMin: OPEN_AGE_MIN, ageMax: OPEN_AGE_MAX, dataAgeMin: audience.ageMin, dataAgeMax: audience.ageMax });
  if (audience.gender !== 'all') trace.push({ ...base, what: 'gender', dataGender: audience.gender });
  if (audience.behaviors.length > 0) trace.push({ ...base, what: 'behaviors', count: audience.behaviors.length });
  if (audience.lookalikes.length > 0) trace.push({ ...base, what: 'lookalikes', count: audience.lookalikes.length });
  trace.push({ ...base, what: 'exclusions' });
  return { audience: { ageMin: OPEN_AGE_MIN, ageMax: OPEN_AGE_MAX, gender: 'all', behaviors: [], lookalikes: [] }, trace };
}
