// Today's recommendation document (snake_case, money in major units) as the narrow decision the
// ad set mapping takes (camelCase, money in minor units). The one place that crosses between them.
import { minorDigits } from '../engine/money.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import type { TargetingDecision } from '../meta/targeting-spec.ts';

/**
 * The document's budgets are decimal major units already rounded to the currency's digits, so
 * scaling and rounding gives their minor units exactly. Lookalikes are proposals (a source audience
 * and a ratio), not audiences Meta has yet: they are created by their own step, and until then the
 * decision targets none (the apply passes the ones Meta has made ready).
 */
export function decisionOf(r: Recommendation, advantageAudience: 0 | 1, readyLookalikes: { id: string; name: string }[] = []): TargetingDecision {
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
