// The `bayes` strategy's ages and gender: the targeting whose expected value at the ad set's split
// is highest on the countries' own response curves. Narrowing keeps the groups that earn more per
// impression, and leaves fewer people for each country's spend to reach. The narrowed audience is
// read as the whole one scaled down: with a share f of the delivery kept, value and cost per
// impression m_v and m_c times every group's, a country's value at spend s becomes
// f · m_v · R(s / (f · m_c)) on its curve R, so where the curve bends, a small audience saturates
// soon. A narrowing takes effect at once, not in the split's steps, so a targeting is left out where
// it would read a country's curve beyond its highest daily spend in the window (s / (f · m_c) above
// it): past that the curve is extrapolated, not measured. A country with no day of spend in the
// window (Spain's floor or a new country's share funds it) has no measured point at all: narrowing
// is judged on the countries that have one, and the others neither count nor block it. It must
// gain NARROWING_MIN_GAIN over the audience the ad set reached. That audience, the ages and
// genders with delivery in the window, is the baseline: a history holds nothing on the people
// outside it, so the choice never widens beyond it. Without curves (the split fell back to the
// specification's) it is kept: nothing says what narrowing would cost.
import { AGE_BOUNDS, type DemographicChoice } from './audience.ts';
import type { CountryCurve } from './geo-value.ts';
import { addMetrics, emptyMetrics } from './metrics.ts';
import { curveValue } from './response-curve.ts';
import type { DemographicGroupEvent, DemographicTargetingEvent } from './trace-events.ts';
import { AGE_BUCKETS, type AgeBucket, type DemographicHistory, type Metrics } from './types.ts';
import { costPerImpression, fitStrengths, fittedPrior, valuePerImpression } from './value-model.ts';

// Narrowing is an edit of the ad set's targeting, which restarts Meta's learning phase, and it rests
// on a model of reach no row shows: below this expected gain the whole audience stays.
export const NARROWING_MIN_GAIN = 0.03;

type Gender = 'male' | 'female';
/** An ad set's ages and gender, as Meta targets them. */
export type Targeting = Pick<DemographicChoice, 'ageMin' | 'ageMax' | 'gender'>;
const EVERYONE: Targeting = { ageMin: AGE_BOUNDS['18-24'][0], ageMax: AGE_BOUNDS['65+'][1], gender: 'all' };

/** A group's delivery and its value and cost per impression, shrunk toward every group's. */
interface Group {
  age: AgeBucket | null;
  gender: Gender | 'unknown' | null;
  impressions: number;
  value: number;
  cost: number;
}

/** What a targeting keeps: its share of the delivery and its value and cost per impression against every group's. */
interface Kept {
  share: number;
  valueFactor: number;
  costFactor: number;
}

