import { describe, expect, it } from 'vitest';
import { LEARNING_CONVERSIONS as LEARNING_EVENTS_A_WEEK } from '../engine/targeting-edits.ts';
import { biddingNote, countryGroups, floorNote, learningNote, pausedNote, POOL_KEY, splitName, splitSteps, unsplitNote, weeklyConversions } from './adset-split.ts';
import type { TargetingDecision } from './targeting-spec.ts';

const decision = (budgets: Record<string, number>): TargetingDecision => ({
  countries: Object.keys(budgets),
  countryBudgetsMinor: Object.entries(budgets).map(([country, amountMinor]) => ({ country, amountMinor })),
  ageMin: 18, ageMax: 65, gender: 'all', interests: [], behaviors: [], customAudiences: [], lookalikeAudiences: [], frequencyCap: null, advantageAudience: 0,
});

describe('countryGroups', () => {
  it('one group per country at or above the minimum, the rest pooled; budgets add up', () => {
    const groups = countryGroups(decision({ ES: 5_000, MX: 1_000, AR: 400, CL: 300 }), 1_000);
    expect(groups).toEqual([
      { key: 'ES', countries: ['ES'], budgetMinor: 5_000 },
      { key: 'MX', countries: ['MX'], budgetMinor: 1_000 },
      { key: POOL_KEY, countries: ['AR', 'CL'], budgetMinor: 700 },
    ]);
  });
  it('a country that holds an ad set of its own keeps it down to half the minimum; one that does not joins the pool', () => {
    const budgets = decision({ ES: 5_000, MX: 600, AR: 600, CL: 499 });
    expect(countryGroups(budgets, 1_000, { holding: new Set(['ES', 'MX', 'CL']) })).toEqual([
      { key: 'ES', countries: ['ES'], budgetMinor: 5_000 },
      { key: 'MX', countries: ['MX'], budgetMinor: 600 },
      { key: POOL_KEY, countries: ['AR', 'CL'], budgetMinor: 1_099 },
    ]);
    // Back to the minimum, the pooled country gets its own again; under half, the holder joins the pool.
    expect(countryGroups(decision({ ES: 5_000, MX: 499, AR: 1_000 }), 1_000, { holding: new Set(['MX']) }).map((g) => g.key)).toEqual(['ES', 'AR', POOL_KEY]);
  });
  it("a country whose share has a floor gets its own ad set under the minimum: in the pool Meta's delivery would decide its spend", () => {
    const budgets = decision({ ES: 700, MX: 800, AR: 500 });
    expect(countryGroups(budgets, 1_000).map((g) => g.key)).toEqual([POOL_KEY]);
    expect(countryGroups(budgets, 1_000, { floored: new Set(['ES']) })).toEqual([
      { key: 'ES', countries: ['ES'], budgetMinor: 700 },
      { key: POOL_KEY, countries: ['MX', 'AR'], budgetMinor: 1_300 },
    ]);
    // A floor on a country the split did not fund makes no ad set.
    expect(countryGroups(decision({ ES: 1_500, MX: 0, AR: 500 }), 1_000, { floored: new Set(['MX']) }).map((g) => g.key)).toEqual(['ES', POOL_KEY]);
  });
  it("says why a floor's ad set is under the minimum; nothing for an ad set at the minimum, a pool, or a country without a floor", () => {
    const floored = new Set(['ES']);
    expect(floorNote({ key: 'ES', countries: ['ES'], budgetMinor: 700 }, 1_000, floored)).toEqual({ kind: 'floor', field: 'daily_budget', message: "ES has an ad set of its own under META_SPLIT_MIN_DAILY_BUDGET_MINOR (1000): its share of the budget has a floor, which a pooled ad set would leave to Meta's delivery" });
    expect(floorNote({ key: 'ES', countries: ['ES'], budgetMinor: 1_000 }, 1_000, floored)).toBeNull();
    expect(floorNote({ key: POOL_KEY, countries: ['ES', 'MX'], budgetMinor: 700 }, 1_000, floored)).toBeNull();
    expect(floorNote({ key: 'MX', countries: ['MX'], budgetMinor: 700 }, 1_000, floored)).toBeNull();
  });
  it('says where a copy bids or ends otherwise than its original; nothing where they match', () => {
    const adset = (bidding: { strategy: string | null; amount: string | null; endTime: string | null }) => ({ id: 'a', campaignId: 'c', name: null, status: 'ACTIVE', effectiveStatus: 'ACTIVE', dailyBudgetMinor: 1_000, lifetimeBudgetMinor: null, optimizationGoal: null, bidding, targeting: {}, updatedAt: null, interests: [], behaviors: [], customAudiences: [], countries: [] });
    const original = adset({ strategy: 'COST_CAP', amount: '500', endTime: null });
    expect(biddingNote(adset({ strategy: 'COST_CAP', amount: '500', endTime: null }), original)).toBeNull();
    expect(biddingNote(adset({ strategy: 'COST_CAP', amount: '400', endTime: '2027-01-31T00:00:00+0000' }), original)).toEqual({
      kind: 'advisory',
      field: 'bidding',
      message: "bid amount 400 here, 500 on the original; end time 2027-01-31T00:00:00+0000 here, none on the original: the split keeps a copy's targeting, budget and ads in step with the original, not how it bids or when it ends; change them in Ads Manager where they should match",
    });
  });
  it('says that an ad set paused by someone else stays paused, what its countries lose, and which floor is then not held', () => {
    const floored = new Set(['ES']);
    expect(pausedNote({ key: 'ES', countries: ['ES'], budgetMinor: 3_500 }, floored)).toEqual({
      kind: 'paused',
      field: 'status',
      message: "paused outside the optimizer (in Ads Manager, say) after it last left it ACTIVE: it stays paused, holding the split's targeting and budget for when it is activated, so ES gets none of the 3500 minor units a day the split gives this ad set until then; the floor of ES is not held meanwhile",
    });
    expect(pausedNote({ key: POOL_KEY, countries: ['AR', 'CL'], budgetMinor: 900 }, floored).message).toMatch(/so AR, CL get none of the 900 minor units a day the split gives this ad set until then$/);
  });
  it('says where the split cannot be applied that Meta decides each country\'s spend, and which floors are then not guaranteed', () => {
    expect(unsplitNote(decision({ ES: 3_500, MX: 6_500 }), 'campaign_budget', new Set(['ES']))).toEqual({
      kind: 'budget',
      field: 'targeting.geo_locations',
      message: "the split's budgets for 2 countries are not applied: the campaign uses Advantage campaign budget, so one ad set delivers them all and Meta's delivery decides each one's spend; the floor of ES is not guaranteed",
    });
    expect(unsplitNote(decision({ FR: 3_500, MX: 6_500 }), 'lifetime_budget', new Set(['ES']))!.message).toBe("the split's budgets for 2 countries are not applied: the ad set has a lifetime budget, so one ad set delivers them all and Meta's delivery decides each one's spend");
    expect(unsplitNote(decision({ ES: 10_000, MX: 0 }), 'campaign_budget', new Set(['ES']))).toBeNull();
  });
  it('one country is one group', () => {
    expect(countryGroups(decision({ ES: 5_000 }), 1_000)).toEqual([{ key: 'ES', countries: ['ES'], budgetMinor: 5_000 }]);
  });
});

