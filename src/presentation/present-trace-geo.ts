// The trace lines of the `bayes` budget split (held-out check, trust region, limits, each country's
// amount) in the specification's words and roundings.
import type { GeoCandidate } from '../engine/geo-value.ts';
import type {
  CurveResponseEvent,
  FTest,
  GeoCheckEvent,
  LevelShrinkageEvent,
  MinBudgetEvent,
  RelaxedEvent,
  SplitBounds,
  SplitLimitsEvent,
  TrustBoundEvent,
  TrustRegionEvent,
  ValueResponseEvent,
} from '../engine/trace-events.ts';
import type { TraceEntryDocument } from './recommendation-document.ts';

const r3 = (x: number) => Number(x.toFixed(3));
const r4 = (x: number) => Number(x.toFixed(4));
const CANDIDATE_LABELS: Record<GeoCandidate, string> = { value_response: 'value response', constant_roas: 'constant ROAS', specification: "specification's split" };

export function presentGeoCheck(e: GeoCheckEvent): TraceEntryDocument {
  const step = 'geo.check';
  const where = e.pooledAdsets > 1 ? ` (checked on the campaign's countries, its ${e.pooledAdsets} ad sets pooled)` : '';
  const base = { chosen: e.chosen, value: e.unit, pooled_adsets: e.pooledAdsets };
  if (!e.possible) return { step, decision: `held-out check not possible${where}: ${e.why}; the specification's split is used`, numbers: base };
  const label = CANDIDATE_LABELS;
  const why = e.imposed ? ' (imposed by the caller)' : e.chosen === 'specification' ? ' (no model predicted better than the specification)' : '';
  return {
    step,
    decision: `${where ? `${where.slice(2, -1)}: ` : ''}each candidate predicted every country's ${e.unit} on each of the last ${e.heldOutDays} days (from ${e.firstHeldOut}) from the days before it, at the spends that happened; held-out error (how far each country's predicted share of that ${e.unit} is from its actual share, 0..1): ${e.errors.map((c) => `${label[c.candidate]} ${c.error.toFixed(3)}`).join(', ')}; ${label[e.chosen]} used${why} (the best among those no worse than the specification; errors within ${e.errorTie} or two standard errors of their difference over resampled held-out days count as equal, resolved toward the earlier of value response, constant ROAS, specification)`,
    numbers: {
      ...base,
      train_days: e.trainDays,
      held_out_days: e.heldOutDays,
      first_held_out_day: e.firstHeldOut,
      held_out_actual: e.actualMinor,
      ...Object.fromEntries(e.errors.map((c) => [`error_${c.candidate}`, r4(c.error)])),
      ...Object.fromEntries(e.errors.filter((c) => c.seOfDifference !== null).map((c) => [`se_of_difference_${c.candidate}_vs_${e.chosen}`, r4(c.seOfDifference!)])),
    },
  };
}

export function presentLevelShrinkage(e: LevelShrinkageEvent): TraceEntryDocument {
  const target = e.towardCampaign ? "its value relative to the campaign's other countries" : 'the value of all countries pooled';
  const orders = e.orderValue === null ? '' : e.orderValue.days > 0
    ? `; single order values spread by ${Math.round(Math.sqrt(e.orderValue.cv2) * 100)} % of their mean, measured on ${e.orderValue.days} country-days`
    : '; single order values taken to spread by 100 % of their mean (too few days with purchases and revenue to measure it)';
  return {
    step: 'geo.levels',
    decision: `each country's value per unit of spend is shrunk toward ${target}, keeping the share of its own difference its evidence earns: ${e.countries.map((c) => `${c.countryCode} ${Math.round(c.kept * 100)} %`).join(', ')}${orders}`,
    numbers: {
      between_country_variance: Number(e.betweenVariance.toPrecision(4)),
      order_value_cv2: e.orderValue === null ? null : r3(e.orderValue.cv2),
      order_value_days: e.orderValue === null ? null : e.orderValue.days,
      ...Object.fromEntries(e.countries.flatMap((c) => [[`${c.countryCode}_kept`, r3(c.kept)], [`${c.countryCode}_value_per_minor`, Number(c.valuePerMinor.toPrecision(4))]])),
    },
  };
}

export function presentTrustRegion(e: TrustRegionEvent): TraceEntryDocument {
  return {
    step: 'geo.trust',
    decision: `trust region: each country at most ${e.multiple}× its highest daily spend in the window, a country never funded at most ${e.newCountryShare * 100} % of the budget${e.restMinor > 0 ? `; those ceilings hold ${e.totalMinor - e.restMinor} of ${e.totalMinor} minor units, so the other ${e.restMinor} raise the ceilings of the countries with history in proportion to their spend in the window` : ''}`,
    numbers: { trust_multiple: e.multiple, new_country_share: e.newCountryShare, rest_placed_by_history_minor: e.restMinor, ...Object.fromEntries(e.ceilings.map((c) => [`${c.countryCode}_ceiling_minor`, c.maxMinor])) },
  };
}

