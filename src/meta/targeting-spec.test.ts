import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMajor } from '../engine/money.ts';
import type { WireTargeting } from './graph.ts';
import { adSetUpdateFor, decisionBudgetMinor, updateDiff, type CampaignRules, type CurrentAdSet, type TargetingDecision } from './targeting-spec.ts';

const decision: TargetingDecision = {
  countries: ['ES', 'PT'],
  countryBudgetsMinor: [{ country: 'ES', amountMinor: 3_001 }, { country: 'PT', amountMinor: 1_999 }],
  ageMin: 25,
  ageMax: 44,
  gender: 'female',
  interests: [{ id: '6003107902433', name: 'Running' }],
  behaviors: [{ id: '6002714895372', name: 'Frequent travellers' }],
  customAudiences: [{ id: '23850000000000001', name: 'Buyers 180d' }],
  lookalikeAudiences: [{ id: '23850000000000002', name: 'LAL 1% ES' }],
  frequencyCap: { maxFrequency: 3, intervalDays: 7 },
  advantageAudience: 0,
};

const currentTargeting: WireTargeting = {
  geo_locations: { countries: ['ES'], location_types: ['home', 'recent'] },
  age_min: 18,
  age_max: 65,
  genders: [1],
  locales: [23, 7],
  publisher_platforms: ['facebook', 'instagram'],
  excluded_custom_audiences: [{ id: '23850000000000009', name: 'Staff' }],
  excluded_geo_locations: { countries: ['AD'] },
  interests: [{ id: '600', name: 'Old top-level interest' }],
  targeting_automation: { advantage_audience: 1, individual_setting: { age: 1 } },
};

const current: CurrentAdSet = { id: '120000000000001', optimizationGoal: 'OFFSITE_CONVERSIONS', targeting: currentTargeting, dailyBudgetMinor: 4_000, lifetimeBudgetMinor: null };
const plain: CampaignRules = { specialAdCategories: [], budgetMode: 'adset' };