describe('splitSteps', () => {
  const source = { adsetId: 'A', name: 'Prospecting' };
  it('without a split, one group updates the original', () => {
    expect(splitSteps(source, [{ key: 'ES', countries: ['ES'], budgetMinor: 10 }], [])).toEqual([{ kind: 'update', adsetId: 'A', group: { key: 'ES', countries: ['ES'], budgetMinor: 10 } }]);
  });
  it('a first split: the original takes the largest group, the others are copies named by group', () => {
    const groups = countryGroups(decision({ MX: 1_000, ES: 5_000, AR: 400 }), 1_000);
    const steps = splitSteps(source, groups, []);
    expect(steps.map((s) => [s.kind, s.kind === 'create' ? s.name : s.kind === 'update' ? s.adsetId : '', s.kind === 'retire' ? s.groupKey : s.group.key])).toEqual([
      ['create', 'Prospecting [geo MX]', 'MX'],
      ['update', 'A', 'ES'],
      ['create', 'Prospecting [geo pool]', POOL_KEY],
    ]);
  });
  it('a later split finds its ad sets again, creates only new groups and retires groups that are gone', () => {
    const groups = countryGroups(decision({ ES: 5_000, FR: 2_000 }), 1_000);
    const steps = splitSteps(source, groups, [{ groupKey: 'ES', adsetId: 'A' }, { groupKey: 'MX', adsetId: 'B' }, { groupKey: POOL_KEY, adsetId: 'C' }]);
    expect(steps).toEqual([
      { kind: 'update', adsetId: 'A', group: groups[0] },
      { kind: 'create', group: groups[1], name: splitName('Prospecting', 'FR') },
      { kind: 'retire', adsetId: 'B', groupKey: 'MX' },
      { kind: 'retire', adsetId: 'C', groupKey: POOL_KEY },
    ]);
  });
  it('the original whose group is gone while every group is held takes the largest from its copy, which is retired', () => {
    const groups = countryGroups(decision({ FR: 2_000, MX: 1_500 }), 1_000);
    const steps = splitSteps(source, groups, [{ groupKey: 'ES', adsetId: 'A' }, { groupKey: 'FR', adsetId: 'B' }, { groupKey: 'MX', adsetId: 'C' }]);
    expect(steps).toEqual([
      { kind: 'update', adsetId: 'A', group: groups[0] },
      { kind: 'update', adsetId: 'C', group: groups[1] },
      { kind: 'retire', adsetId: 'B', groupKey: 'FR' },
    ]);
  });
  it('the original whose group is gone takes a new group instead of being retired', () => {
    const groups = countryGroups(decision({ FR: 2_000, MX: 1_500 }), 1_000);
    const steps = splitSteps(source, groups, [{ groupKey: 'ES', adsetId: 'A' }, { groupKey: 'MX', adsetId: 'B' }]);
    expect(steps).toEqual([
      { kind: 'update', adsetId: 'A', group: groups[0] },
      { kind: 'update', adsetId: 'B', group: groups[1] },
    ]);
  });
});

