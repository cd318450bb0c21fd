// The exact ad set update a targeting decision becomes, as Meta's Marketing API takes it. Pure: it
// is given the decision, the ad set as Meta last returned it and the campaign's rules, and returns
// the body of `POST /{adset_id}` with notes saying what was left out and why.
//
// Meta replaces the `targeting` object whole on update, so the body starts from the ad set's current
// targeting and changes only what the decision decides; everything else (placements, locales,
// regions, exclusions, excluded custom audiences, …) is carried over as it was.
import { canonicalJson } from '../engine/canonical-json.ts';
import type { WireTargeting, WireTargetingEntity } from './graph.ts';

export interface Entity {
  id: string;
  name: string;
}

/** What a recommendation decides for one ad set, in the project's own words (camelCase, money in minor units). */
export interface TargetingDecision {
  /** ISO 3166 alpha-2 codes, in the decision's order. */
  countries: string[];
  /** The daily budget of each country, in the account currency's minor units. */
  countryBudgetsMinor: { country: string; amountMinor: number }[];
  ageMin: number;
  ageMax: number;
  gender: 'all' | 'male' | 'female';
  interests: Entity[];
  behaviors: Entity[];
  customAudiences: Entity[];
  /** Lookalike audiences that exist at Meta (created beforehand); targeted as custom audiences. */
  lookalikeAudiences: Entity[];
  frequencyCap: { maxFrequency: number; intervalDays: number } | null;
  /** Advantage+ audience: 1 lets Meta treat most of the targeting as suggestions. */
  advantageAudience: 0 | 1;
}

/** The ad set as Meta returned it, and what constrains the update. */
export interface CurrentAdSet {
  id: string;
  optimizationGoal: string | null;
  targeting: WireTargeting;
  dailyBudgetMinor: number | null;
  lifetimeBudgetMinor: number | null;
}

export interface CampaignRules {
  specialAdCategories: readonly string[];
  /** 'campaign': Advantage campaign budget, the budget lives on the campaign. */
  budgetMode: 'campaign' | 'adset';
}

export interface FrequencyControlSpec {
  event: 'IMPRESSIONS';
  interval_days: number;
  max_frequency: number;
}

/** The body of `POST /{adset_id}`: objects are sent as JSON text by the client. */
export interface AdSetUpdateBody {
  targeting: WireTargeting;
  /** Minor units of the account currency, as a string of digits ("2000" = 20.00 EUR). */
  daily_budget?: string;
  frequency_control_specs?: FrequencyControlSpec[];
}

export type NoteKind = 'advisory' | 'forbidden' | 'suggestion' | 'budget' | 'learning' | 'floor' | 'paused';

/** Something the answer must say: a field recorded but not sent, left out by a rule, or taken by Meta as a suggestion. */
export interface UpdateNote {
  kind: NoteKind;
  field: string;
  message: string;
}

export interface AdSetUpdate {
  body: AdSetUpdateBody;
  notes: UpdateNote[];
}

/** Categories whose ads may not narrow age, choose a gender, use behaviors, lookalikes or exclusions (Meta's special ad category rules). */
const RESTRICTED_CATEGORIES = new Set(['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES', 'CREDIT']);
/** Optimization goals that accept frequency_control_specs. */
const CAPPED_GOALS = new Set(['REACH', 'THRUPLAY']);
/** Carried-over targeting keys a restricted category forbids: exclusions and demographic targeting. */
const RESTRICTED_CARRY_OVER = ['excluded_geo_locations', 'excluded_custom_audiences', 'exclusions', 'income', 'education_statuses', 'relationship_statuses', 'life_events', 'family_statuses', 'industries', 'work_positions', 'work_employers', 'user_adclusters', 'zips'] as const;
/** Older specs may hold interests and behaviors at the top level: the decision's flexible_spec replaces them. */
const REPLACED_TOP_LEVEL = ['interests', 'behaviors'] as const;

export const SPECIAL_AGE_MIN = 18;
export const SPECIAL_AGE_MAX = 65;