describe('adSetUpdateFor', () => {
  it('maps every decided field onto Meta targeting and the budget in minor units', () => {
    const { body, notes } = adSetUpdateFor(decision, current, plain);
    expect(body.targeting.geo_locations).toEqual({ countries: ['ES', 'PT'], location_types: ['home', 'recent'] });
    expect([body.targeting.age_min, body.targeting.age_max, body.targeting.genders]).toEqual([25, 44, [2]]);
    expect(body.targeting.flexible_spec).toEqual([{ interests: [{ id: '6003107902433', name: 'Running' }], behaviors: [{ id: '6002714895372', name: 'Frequent travellers' }] }]);
    expect(body.targeting.custom_audiences).toEqual([{ id: '23850000000000001', name: 'Buyers 180d' }, { id: '23850000000000002', name: 'LAL 1% ES' }]);
    expect(body.targeting.targeting_automation).toEqual({ advantage_audience: 0, individual_setting: { age: 1 } });
    expect(body.daily_budget).toBe('5000');
    // The goal does not accept a frequency cap: advisory, not sent, and said.
    expect(body.frequency_control_specs).toBeUndefined();
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'advisory', field: 'frequency_control_specs' }));
    // Top-level interests of an older spec are replaced by flexible_spec, not kept beside it.
    expect(body.targeting.interests).toBeUndefined();
  });

  it('carries over what the decision does not decide, and never changes its input', () => {
    const before = JSON.stringify(current);
    const { body } = adSetUpdateFor(decision, current, plain);
    expect(body.targeting.locales).toEqual([23, 7]);
    expect(body.targeting.publisher_platforms).toEqual(['facebook', 'instagram']);
    expect(body.targeting.excluded_custom_audiences).toEqual([{ id: '23850000000000009', name: 'Staff' }]);
    expect(body.targeting.excluded_geo_locations).toEqual({ countries: ['AD'] });
    expect(JSON.stringify(current)).toBe(before);
  });

  it('sends frequency_control_specs for REACH and THRUPLAY only', () => {
    for (const goal of ['REACH', 'THRUPLAY']) {
      expect(adSetUpdateFor(decision, { ...current, optimizationGoal: goal }, plain).body.frequency_control_specs).toEqual([{ event: 'IMPRESSIONS', interval_days: 7, max_frequency: 3 }]);
    }
  });

  it('sends no ad set budget under a campaign budget or beside a lifetime budget, and says why', () => {
    const cbo = adSetUpdateFor(decision, current, { ...plain, budgetMode: 'campaign' });
    expect(cbo.body.daily_budget).toBeUndefined();
    expect(cbo.notes).toContainEqual(expect.objectContaining({ kind: 'budget', field: 'daily_budget' }));
    const lifetime = adSetUpdateFor(decision, { ...current, lifetimeBudgetMinor: 100_000 }, plain);
    expect(lifetime.body.daily_budget).toBeUndefined();
  });

  it('with Advantage+ audience on, sets it explicitly and names the fields Meta treats as suggestions', () => {
    const { body, notes } = adSetUpdateFor({ ...decision, advantageAudience: 1, ageMin: 30 }, current, plain);
    expect(body.targeting.targeting_automation?.advantage_audience).toBe(1);
    expect(notes.filter((n) => n.kind === 'suggestion').map((n) => n.field).sort()).toEqual(['age_max', 'age_min', 'custom_audiences', 'flexible_spec', 'genders']);
  });

  for (const category of ['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES']) {
    it(`a ${category} campaign never gets age narrowing, gender, behaviors, lookalikes or exclusions, and says so`, () => {
      const { body, notes } = adSetUpdateFor(decision, current, { specialAdCategories: [category], budgetMode: 'adset' });
      const t = body.targeting;
      expect([t.age_min, t.age_max]).toEqual([18, 65]);
      expect(t.genders).toBeUndefined();
      expect(t.flexible_spec).toEqual([{ interests: [{ id: '6003107902433', name: 'Running' }] }]);
      expect(t.custom_audiences).toEqual([{ id: '23850000000000001', name: 'Buyers 180d' }]);
      expect(t.excluded_custom_audiences).toBeUndefined();
      expect(t.excluded_geo_locations).toBeUndefined();
      expect(notes.filter((n) => n.kind === 'forbidden').map((n) => n.field).sort()).toEqual(['age_min/age_max', 'behaviors', 'excluded_custom_audiences', 'excluded_geo_locations', 'genders', 'lookalikes']);
    });
  }

  it('a politics campaign keeps its targeting choices (its rules are not targeting fields)', () => {
    const { body } = adSetUpdateFor(decision, current, { specialAdCategories: ['ISSUES_ELECTIONS_POLITICS'], budgetMode: 'adset' });
    expect(body.targeting.genders).toEqual([2]);
  });
});

const entity = fc.record({ id: fc.stringMatching(/^\d{6,17}$/), name: fc.string({ maxLength: 20 }) });
const countries = fc.uniqueArray(fc.constantFrom('ES', 'PT', 'FR', 'MX', 'AR', 'CL', 'IT', 'DE'), { minLength: 1, maxLength: 6 });
const arbDecision = countries.chain((cs) =>
  fc.record({
    countries: fc.constant(cs),
    countryBudgetsMinor: fc.tuple(...cs.map((c) => fc.integer({ min: 0, max: 10_000_000 }).map((amountMinor) => ({ country: c, amountMinor })))),
    ageMin: fc.integer({ min: 18, max: 40 }),
    ageMax: fc.integer({ min: 41, max: 65 }),
    gender: fc.constantFrom('all' as const, 'male' as const, 'female' as const),
    interests: fc.array(entity, { maxLength: 5 }),
    behaviors: fc.array(entity, { maxLength: 3 }),
    customAudiences: fc.array(entity, { maxLength: 3 }),
    lookalikeAudiences: fc.array(entity, { maxLength: 3 }),
    frequencyCap: fc.option(fc.record({ maxFrequency: fc.integer({ min: 1, max: 90 }), intervalDays: fc.integer({ min: 1, max: 90 }) }), { nil: null }),
    advantageAudience: fc.constantFrom(0 as const, 1 as const),
  }),
);
const carried = fc.dictionary(fc.constantFrom('locales', 'publisher_platforms', 'device_platforms', 'excluded_custom_audiences', 'excluded_geo_locations', 'income', 'facebook_positions'), fc.jsonValue(), { maxKeys: 5 });