export function chooseDemographicsByValue(demographics: readonly DemographicHistory[], curves: readonly CountryCurve[] | null): DemographicChoice {
  const cells = groupsOf(demographics, (r) => r.age !== '' && r.gender !== '');
  const ages = groupsOf(demographics, (r) => r.age !== '' && r.gender === '');
  const genders = groupsOf(demographics, (r) => r.age === '' && r.gender !== '');
  const byCell = cells.length > 0;
  if (!byCell && ages.length === 0 && genders.length === 0) return reached(EVERYONE, { kind: 'demographics.targeting', what: 'no_data', ...EVERYONE });
  const ageGroups = byCell ? cells : ages;
  const genderGroups = byCell ? cells : genders;
  const baseline = reachedTargeting(ageGroups, genderGroups);
  if (curves === null || curves.length === 0) return reached(baseline, { kind: 'demographics.targeting', what: 'no_curves', ...baseline });
  const funded = curves.filter((c) => c.amountMinor > 0);
  const unmeasured = funded.filter((c) => !(c.highestDailySpendMinor > 0)).map((c) => c.countryCode);
  const measured = funded.filter((c) => c.highestDailySpendMinor > 0);
  if (measured.length === 0) return reached(baseline, { kind: 'demographics.targeting', what: 'unmeasured', unmeasured, ...baseline });

  const keptBy = (t: Targeting): Kept | null => (byCell ? keptOf(cells, (g) => keepsGroup(t, g.age!, g.gender!)) : combine(keptOf(ages, (g) => keepsAge(t, g.age!)), keptOf(genders, (g) => keepsGender(t, g.gender!))));
  const expectedOf = (k: Kept) => measured.reduce((a, c) => a + k.share * k.valueFactor * curveValue(c.market.curve, c.market.valuePerImpression, c.amountMinor / (k.share * k.costFactor)), 0);
  // Narrowed to a share f, a country's spend reaches its audience as s / (f·m_c) would reach the whole one.
  const observed = (k: Kept) => measured.every((c) => c.amountMinor / (k.share * k.costFactor) <= c.highestDailySpendMinor);

  const wholeValue = expectedOf({ share: 1, valueFactor: 1, costFactor: 1 });
  let best: { targeting: Targeting; kept: Kept; expected: number } | null = null;
  let candidates = 0;
  let beyondObserved = 0;
  for (const t of targetings(ageGroups, genderGroups)) {
    const k = keptBy(t);
    if (k === null || (t.ageMin === baseline.ageMin && t.ageMax === baseline.ageMax && t.gender === baseline.gender)) continue;
    candidates++;
    if (!observed(k)) {
      beyondObserved++;
      continue;
    }
    const expected = expectedOf(k);
    if (best === null || expected > best.expected) best = { targeting: t, kept: k, expected };
  }
  const gain = best === null || !(wholeValue > 0) ? null : best.expected / wholeValue - 1;
  const narrow = best !== null && gain !== null && gain >= NARROWING_MIN_GAIN;
  const chosen = narrow ? best!.targeting : baseline;
  const chosenKept = narrow ? best!.kept : null;
  const groupEvents = (byCell ? marginals(cells) : [...ages, ...genders]).map((g): DemographicGroupEvent => {
    const all = byCell ? cells : g.age !== null ? ages : genders;
    const mean = meanOf(all);
    return {
      kind: 'demographics.group',
      dimension: g.age !== null ? 'age' : 'gender',
      group: g.age ?? g.gender!,
      impressions: g.impressions,
      valueFactor: mean.value > 0 ? g.value / mean.value : 1,
      costFactor: mean.cost > 0 ? g.cost / mean.cost : 1,
      kept: g.age !== null ? keepsAge(chosen, g.age) : g.gender === 'unknown' ? chosen.gender === 'all' : keepsGender(chosen, g.gender!),
    };
  });
  const decision: DemographicTargetingEvent = {
    kind: 'demographics.targeting',
    what: narrow ? 'narrowed' : 'kept_whole',
    ...chosen,
    candidates,
    beyondObserved,
    unmeasured,
    wholeExpected: wholeValue,
    best: best === null ? null : { ...best.targeting, share: best.kept.share, valueFactor: best.kept.valueFactor, costFactor: best.kept.costFactor, expected: best.expected, gain: gain ?? 0 },
    minGain: NARROWING_MIN_GAIN,
    ...(chosenKept === null ? {} : { share: chosenKept.share }),
  };
  return { ...chosen, trace: [...groupEvents, decision] };
}

function reached(t: Targeting, event: DemographicTargetingEvent): DemographicChoice {
  return { ...t, trace: [event] };
}

/** The age buckets with delivery, youngest first. */
function presentAges(groups: readonly Group[]): AgeBucket[] {
  return AGE_BUCKETS.filter((b) => groups.some((g) => g.age === b));
}

/** The genders with delivery (unknown left out: no targeting chooses it alone). */
function presentGenders(groups: readonly Group[]): Gender[] {
  return (['male', 'female'] as const).filter((x) => groups.some((g) => g.gender === x));
}

/** What the ad set reached in the window: its ages with delivery (Meta's whole range without an age breakdown) and its genders. */
function reachedTargeting(ageGroups: readonly Group[], genderGroups: readonly Group[]): Targeting {
  const ages = presentAges(ageGroups);
  const genders = presentGenders(genderGroups);
  return {
    ageMin: ages.length === 0 ? EVERYONE.ageMin : AGE_BOUNDS[ages[0]!][0],
    ageMax: ages.length === 0 ? EVERYONE.ageMax : AGE_BOUNDS[ages.at(-1)!][1],
    gender: genders.length === 1 ? genders[0]! : 'all',
  };
}

/** Whether a targeting reaches a group of people: its whole age bucket within the range, its gender chosen. */
export function keepsGroup(t: Targeting, age: AgeBucket, gender: Gender | 'unknown'): boolean {
  return keepsAge(t, age) && keepsGender(t, gender);
}

