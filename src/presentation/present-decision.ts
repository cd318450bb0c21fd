// The one presenter: an engine decision → the specification's recommendation document (snake_case,
// money in major units, the reasoning in prose). The API, the CLI and the replay all print and
// store what this returns, so a stored document replays byte for byte from its decision.
import { countryName } from '../engine/geo.ts';
import { minorDigits, toMajor } from '../engine/money.ts';
import type { CustomAudienceChoice, Decision } from '../engine/types.ts';
import { presentTraceEvent, SOURCE_LABELS } from './present-trace.ts';
import type { RecommendationDraftDocument } from './recommendation-document.ts';

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function presentDecision(d: Decision): RecommendationDraftDocument {
  const { currency, budgetMinor } = d;
  const minorPerMajor = 10 ** minorDigits(currency);
  const pctOfBudget = (amountMinor: number) => round((amountMinor / budgetMinor) * 100, 2);
  const spain = d.countries.find((c) => c.countryCode === 'ES');
  const totalBudget = toMajor(budgetMinor, currency);
  return {
    adset_id: d.adsetId,
    campaign_id: d.campaignId,
    countries: d.countries.map((c) => c.countryCode),
    geo_allocations: d.countries.map((c) => ({
      country_code: c.countryCode,
      country_name: countryName(c.countryCode),
      budget_pct: pctOfBudget(c.amountMinor),
      budget_amount: toMajor(c.amountMinor, currency),
      avg_cpc: c.averageCpcMinor === null ? null : round(c.averageCpcMinor / minorPerMajor, 4),
      avg_ctr: c.observedCtr === null ? null : round(c.observedCtr, 5),
      avg_roas: c.observedRoas === null ? null : round(c.observedRoas, 3),
      engagement_score: round(c.weight, 4),
    })),
    age_min: d.ageMin,
    age_max: d.ageMax,
    gender: d.gender,
    interests: d.interests.map((s) => ({ interest_id: s.segmentId, interest_name: s.segmentName, score: s.score, rank: s.rank })),
    behaviors: d.behaviors.map((s) => ({ behavior_id: s.segmentId, behavior_name: s.segmentName, score: s.score, rank: s.rank })),
    custom_audiences: d.customAudiences.map((a) => ({ audience_id: a.audienceId, name: a.name, size: a.size, description: describeCustomAudience(a) })),
    lookalikes: d.lookalikes.map((l) => ({ source_audience_id: l.sourceAudienceId, country_codes: [...l.countryCodes], ratio: l.ratio, name: l.name, description: `Lookalike audience based on ${l.sourceAudienceId}` })),
    frequency_cap: d.frequencyCap.impressions,
    frequency_window_days: d.frequencyCap.windowDays,
    total_budget: totalBudget,
    budget_per_segment: Object.fromEntries(d.countries.map((c) => [c.countryCode, toMajor(c.amountMinor, currency)])),
    reasoning: {
      method: 'bayesian_optimization',
      strategy: d.basis.strategy,
      geo_constraint: `ES_min_${d.basis.spainMinPct}pct`,
      top_interests_count: d.interests.length,
      top_behaviors_count: d.behaviors.length,
      lookalikes_generated: d.lookalikes.length,
      total_budget: totalBudget,
      spain_allocation_pct: spain ? pctOfBudget(spain.amountMinor) : 0,
      currency,
      window: { start: d.basis.window.start, end: d.basis.window.end },
      priors: d.basis.priors,
      trace: d.trace.map(presentTraceEvent),
    },
    expected_ctr: round(d.expected.ctr, 5),
    expected_cvr: round(d.expected.cvr, 5),
    expected_roas: round(d.expected.roas, 3),
    confidence: round(d.expected.confidence, 3),
  };
}

function describeCustomAudience(a: CustomAudienceChoice): string {
  if (a.origin.kind === 'proposed') return `Custom audience: ${SOURCE_LABELS[a.origin.source]} (${a.size} people in the window)`;
  return `Custom audience from history: ${a.name} (${a.size > 0 ? `at least ${a.size} people in the window` : 'size unknown'})`;
}
