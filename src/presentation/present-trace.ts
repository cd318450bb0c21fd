// The reasoning's typed events in the specification's words: each event becomes the trace line
// (step, decision, numbers) the document has always shown, rounded as it always was.
import type { LeftOutEvent, TypedTraceEvent } from '../engine/trace-events.ts';
import type { TraceEvent } from '../engine/types.ts';
import type { TraceEntryDocument } from './recommendation-document.ts';

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function presentTraceEvent(event: TraceEvent): TraceEntryDocument {
  return 'kind' in event ? presentTyped(event) : { step: event.step, decision: event.decision, numbers: event.numbers };
}

function presentTyped(e: TypedTraceEvent): TraceEntryDocument {
  switch (e.kind) {
    case 'budget':
      return {
        step: 'budget',
        decision: `ad set gets ${e.adsetBudgetMinor} of ${e.campaignBudgetMinor} minor units`,
        numbers: { adset_spend_minor: e.adsetSpendMinor, campaign_spend_minor: e.campaignSpendMinor, share: round(e.share, 4), rule: e.bySpend ? 'share of spend in the window' : 'equal split: no spend in the window' },
      };
    case 'scores':
      return {
        step: 'scores',
        decision: `scored ${e.segments} segments, ${e.fatigued} fatigued`,
        numbers: { prior_ctr: e.priors.ctr, prior_cvr: e.priors.cvr, prior_roas: e.priors.roas, prior_strength: e.priors.strength },
      };
    case 'frequency':
      return {
        step: 'frequency',
        decision: e.lowered ? `cap lowered to ${e.cap} per ${e.windowDays} days: audience shows wear` : `cap ${e.cap} per ${e.windowDays} days (configured default)`,
        numbers: {
          recent_daily_frequency: e.recentDailyFrequency === null ? null : round(e.recentDailyFrequency, 2),
          frequency_limit: e.frequencyLimit,
          fatigued_spend_share: round(e.fatiguedSpendShare, 3),
          fatigued_spend_share_limit: e.fatiguedSpendShareLimit,
        },
      };
    case 'lookalikes.none':
      return e.sourceAudienceId === null
        ? { step: 'lookalikes', decision: 'none: no custom audience to use as a source', numbers: { max: e.max } }
        : { step: 'lookalikes', decision: 'none: no recommended countries to build lookalikes in', numbers: { source_audience_id: e.sourceAudienceId, max: e.max } };
    case 'lookalikes.proposed':
      return { step: 'lookalikes', decision: `proposed ${e.name}`, numbers: { source_audience_id: e.sourceAudienceId, source_size: e.sourceSize, ratio: e.ratio, countries: e.countryCodes.join('+') } };
    case 'lookalikes.limit':
      return { step: 'lookalikes', decision: `stopped at ${e.max} of ${e.ratios} ratios (limit)`, numbers: { max: e.max } };
    case 'special_ad_categories.unlimited':
      return {
        step: 'special_ad_categories',
        decision: `${e.category}: no audience limits from this category (${e.known ? 'Meta asks for an authorisation and a "Paid for by" disclaimer instead' : 'not a category the engine knows limits for'})`,
        numbers: { categories: e.category },
      };
    case 'special_ad_categories.left_out':
      return presentLeftOut(e);
  }
}

function presentLeftOut(e: LeftOutEvent): TraceEntryDocument {
  const step = 'special_ad_categories';
  const why = `${e.categories.join(', ')} forbid${e.categories.length === 1 ? 's' : ''}`;
  const categories = e.categories.join(',');
  switch (e.what) {
    case 'age':
      return { step, decision: `age ${e.ageMin}-${e.ageMax} instead of ${e.dataAgeMin}-${e.dataAgeMax}: ${why} age narrowing`, numbers: { categories, age_min: e.ageMin, age_max: e.ageMax, data_age_min: e.dataAgeMin, data_age_max: e.dataAgeMax } };
    case 'gender':
      return { step, decision: `all genders instead of ${e.dataGender}: ${why} a gender choice`, numbers: { categories, data_gender: e.dataGender } };
    case 'behaviors':
      return { step, decision: `${e.count} behaviors left out: ${why} behavior targeting`, numbers: { categories, behaviors_left_out: e.count } };
    case 'lookalikes':
      return { step, decision: `${e.count} lookalikes left out: ${why} lookalike audiences`, numbers: { categories, lookalikes_left_out: e.count } };
    case 'exclusions':
      return { step, decision: `no exclusions: ${why} excluding audiences or locations, so none is recommended and none may be carried over`, numbers: { categories } };
  }
}