function keepsAge(t: Targeting, age: AgeBucket): boolean {
  const [low, high] = AGE_BOUNDS[age];
  return low >= t.ageMin && high <= t.ageMax;
}

/** Unknown gender is reached only by targeting every gender. */
function keepsGender(t: Targeting, gender: Gender | 'unknown'): boolean {
  return t.gender === 'all' || gender === t.gender;
}

/** The rows that `pick` takes, summed per age and gender, valued on a prior fitted across them. */
function groupsOf(rows: readonly DemographicHistory[], pick: (r: DemographicHistory) => boolean): Group[] {
  const sums = new Map<string, { age: AgeBucket | null; gender: Gender | 'unknown' | null; total: Metrics }>();
  for (const r of rows) {
    if (!pick(r) || !(r.total.impressions > 0)) continue;
    const key = `${r.age}|${r.gender}`;
    const s = sums.get(key) ?? sums.set(key, { age: r.age === '' ? null : r.age, gender: r.gender === '' ? null : r.gender, total: emptyMetrics() }).get(key)!;
    addMetrics(s.total, r.total);
  }
  const list = [...sums.values()];
  if (list.length === 0) return [];
  const prior = fittedPrior(fitStrengths(list.map((s) => s.total)), list.reduce((a, s) => addMetrics(a, s.total), emptyMetrics()));
  return list.map((s) => ({ age: s.age, gender: s.gender, impressions: s.total.impressions, value: valuePerImpression(s.total, prior), cost: costPerImpression(s.total, prior) }));
}

function meanOf(groups: readonly Group[]): { impressions: number; value: number; cost: number } {
  const impressions = groups.reduce((a, g) => a + g.impressions, 0);
  if (!(impressions > 0)) return { impressions: 0, value: 0, cost: 0 };
  return { impressions, value: groups.reduce((a, g) => a + g.impressions * g.value, 0) / impressions, cost: groups.reduce((a, g) => a + g.impressions * g.cost, 0) / impressions };
}

/** What keeping the groups `keep` takes keeps of `groups`; null when it keeps none. A dimension without groups keeps everything. */
function keptOf(groups: readonly Group[], keep: (g: Group) => boolean): Kept | null {
  if (groups.length === 0) return { share: 1, valueFactor: 1, costFactor: 1 };
  const all = meanOf(groups);
  const kept = meanOf(groups.filter(keep));
  if (!(kept.impressions > 0) || !(all.value > 0)) return null;
  return { share: kept.impressions / all.impressions, valueFactor: kept.value / all.value, costFactor: all.cost > 0 ? kept.cost / all.cost : 1 };
}

/** Ages and genders kept independently (breakdowns by age and by gender apart). */
function combine(a: Kept | null, b: Kept | null): Kept | null {
  if (a === null || b === null) return null;
  return { share: a.share * b.share, valueFactor: a.valueFactor * b.valueFactor, costFactor: a.costFactor * b.costFactor };
}

/** The age buckets and genders of the cells, each summed over the other dimension, for the trace. */
function marginals(cells: readonly Group[]): Group[] {
  const out: Group[] = [];
  for (const dim of ['age', 'gender'] as const) {
    const keys = [...new Set(cells.map((c) => c[dim]))];
    for (const key of keys) {
      const of = cells.filter((c) => c[dim] === key);
      const m = meanOf(of);
      out.push({ age: dim === 'age' ? (key as AgeBucket) : null, gender: dim === 'gender' ? (key as Gender | 'unknown') : null, impressions: m.impressions, value: m.value, cost: m.cost });
    }
  }
  return out;
}

/** Every targeting Meta allows within what the ad set reached: a contiguous range of its age buckets, and one or all of its genders. */
function targetings(ageGroups: readonly Group[], genderGroups: readonly Group[]): Targeting[] {
  const present = presentAges(ageGroups);
  const reachedGenders = presentGenders(genderGroups);
  const genders: Targeting['gender'][] = reachedGenders.length === 1 ? [reachedGenders[0]!] : ['all', ...reachedGenders];
  const ranges: [number, number][] = present.length === 0 ? [[EVERYONE.ageMin, EVERYONE.ageMax]] : present.flatMap((first, a) => present.slice(a).map((last): [number, number] => [AGE_BOUNDS[first][0], AGE_BOUNDS[last][1]]));
  return ranges.flatMap(([ageMin, ageMax]) => genders.map((gender) => ({ ageMin, ageMax, gender })));
}
