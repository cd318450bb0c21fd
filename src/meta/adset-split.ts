// The geo split on real ad sets. A Meta ad set has one budget, not one per country, so a decision
// that gives each country its own budget becomes one ad set per country, and the countries whose
// budget is under a minimum share one pooled ad set. Pure: it decides which ad set holds which
// group, from the groups and the ad sets earlier splits made; the service sends the requests.
import { adSetKeys, POOL_KEY } from '../engine/ad-set-groups.ts';
import { LEARNING_CONVERSIONS } from '../engine/targeting-edits.ts';
import type { MetaAdSet } from './graph.ts';
import type { TargetingDecision, UpdateNote } from './targeting-spec.ts';

/** The group of the countries under the minimum budget. */
export { POOL_KEY };

export interface CountryGroup {
  /** The country code, or POOL_KEY for the pooled countries. */
  key: string;
  countries: string[];
  budgetMinor: number;
}

/** The countries that hold a delivering ad set of their own, and those whose share has a floor (flooredCountries). */
export interface GroupStanding {
  holding?: ReadonlySet<string>;
  floored?: ReadonlySet<string>;
}

/**
 * One group per country whose share has a floor or whose daily budget reaches the minimum (or, for
 * a country that holds an ad set of its own already, half of it: hasOwnAdSet), and one pooled group
 * for the rest (in the decision's order). A decision without per-country budgets, or with one
 * country, is one group.
 */
export function countryGroups(decision: TargetingDecision, minBudgetMinor: number, { holding = new Set(), floored = new Set() }: GroupStanding = {}): CountryGroup[] {
  const budgetOf = new Map(decision.countryBudgetsMinor.map((b) => [b.country, b.amountMinor]));
  const total = decision.countries.reduce((s, c) => s + (budgetOf.get(c) ?? 0), 0);
  if (decision.countries.length <= 1 || total === 0) return [{ key: decision.countries.length === 1 ? decision.countries[0]! : POOL_KEY, countries: [...decision.countries], budgetMinor: total }];
  const keys = adSetKeys(decision.countryBudgetsMinor.map((b) => ({ countryCode: b.country, amountMinor: b.amountMinor })), minBudgetMinor, (c) => ({ holdsOne: holding.has(c), floored: floored.has(c) }));
  const own: CountryGroup[] = [];
  const pooled: string[] = [];
  for (const c of decision.countries) {
    if (keys.get(c) === c) own.push({ key: c, countries: [c], budgetMinor: budgetOf.get(c)! });
    else pooled.push(c);
  }
  if (pooled.length > 0) own.push({ key: POOL_KEY, countries: pooled, budgetMinor: pooled.reduce((s, c) => s + (budgetOf.get(c) ?? 0), 0) });
  return own;
}

/** An ad set an earlier split made (or the original, once it holds a group). */
export interface SplitMember {
  /** Null: in the split's family with no group (another ad set took the one it held). */
  groupKey: string | null;
  adsetId: string;
}

export type SplitStep =
  | { kind: 'update'; adsetId: string; group: CountryGroup }
  | { kind: 'create'; group: CountryGroup; name: string }
  | { kind: 'retire'; adsetId: string; groupKey: string | null };

/**
 * Which ad set holds which group. An ad set that already holds a group keeps it; the original
 * holds the largest group nobody holds yet (so a first split changes the original and copies it
 * for the others), or, when its own group is gone and every group is held, takes the largest from
 * the copy holding it: the original is never retired, since the split follows its status and a
 * run recommends for it; each group left is a copy of the original; an ad set that holds no group
 * is retired (paused; its budget is already in the groups' new budgets).
 */
export function splitSteps(source: { adsetId: string; name: string }, groups: readonly CountryGroup[], members: readonly SplitMember[]): SplitStep[] {
  if (groups.length === 1 && members.length === 0) return [{ kind: 'update', adsetId: source.adsetId, group: groups[0]! }];
  const holder = new Map(members.flatMap((m) => (m.groupKey === null ? [] : [[m.groupKey, m.adsetId] as const])));
  const wanted = new Set(groups.map((g) => g.key));
  const sourceHolds = members.some((m) => m.adsetId === source.adsetId && m.groupKey !== null && wanted.has(m.groupKey));
  const steps: SplitStep[] = [];
  const unheld = groups.filter((g) => !holder.has(g.key));
  const largestOf = (gs: readonly CountryGroup[]) => [...gs].sort((a, b) => b.budgetMinor - a.budgetMinor || (a.key < b.key ? -1 : 1))[0];
  const taken = sourceHolds ? undefined : largestOf(unheld.length > 0 ? unheld : groups);
  if (taken !== undefined) holder.set(taken.key, source.adsetId);
  for (const g of groups) {
    const id = holder.get(g.key);
    steps.push(id === undefined ? { kind: 'create', group: g, name: splitName(source.name, g.key) } : { kind: 'update', adsetId: id, group: g });
  }
  const holding = new Set([...holder.entries()].filter(([k]) => wanted.has(k)).map(([, id]) => id));
  for (const m of members) if (!holding.has(m.adsetId)) steps.push({ kind: 'retire', adsetId: m.adsetId, groupKey: m.groupKey });
  return steps;
}

/** The name of a split's ad set: the original's name and the group, so that people and the optimizer find it again. */
export function splitName(sourceName: string, groupKey: string): string {
  return `${sourceName} [geo ${groupKey}]`;
}