describe('the learning phase at a budget', () => {
  const cpc = new Map<string, number | null>([['ES', 50], ['MX', 20], ['AR', null]]);
  it('expects each country\'s budget over its cost per click, times the conversion rate, for 7 days', () => {
    // 5,000 / 50 + 1,000 / 20 = 150 clicks a day; 2 % convert: 3 a day, 21 a week.
    expect(weeklyConversions([{ country: 'ES', amountMinor: 5_000 }, { country: 'MX', amountMinor: 1_000 }], cpc, 0.02)).toBeCloseTo(21, 9);
    // A funded country whose cost per click the window does not know: no estimate; an unfunded one does not count.
    expect(weeklyConversions([{ country: 'ES', amountMinor: 5_000 }, { country: 'AR', amountMinor: 100 }], cpc, 0.02)).toBeNull();
    expect(weeklyConversions([{ country: 'ES', amountMinor: 5_000 }, { country: 'AR', amountMinor: 0 }], cpc, 0.02)).toBeCloseTo(14, 9);
  });
  it('notes an ad set optimising for purchases that is expected under the events ending learning, and nothing else', () => {
    expect(learningNote('OFFSITE_CONVERSIONS', 21)).toEqual({ kind: 'learning', field: 'daily_budget', message: expect.stringMatching(/^about 21 conversions a week expected at this budget .* under the 50 that end Meta's learning phase/) });
    expect(learningNote('VALUE', LEARNING_EVENTS_A_WEEK - 1)).not.toBeNull();
    expect(learningNote('OFFSITE_CONVERSIONS', LEARNING_EVENTS_A_WEEK)).toBeNull();
    expect(learningNote('LINK_CLICKS', 3)).toBeNull();
    expect(learningNote(null, 3)).toBeNull();
    expect(learningNote('OFFSITE_CONVERSIONS', null)).toBeNull();
  });
});