/** Whether a campaign's special ad categories forbid narrowing (age, gender, behaviors, lookalikes, exclusions). */
export function restrictedCategories(categories: readonly string[]): string[] {
  return categories.filter((c) => RESTRICTED_CATEGORIES.has(c));
}

/** The daily budget of the decision's countries together, in minor units. */
export function decisionBudgetMinor(d: TargetingDecision): number {
  const chosen = new Set(d.countries);
  return d.countryBudgetsMinor.filter((b) => chosen.has(b.country)).reduce((s, b) => s + b.amountMinor, 0);
}

/** The full update of one ad set: targeting carried over and changed, budget in minor units, frequency caps where the goal accepts them. */
export function adSetUpdateFor(decision: TargetingDecision, current: CurrentAdSet, rules: CampaignRules): AdSetUpdate {
  const notes: UpdateNote[] = [];
  const restricted = restrictedCategories(rules.specialAdCategories);
  const targeting = carriedOver(current.targeting, restricted, notes);

  targeting.geo_locations = { ...(current.targeting.geo_locations ?? {}), countries: [...decision.countries] };
  let ageMin = decision.ageMin;
  let ageMax = decision.ageMax;
  let gender = decision.gender;
  let behaviors = decision.behaviors;
  let lookalikes = decision.lookalikeAudiences;
  if (restricted.length > 0) {
    const why = `the campaign's special ad category (${restricted.join(', ')}) forbids it`;
    if (ageMin !== SPECIAL_AGE_MIN || ageMax !== SPECIAL_AGE_MAX) notes.push({ kind: 'forbidden', field: 'age_min/age_max', message: `ages ${ageMin}-${ageMax} not sent, ${SPECIAL_AGE_MIN}-${SPECIAL_AGE_MAX} instead: ${why}` });
    if (gender !== 'all') notes.push({ kind: 'forbidden', field: 'genders', message: `gender ${gender} not sent (all genders): ${why}` });
    if (behaviors.length > 0) notes.push({ kind: 'forbidden', field: 'behaviors', message: `${behaviors.length} behavior(s) not sent: ${why}` });
    if (lookalikes.length > 0) notes.push({ kind: 'forbidden', field: 'lookalikes', message: `${lookalikes.length} lookalike audience(s) not sent: ${why}` });
    ageMin = SPECIAL_AGE_MIN;
    ageMax = SPECIAL_AGE_MAX;
    gender = 'all';
    behaviors = [];
    lookalikes = [];
  }
  targeting.age_min = ageMin;
  targeting.age_max = ageMax;
  if (gender === 'male') targeting.genders = [1];
  else if (gender === 'female') targeting.genders = [2];
  else delete targeting.genders;

  // Inside one flexible_spec object the lists are OR-ed: people matching any chosen interest or behavior.
  const detailed: { interests?: WireTargetingEntity[]; behaviors?: WireTargetingEntity[] } = {};
  if (decision.interests.length > 0) detailed.interests = decision.interests.map(entity);
  if (behaviors.length > 0) detailed.behaviors = behaviors.map(entity);
  if (Object.keys(detailed).length > 0) targeting.flexible_spec = [detailed];
  else delete targeting.flexible_spec;

  const audiences = dedupe([...decision.customAudiences, ...lookalikes]);
  if (audiences.length > 0) targeting.custom_audiences = audiences.map(entity);
  else delete targeting.custom_audiences;

  targeting.targeting_automation = { ...(current.targeting.targeting_automation ?? {}), advantage_audience: decision.advantageAudience };
  if (decision.advantageAudience === 1) notes.push(...suggestionNotes(targeting));

  const body: AdSetUpdateBody = { targeting };
  const budget = decisionBudgetMinor(decision);
  if (rules.budgetMode === 'campaign') {
    notes.push({ kind: 'budget', field: 'daily_budget', message: `daily budget ${budget} (minor units) not sent: the campaign uses Advantage campaign budget, so the budget lives on the campaign` });
  } else if (current.lifetimeBudgetMinor !== null) {
    notes.push({ kind: 'budget', field: 'daily_budget', message: `daily budget ${budget} (minor units) not sent: the ad set has a lifetime budget, and Meta takes one kind of budget per ad set` });
  } else if (budget > 0) {
    body.daily_budget = String(budget);
  }

  const cap = decision.frequencyCap;
  if (cap !== null) {
    if (current.optimizationGoal !== null && CAPPED_GOALS.has(current.optimizationGoal)) {
      body.frequency_control_specs = [{ event: 'IMPRESSIONS', interval_days: cap.intervalDays, max_frequency: cap.maxFrequency }];
    } else {
      notes.push({ kind: 'advisory', field: 'frequency_control_specs', message: `frequency cap ${cap.maxFrequency} per ${cap.intervalDays} day(s) recorded as advisory, not sent: Meta accepts it only for the REACH and THRUPLAY optimization goals (this ad set optimizes for ${current.optimizationGoal ?? 'an unknown goal'})` });
    }
  }
  return { body, notes };
}

