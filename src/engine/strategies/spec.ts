// The specification's strategy (`spec`, formerly `seed`): its formulas exactly, byte for byte as
// they have always decided (src/engine/seed-strategy-identity.test.ts).
import { chooseDemographics } from '../audience.ts';
import { allocateBudget } from '../geo.ts';
import { scoreTable, confidenceFromImpressions, smoothedRates } from '../scoring.ts';
import { minorDigits } from '../money.ts';
import type { EngineSettings, Metrics } from '../types.ts';
import type { EvidenceCoverage, SpecExpectedEvent } from '../trace-events.ts';
import type { AdSetExpectInput, DecisionStrategy, Expected } from './strategy.ts';

export const specStrategy: DecisionStrategy = {
  score: (snapshot, adset, settings) => ({ scores: scoreTable(adset.segments, settings, 10 ** minorDigits(snapshot.currency)), judged: null }),
  forCampaign: ({ snapshot, settings }) => {
    const minorPerMajor = 10 ** minorDigits(snapshot.currency);
    return {
      split: ({ budgetMinor, countryScores }) => allocateBudget(budgetMinor, countryScores, settings.spainMinPct),
      choose: (adset, scores) => ({ ranked: scores, ratePriors: null, histories: { recovery: adset.segments, draws: adset.segments }, trace: [] }),
      expect: (input) => specExpected(input, settings, minorPerMajor),
      demographics: (adset) => chooseDemographics(adset.demographics, settings, minorPerMajor),
    };
  },
};

/**
 * The specification's expected rates: the budget-weighted smoothed rates of the chosen countries,
 * or the ad set's own smoothed totals without a country breakdown; confidence from impressions
 * times the evidence coverage.
 */
export function specExpected({ adset, allocations, scoreOf, hasCountryData }: AdSetExpectInput, settings: EngineSettings, minorPerMajor: number): Expected & { trace: SpecExpectedEvent } {
  const coverage = evidenceCoverage(adset.total);
  if (!hasCountryData) {
    const rates = smoothedRates(adset.total, settings.priors, minorPerMajor);
    const confidence = confidenceFromImpressions(adset.total.impressions) * coverage.share;
    return {
      ...rates,
      confidence,
      trace: { kind: 'expected.spec', byCountry: false, impressions: adset.total.impressions, coverage, confidence },
    };
  }
  const total = allocations.reduce((a, b) => a + b.amountMinor, 0);
  let ctr = 0;
  let cvr = 0;
  let roas = 0;
  let confidence = 0;
  for (const a of allocations) {
    const w = total > 0 ? a.amountMinor / total : 0;
    const s = scoreOf(a.countryCode);
    ctr += w * s.smoothedCtr;
    cvr += w * s.smoothedCvr;
    roas += w * s.smoothedRoas;
    confidence += w * s.confidence;
  }
  confidence *= coverage.share;
  return {
    ctr,
    cvr,
    roas,
    confidence,
    trace: { kind: 'expected.spec', byCountry: true, ctr, cvr, roas, coverage, confidence },
  };
}

/**
 * The specification's confidence counts impressions only, so an account that never reports revenue
 * got 0.95 while its expected ROAS was nothing but the prior. The share of the decision that rests
 * on observed metrics, by the composite's own weights (CTR 0.25, CVR 0.40, ROAS 0.35), scales it:
 * no revenue → at most 0.65 of the impression confidence; no click with known conversions either → 0.25.
 */
export function evidenceCoverage(m: Metrics): EvidenceCoverage {
  const cvrObserved = m.clicksWithConversions > 0;
  const roasObserved = m.spendWithRevenueMinor > 0;
  let share = m.impressions > 0 ? 0.25 : 0;
  if (cvrObserved) share += 0.4;
  if (roasObserved) share += 0.35;
  return { share, cvrObserved, roasObserved };
}