export function presentTrustBound(e: TrustBoundEvent): TraceEntryDocument {
  return {
    step: 'geo.trust_bound',
    decision: e.limits === 'all'
      ? e.held.length === 0
        ? "the specification's split is within every limit above"
        : `the specification's split is held to the limits above for ${e.held.map((a) => a.countryCode).join(', ')}: each country as near its amount as they allow, the rest shared in proportion to the amounts`
      : e.held.length === 0
      ? "the specification's split is within every country's trust ceiling (its share limits, minimum budget and change limit do not apply to it)"
      : `the specification's split is held under the trust ceilings of ${e.held.map((a) => a.countryCode).join(', ')}: what they lose goes to the others with room, in proportion to their amounts (its share limits, minimum budget and change limit do not apply to it)`,
    numbers: Object.fromEntries(e.held.map((a) => [`${a.countryCode}_held_at_minor`, a.amountMinor])),
  };
}

const boundsDecision = (code: string, amountMinor: number, marginalReturn: number, b: SplitBounds) =>
  `${code}: ${amountMinor} minor units where the next unit returns ${marginalReturn.toFixed(3)}; bounds ${b.lowerMinor}–${b.upperMinor}${b.binding === null ? '' : `, held by ${b.binding}`}`;

const boundsNumbers = (b: SplitBounds) => ({ lower_minor: b.lowerMinor, lower_by: b.lowerBy, upper_minor: b.upperMinor, upper_by: b.upperBy, binding: b.binding });

export function presentValueResponse(e: ValueResponseEvent): TraceEntryDocument {
  const c = e.curve;
  return {
    step: 'geo.response',
    decision: boundsDecision(e.countryCode, e.amountMinor, e.marginalReturn, e.bounds),
    numbers: {
      country: e.countryCode,
      model: CANDIDATE_LABELS[e.model],
      ...(c ? {
        impressions_curve: c.fitted ? 'fitted' : 'borrowed (too little spend variation to fit)',
        saturation_minor: Math.round(c.saturationMinor),
        value_bend: r4(c.bend),
        value_bend_own: c.ownBend,
        value_bend_shared: c.sharedBend,
        fit_relative_error: c.fitRelativeError === null ? null : r3(c.fitRelativeError),
        ...fTestNumbers('value_bend_shared', c.sharedTest),
        ...fTestNumbers('value_bend_own', c.ownTest),
        ...fTestNumbers('day_cost_swing', c.dayCostTest),
      } : { value_per_minor: Number(e.valuePerMinor.toPrecision(4)) }),
      marginal_return: r4(e.marginalReturn),
      expected_value: Math.round(e.expectedValue),
      ...(e.interval === null ? {} : { expected_value_90_low: Math.max(0, Math.round(e.interval.low)), expected_value_90_high: Math.round(e.interval.high) }),
      highest_daily_spend_minor: e.highestDailySpendMinor,
      ...boundsNumbers(e.bounds),
    },
  };
}

/** An F test's numbers (a value bend, the days' cost swing): whether the days show it (F against its 5 % critical value); none before the test existed. */
function fTestNumbers(prefix: string, test: FTest | null | undefined): Record<string, number | boolean | null> {
  if (test === undefined) return {};
  if (test === null) return { [`${prefix}_shown`]: false, [`${prefix}_f`]: null };
  return { [`${prefix}_shown`]: test.shown, [`${prefix}_f`]: r3(test.f), [`${prefix}_f_critical`]: r3(test.critical) };
}

export function presentCurveResponse(e: CurveResponseEvent): TraceEntryDocument {
  return {
    step: 'geo.response',
    decision: boundsDecision(e.countryCode, e.amountMinor, e.marginalReturn, e.bounds),
    numbers: {
      country: e.countryCode,
      curve: e.fitted ? 'fitted' : 'prior (too little spend variation to fit)',
      capacity_impressions: Math.round(e.capacityImpressions),
      saturation_minor: Math.round(e.saturationMinor),
      fit_relative_error: e.fitRelativeError === null ? null : r3(e.fitRelativeError),
      value_per_1000_impressions_minor: Number((e.valuePerImpression * 1000).toFixed(2)),
      marginal_return: r4(e.marginalReturn),
      expected_revenue_minor: Math.round(e.expectedRevenueMinor),
      expected_revenue_90_low_minor: Math.max(0, Math.round(e.revenueLowMinor)),
      expected_revenue_90_high_minor: Math.round(e.revenueHighMinor),
      interval_covers: e.fitted ? 'value per impression and curve level' : 'value per impression only (prior curve)',
      outside_fitted_spends: e.outsideFittedSpends,
      ...boundsNumbers(e.bounds),
    },
  };
}