/** The decision for one group: its countries and their budgets, the rest as decided. */
export function decisionForGroup(decision: TargetingDecision, group: CountryGroup): TargetingDecision {
  const inGroup = new Set(group.countries);
  return { ...decision, countries: [...group.countries], countryBudgetsMinor: decision.countryBudgetsMinor.filter((b) => inGroup.has(b.country)) };
}

/** The optimisation goals whose events are the purchases the recommendation expects. */
const CONVERSION_GOALS = new Set(['OFFSITE_CONVERSIONS', 'VALUE']);

/**
 * The conversions a week an ad set can expect at its countries' budgets: each country's budget
 * over its cost per click in the window, times the ad set's expected conversion rate per click.
 * Null where a funded country's cost per click is unknown.
 */
export function weeklyConversions(budgets: readonly { country: string; amountMinor: number }[], costPerClickMinor: ReadonlyMap<string, number | null>, conversionRate: number): number | null {
  let clicks = 0;
  for (const { country, amountMinor } of budgets) {
    if (!(amountMinor > 0)) continue;
    const cpc = costPerClickMinor.get(country) ?? null;
    if (cpc === null || !(cpc > 0)) return null;
    clicks += amountMinor / cpc;
  }
  return clicks * conversionRate * 7;
}

/** A note where an ad set optimising for purchases can expect fewer a week than end its learning phase (Meta counts them over 7 days). */
export function learningNote(optimizationGoal: string | null, weekly: number | null): UpdateNote | null {
  if (optimizationGoal === null || !CONVERSION_GOALS.has(optimizationGoal) || weekly === null || weekly >= LEARNING_CONVERSIONS) return null;
  return {
    kind: 'learning',
    field: 'daily_budget',
    message: `about ${Math.round(weekly)} conversions a week expected at this budget (each country's budget over its cost per click in the window, times the expected conversion rate), under the ${LEARNING_CONVERSIONS} that end Meta's learning phase: the ad set is likely to stay in learning`,
  };
}

/**
 * A note where a country has an ad set of its own under the minimum because its share has a floor
 * (countryGroups): the answer says why such a small ad set exists.
 */
export function floorNote(group: CountryGroup, minBudgetMinor: number, floored: ReadonlySet<string>): UpdateNote | null {
  const [country] = group.countries;
  if (group.countries.length !== 1 || country === undefined || !floored.has(country) || group.budgetMinor >= minBudgetMinor) return null;
  return {
    kind: 'floor',
    field: 'daily_budget',
    message: `${country} has an ad set of its own under META_SPLIT_MIN_DAILY_BUDGET_MINOR (${minBudgetMinor}): its share of the budget has a floor, which a pooled ad set would leave to Meta's delivery`,
  };
}

/**
 * A note where an ad set of the split was paused by someone else (in Ads Manager, say) after the
 * optimizer last left it active: it stays paused, and its countries get nothing until it is
 * activated again, their floors included.
 */
export function pausedNote(group: CountryGroup, floored: ReadonlySet<string>): UpdateNote {
  const held = group.countries.filter((c) => floored.has(c));
  return {
    kind: 'paused',
    field: 'status',
    message: `paused outside the optimizer (in Ads Manager, say) after it last left it ACTIVE: it stays paused, holding the split's targeting and budget for when it is activated, so ${group.countries.join(', ')} get${group.countries.length === 1 ? 's' : ''} none of the ${group.budgetMinor} minor units a day the split gives this ad set until then${held.length > 0 ? `; the floor of ${held.join(', ')} is not held meanwhile` : ''}`,
  };
}

/**
 * A note where a copy of the split bids or ends otherwise than its original: the split keeps a
 * copy's targeting, budget and ads in step with the original, not its bidding or schedule (a bid
 * set apart in a copy may be the advertiser's own choice for those countries).
 */
export function biddingNote(copy: MetaAdSet, original: MetaAdSet): UpdateNote | null {
  const labels = { strategy: 'bid strategy', amount: 'bid amount', endTime: 'end time' } as const;
  const differ = (Object.keys(labels) as (keyof typeof labels)[]).filter((k) => copy.bidding[k] !== original.bidding[k]);
  if (differ.length === 0) return null;
  const show = (v: string | null) => v ?? 'none';
  return {
    kind: 'advisory',
    field: 'bidding',
    message: `${differ.map((k) => `${labels[k]} ${show(copy.bidding[k])} here, ${show(original.bidding[k])} on the original`).join('; ')}: the split keeps a copy's targeting, budget and ads in step with the original, not how it bids or when it ends; change them in Ads Manager where they should match`,
  };
}

/**
 * A note where the split cannot be applied (a campaign budget, or the ad set's lifetime budget:
 * no ad set budget to split): one ad set delivers every country, Meta's delivery decides each
 * one's spend, and the floors of the split's funded countries are not guaranteed.
 */
export function unsplitNote(decision: TargetingDecision, why: 'campaign_budget' | 'lifetime_budget', floored: ReadonlySet<string>): UpdateNote | null {
  const funded = decision.countryBudgetsMinor.filter((b) => b.amountMinor > 0);
  if (funded.length <= 1) return null;
  const reason = why === 'campaign_budget' ? 'the campaign uses Advantage campaign budget' : 'the ad set has a lifetime budget';
  const unheld = funded.filter((b) => floored.has(b.country)).map((b) => b.country);
  return {
    kind: 'budget',
    field: 'targeting.geo_locations',
    message: `the split's budgets for ${funded.length} countries are not applied: ${reason}, so one ad set delivers them all and Meta's delivery decides each one's spend${unheld.length > 0 ? `; the floor of ${unheld.join(', ')} is not guaranteed` : ''}`,
  };
}
