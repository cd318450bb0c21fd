// The engine's decision for one ad set (stored with its recommendation) as the narrow decision the
// Meta ad set mapping takes. Both are camelCase and in minor units: nothing is converted back from
// the API document.
import type { Decision } from '../engine/types.ts';
import type { TargetingDecision } from '../meta/targeting-spec.ts';

/**
 * Lookalikes are proposals (a source audience and a ratio), not audiences Meta has yet: they are
 * created by their own step, and until then the decision targets none (the apply passes the ones
 * Meta has made ready).
 */
export function targetingDecisionOf(d: Decision, advantageAudience: 0 | 1, readyLookalikes: { id: string; name: string }[] = []): TargetingDecision {
  return {
    countries: d.countries.map((c) => c.countryCode),
    countryBudgetsMinor: d.countries.map((c) => ({ country: c.countryCode, amountMinor: c.amountMinor })),
    ageMin: d.ageMin,
    ageMax: d.ageMax,
    gender: d.gender,
    interests: d.interests.map((s) => ({ id: s.segmentId, name: s.segmentName })),
    behaviors: d.behaviors.map((s) => ({ id: s.segmentId, name: s.segmentName })),
    customAudiences: d.customAudiences.map((a) => ({ id: a.audienceId, name: a.name })),
    lookalikeAudiences: readyLookalikes.map((l) => ({ ...l })),
    frequencyCap: d.frequencyCap.impressions > 0 && d.frequencyCap.windowDays > 0 ? { maxFrequency: d.frequencyCap.impressions, intervalDays: d.frequencyCap.windowDays } : null,
    advantageAudience,
  };
}