describe('adSetUpdateFor (properties)', () => {
  it('the budget sent is the countries\' minor units summed exactly, and survives the trip through major units', () => {
    fc.assert(
      fc.property(arbDecision, fc.constantFrom('EUR', 'JPY', 'KWD'), (d, currency) => {
        const { body } = adSetUpdateFor(d, current, plain);
        const sum = d.countryBudgetsMinor.reduce((s, b) => s + b.amountMinor, 0);
        expect(decisionBudgetMinor(d)).toBe(sum);
        expect(body.daily_budget).toBe(sum > 0 ? String(sum) : undefined);
        if (body.daily_budget !== undefined) expect(/^\d+$/.test(body.daily_budget)).toBe(true);
        // What the document shows (major units) converts back to the same minor units.
        const digits = currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2;
        for (const b of d.countryBudgetsMinor) expect(Math.round(toMajor(b.amountMinor, currency) * 10 ** digits)).toBe(b.amountMinor);
      }),
    );
  });

  it('every key the decision does not decide is carried over unchanged (outside restricted categories)', () => {
    fc.assert(
      fc.property(arbDecision, carried, (d, extra) => {
        const { body } = adSetUpdateFor(d, { ...current, targeting: { ...extra, geo_locations: { countries: ['ES'] } } }, plain);
        for (const [k, v] of Object.entries(extra)) expect(body.targeting[k]).toEqual(v);
      }),
    );
  });

  it('a restricted category never gets a forbidden field, whatever the decision and the current targeting', () => {
    fc.assert(
      fc.property(arbDecision, carried, fc.constantFrom('HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES'), (d, extra, category) => {
        const lookalikeIds = new Set(d.lookalikeAudiences.map((l) => l.id));
        const customIds = new Set(d.customAudiences.map((c) => c.id));
        const { body } = adSetUpdateFor(d, { ...current, targeting: { ...extra, genders: [1], age_min: 30, flexible_spec: [{ behaviors: [{ id: '1', name: 'b' }] }] } }, { specialAdCategories: [category], budgetMode: 'adset' });
        const t = body.targeting;
        expect([t.age_min, t.age_max]).toEqual([18, 65]);
        expect(t.genders).toBeUndefined();
        expect((t.flexible_spec ?? []).every((f) => f.behaviors === undefined)).toBe(true);
        expect((t.custom_audiences ?? []).every((a) => !lookalikeIds.has(String(a.id)) || customIds.has(String(a.id)))).toBe(true);
        for (const k of ['excluded_custom_audiences', 'excluded_geo_locations', 'income']) expect(t[k]).toBeUndefined();
      }),
    );
  });
});

describe('updateDiff', () => {
  it('lists the changed fields only, budget as Meta\'s strings', () => {
    const { body } = adSetUpdateFor(decision, current, plain);
    const diff = updateDiff({ targeting: current.targeting, dailyBudgetMinor: 4_000 }, body);
    expect(diff.map((d) => d.field)).toContain('daily_budget');
    expect(diff.find((d) => d.field === 'daily_budget')).toEqual({ field: 'daily_budget', before: '4000', after: '5000' });
    expect(diff.map((d) => d.field)).not.toContain('targeting.locales');
    expect(updateDiff({ targeting: body.targeting, dailyBudgetMinor: 5_000 }, body)).toEqual([]);
  });
});
