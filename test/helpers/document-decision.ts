// The reference for the LIVE mapping's input: how the apply once read the Meta mapping's decision
// back from the stored recommendation document (snake_case, major units). The apply now maps the
// engine's stored decision; tests compare the two to show that the requests sent are unchanged.
import { minorDigits } from '../../src/engine/money.ts';
import type { TargetingDecision } from '../../src/meta/targeting-spec.ts';
import type { RecommendationDocument as Recommendation } from '../../src/presentation/recommendation-document.ts';

export function documentDecisionOf(r: Recommendation, advantageAudience: 0 | 1, readyLookalikes: { id: string; name: string }[] = []): TargetingDecision {
  const scale = 10 ** minorDigits(r.reasoning.currency);
  return {
    countries: [...r.countries],
    countryBudgetsMinor: r.geo_allocations.filter((g) => r.countries.includes(g.country_code)).map((g) => ({ country: g.country_code, amountMinor: Math.round(g.budget_amount * scale) })),
    ageMin: r.age_min,
    ageMax: r.age_max,
    gender: r.gender,
    interests: r.interests.map((i) => ({ id: i.interest_id, name: i.interest_name })),
    behaviors: r.behaviors.map((b) => ({ id: b.behavior_id, name: b.behavior_name })),
    customAudiences: r.custom_audiences.map((c) => ({ id: c.audience_id, name: c.name })),
    lookalikeAudiences: readyLookalikes.map((l) => ({ ...l })),
    frequencyCap: r.frequency_cap > 0 && r.frequency_window_days > 0 ? { maxFrequency: r.frequency_cap, intervalDays: r.frequency_window_days } : null,
    advantageAudience,
  };
}