export function presentSplitLimits(e: SplitLimitsEvent): TraceEntryDocument {
  const { wanted, used } = e;
  const parts: string[] = ['Spain\'s floor'];
  if (wanted.shares) parts.push(used.shares ? 'share limits' : 'share limits (relaxed)');
  if (wanted.trust) parts.push(used.trust ? 'the trust region' : 'the trust region (relaxed)');
  if (wanted.minBudget) parts.push(used.minBudget ? `a minimum of ${e.minBudgetMinor} minor units per funded country` : 'the minimum budget (relaxed)');
  if (wanted.changePct !== null) parts.push(used.changePct === wanted.changePct ? `±${wanted.changePct} % of ${previousSplitName(e.previousFrom)} ${e.previous === 'as_applied' ? 'as applied' : 'rescaled to this budget'}` : `the change limit (relaxed to ${used.changePct === null ? 'off' : `±${used.changePct} %`})`);
  else if (e.previous === 'none') parts.push('no change limit (first run for this ad set)');
  else if (e.previous === 'not_offered') parts.push('no change limit (no country of the previous split is offered now)');
  else parts.push('no change limit (set to 100 %)');
  return {
    step: 'geo.limits',
    decision: `split bounded by ${parts.join(', ')}`,
    numbers: {
      spain_floor_minor: e.spainFloorMinor,
      share_limits: [...e.shareLimits].sort((a, b) => a.countryCode.localeCompare(b.countryCode)).map((l) => `${l.countryCode}:${l.minPct}-${l.maxPct}`).join(',') || null,
      share_limits_in_force: used.shares,
      // Only where a trust region was asked for: the trace of engine version 5's split stays as it was.
      ...(e.trustAsked ? { trust_region_in_force: used.trust } : {}),
      min_budget_minor: e.minBudgetMinor,
      min_budget_in_force: used.minBudget,
      max_change_pct: e.maxChangePct,
      change_pct_in_force: used.changePct,
      previous_total_minor: e.previousTotalMinor,
      // Only on a first run held to the history's split: other traces stay as they were.
      ...(e.previousFrom === undefined ? {} : { previous_from: e.previousFrom }),
      // Only where the change limit held against the amounts as applied: other traces stay as they were.
      ...(e.previous === 'as_applied' ? { change_limit_against: 'as_applied' } : {}),
    },
  };
}

export function presentMinBudget(e: MinBudgetEvent): TraceEntryDocument {
  const { countryCode: code, amountMinor: amount, minBudgetMinor: m } = e;
  const numbers = { country: code, amount_minor: amount, min_budget_minor: m, action: e.action };
  if (e.action === 'dropped') return { step: 'geo.min_budget', decision: `${code} would get ${amount} minor units, under the minimum budget of ${m}: dropped, and the split solved again`, numbers };
  const why = code === 'ES' ? 'Spain is never dropped' : 'the other countries cannot absorb its budget';
  return { step: 'geo.min_budget', decision: `${code} would get ${amount} minor units, under the minimum budget of ${m}; ${why}: raised to the minimum, and the split solved again`, numbers };
}

export function presentRelaxed(e: RelaxedEvent): TraceEntryDocument {
  const line = (country: string | null, relaxed: string, decision: string): TraceEntryDocument => ({ step: 'geo.relaxed', decision, numbers: { country, relaxed } });
  switch (e.what) {
    case 'share_max_under_floor':
      return line(e.countryCode, 'share_max', `${e.countryCode}'s maximum share (${e.maxMinor} minor units) is below Spain's floor (${e.floorMinor}): the floor wins`);
    case 'trust_under_lower':
      return line(e.countryCode, e.by, `${e.countryCode}'s trust ceiling (${e.ceilingMinor} minor units) is below its ${e.lowerBy === 'spain_floor' ? 'floor' : 'minimum share'} (${e.lowerMinor}): it gets exactly that`);
    case 'min_budget_box':
      return line(e.countryCode, 'min_budget', `${e.countryCode} must get ${e.lowerMinor}–${e.upperMinor} minor units (${e.lowerBy}, ${e.upperBy}): below the minimum budget of ${e.minBudgetMinor}, which gives way`);
    case 'change_window':
      return line(e.countryCode, 'change', `${e.countryCode}'s change window ${e.windowLowMinor}–${e.windowHighMinor} misses its bounds ${e.lowerMinor}–${e.upperMinor} set by higher-priority limits: the change limit gives way for ${e.countryCode}`);
    case 'change_limit':
      return line(null, 'change', e.usedPct === null
        ? `the countries' bounds cannot sum to ${e.totalMinor} minor units within ±${e.wantedPct} % of ${previousSplitName(e.previousFrom)}: the change limit is off for this run`
        : `the countries' bounds cannot sum to ${e.totalMinor} minor units within ±${e.wantedPct} % of ${previousSplitName(e.previousFrom)}: widened to ±${e.usedPct} % for this run`);
    case 'min_budget':
      return line(null, 'min_budget', `the countries cannot all get 0 or at least ${e.minBudgetMinor} minor units within the higher-priority limits: the minimum budget is dropped for this run`);
    case 'trust':
      return line(null, 'trust', `the trust ceilings cannot hold ${e.totalMinor} minor units within the share limits: the trust region is dropped for this run`);
    case 'shares':
      return line(null, 'share', `the share limits cannot be met with Spain's floor by the countries of this ad set (the bounds do not sum to ${e.totalMinor} minor units): they are dropped for this run`);
  }
}

function previousSplitName(from: 'history' | undefined): string {
  return from === 'history' ? "the history's split (first run: the window's spend by country)" : 'the previous split';
}