/** A deep copy of the current targeting without what the decision replaces and, in a restricted category, without what it forbids. */
function carriedOver(current: WireTargeting, restricted: readonly string[], notes: UpdateNote[]): WireTargeting {
  const out = structuredClone(current);
  for (const k of REPLACED_TOP_LEVEL) delete out[k];
  if (restricted.length > 0) {
    for (const k of RESTRICTED_CARRY_OVER) {
      if (out[k] === undefined) continue;
      delete out[k];
      notes.push({ kind: 'forbidden', field: k, message: `${k} of the current targeting not carried over: the campaign's special ad category (${restricted.join(', ')}) forbids it` });
    }
  }
  return out;
}

/** With Advantage+ audience on, Meta keeps location, age_min (18 to 25), languages and custom-audience exclusions as limits; the rest becomes a suggestion. */
function suggestionNotes(t: WireTargeting): UpdateNote[] {
  const notes: UpdateNote[] = [];
  const say = (field: string, what: string) => notes.push({ kind: 'suggestion', field, message: `${what} is a suggestion, not a limit: Advantage+ audience is on (advantage_audience 1)` });
  if (t.age_max !== undefined && t.age_max < SPECIAL_AGE_MAX) say('age_max', `age_max ${t.age_max}`);
  if (t.age_min !== undefined && t.age_min > 25) say('age_min', `age_min ${t.age_min} (a hard minimum only from 18 to 25)`);
  if (t.genders !== undefined) say('genders', 'the gender');
  if (t.flexible_spec !== undefined) say('flexible_spec', 'the interests and behaviors');
  if (t.custom_audiences !== undefined) say('custom_audiences', 'the custom audiences and lookalikes');
  return notes;
}

function entity(e: Entity): WireTargetingEntity {
  return { id: e.id, name: e.name };
}

function dedupe(list: readonly Entity[]): Entity[] {
  return [...new Map(list.map((e) => [e.id, e])).values()];
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields an update changes, by name (targeting fields as targeting.X), in a stable order. */
export function updateDiff(current: { targeting: WireTargeting; dailyBudgetMinor: number | null; status?: string | null }, body: Partial<AdSetUpdateBody> & { status?: string }): FieldChange[] {
  const out: FieldChange[] = [];
  const next = body.targeting ?? current.targeting;
  const keys = [...new Set([...Object.keys(current.targeting), ...Object.keys(next)])].sort();
  for (const k of keys) {
    const before = current.targeting[k];
    const after = next[k];
    if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) out.push({ field: `targeting.${k}`, before: before ?? null, after: after ?? null });
  }
  if (body.daily_budget !== undefined && String(current.dailyBudgetMinor ?? '') !== body.daily_budget) out.push({ field: 'daily_budget', before: current.dailyBudgetMinor === null ? null : String(current.dailyBudgetMinor), after: body.daily_budget });
  if (body.frequency_control_specs !== undefined) out.push({ field: 'frequency_control_specs', before: null, after: body.frequency_control_specs });
  if (body.status !== undefined && body.status !== (current.status ?? null)) out.push({ field: 'status', before: current.status ?? null, after: body.status });
  return out;
}
