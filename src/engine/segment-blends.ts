// Segments whose rows are shares of an ad set's blend. Meta has no interest breakdown, so the
// delivery of an ad set that targets several segments is credited to each in equal shares (LIVE
// sync; an export that splits alike): every share shows the blend of the set, not the segment's own
// rates. Read as each segment's own figures, a blend pulls every member toward the set's mean: the
// best members fall, the worst rise, and the set the optimizer put together for their differences
// is soon valued alike and broken up by chance.
//
// Instead a blend is read as what it is: one observation of the set's delivery-weighted mean value
// per impression. The members' estimates from their own rows are a Gaussian prior (mean and
// variance), and each blend conditions them jointly (a Kalman update): member j moves by its
// variance × its weight × the blend's surprise / the blend's variance. A member known from
// thousands of its own clicks hardly moves, one known from none takes most of the surprise, and
// members equally known move together, so their order from their own rows holds.
import { addMetrics, addRow, emptyMetrics } from './metrics.ts';
import { segmentKey, type SegmentKey } from './segment-key.ts';
import type { AdSetSnapshot, InsightRow, Metrics, SegmentBlend } from './types.ts';

/** A segment's value per impression as its own rows (and its pool) estimate it. */
export interface ValueEstimate {
  mean: number;
  variance: number;
}

/** One blend as an observation: its members, their delivery weights (any scale), its value per impression and that value's sampling variance. */
export interface BlendObservation {
  members: readonly SegmentKey[];
  weights: readonly number[];
  value: number;
  variance: number;
}

/**
 * Each estimated segment's mean and variance after conditioning on every blend, in the order given. A member
 * without an estimate (a custom audience, say, which no candidate pool holds) enters with the
 * weighted mean of the blend's other members and a variance as wide as that mean squared.
 */
export function conditionOnBlends(estimates: ReadonlyMap<SegmentKey, ValueEstimate>, blends: readonly BlendObservation[]): Map<SegmentKey, ValueEstimate> {
  const out = new Map([...estimates].map(([key, e]) => [key, { ...e }]));
  // Segments no chain of blends links never move each other: each linked group is conditioned on
  // its own blends, so the work grows with the groups' sizes, not with the campaign's.
  for (const group of linkedGroups(blends)) {
    const known = new Map<SegmentKey, ValueEstimate>();
    for (const b of group) for (const k of b.members) if (estimates.has(k)) known.set(k, estimates.get(k)!);
    for (const [key, posterior] of conditionGroup(known, group)) out.set(key, posterior);
  }
  return out;
}

/** The blends in groups: two blends are in one group when a chain of shared members links them. */
function linkedGroups(blends: readonly BlendObservation[]): BlendObservation[][] {
  const parent = new Map<SegmentKey, SegmentKey>();
  const root = (k: SegmentKey): SegmentKey => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  for (const b of blends) {
    for (const k of b.members) if (!parent.has(k)) parent.set(k, k);
    for (const k of b.members.slice(1)) parent.set(root(k), root(b.members[0]!));
  }
  const groups = new Map<SegmentKey, BlendObservation[]>();
  for (const b of blends) {
    if (b.members.length === 0) continue;
    const r = root(b.members[0]!);
    const list = groups.get(r);
    if (list === undefined) groups.set(r, [b]);
    else list.push(b);
  }
  return [...groups.values()];
}

function conditionGroup(estimates: ReadonlyMap<SegmentKey, ValueEstimate>, blends: readonly BlendObservation[]): Map<SegmentKey, ValueEstimate> {
  const index = new Map<SegmentKey, number>();
  const mean: number[] = [];
  const variances: number[] = [];
  for (const [key, e] of estimates) {
    index.set(key, mean.length);
    mean.push(e.mean);
    variances.push(Math.max(0, e.variance));
  }
  for (const b of blends) {
    const known = b.members.filter((k) => index.has(k));
    const guess = known.length > 0 ? known.reduce((a, k) => a + mean[index.get(k)!]!, 0) / known.length : b.value;
    for (const k of b.members) {
      if (index.has(k)) continue;
      index.set(k, mean.length);
      mean.push(guess);
      variances.push(guess * guess);
    }
  }
  const n = mean.length;
  // Dense covariance: a campaign's blended segments are tens, not thousands.
  const cov = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = variances[i]!;
    return row;
  });
  for (const b of blends) {
    const weightSum = b.weights.reduce((a, w) => a + Math.max(0, w), 0);
    if (!(weightSum > 0) || !(b.variance >= 0) || !Number.isFinite(b.value)) continue;
    const at = b.members.map((k) => index.get(k)!);
    const h = b.weights.map((w) => Math.max(0, w) / weightSum);
    // P h, h' P h and the prediction h' m.
    const ph = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      at.forEach((c, j) => (s += cov[r]![c]! * h[j]!));
      ph[r] = s;
    }
    let hph = 0;
    let predicted = 0;
    at.forEach((c, j) => {
      hph += h[j]! * ph[c]!;
      predicted += h[j]! * mean[c]!;
    });
    const s = hph + b.variance;
    if (!(s > 0)) continue;
    const surprise = b.value - predicted;
    for (let r = 0; r < n; r++) mean[r]! += (ph[r]! / s) * surprise;
    for (let r = 0; r < n; r++) {
      const row = cov[r]!;
      const gain = ph[r]! / s;
      for (let c = 0; c < n; c++) row[c]! -= gain * ph[c]!;
    }
  }
  const out = new Map<SegmentKey, ValueEstimate>();
  for (const key of estimates.keys()) {
    const i = index.get(key)!;
    out.set(key, { mean: mean[i]!, variance: Math.max(0, cov[i]![i]!) });
  }
  return out;
}

type CountedRow = Pick<InsightRow, 'impressions' | 'clicks' | 'spendMinor' | 'conversions' | 'revenueMinor'>;

/**
 * Whether one ad set-day's segment rows (those without a country, age or gender) are shares of its
 * delivery credited alike: at least two rows, and each count within one unit across them, as an
 * equal split in whole units leaves them (an unknown count is left out of the comparison).
 * Per-segment figures of real delivery never agree like that; a day of a handful of impressions
 * may be taken for shares, and then weighs next to nothing either way.
 */
export function isEqualShareDay(rows: readonly CountedRow[]): boolean {
  if (rows.length < 2) return false;
  const within = (values: readonly (number | null)[]) => {
    const known = values.filter((v) => v !== null);
    return known.length < 2 || Math.max(...known) - Math.min(...known) <= 1;
  };
  return within(rows.map((r) => r.impressions)) && within(rows.map((r) => r.clicks)) && within(rows.map((r) => r.spendMinor)) && within(rows.map((r) => r.conversions)) && within(rows.map((r) => r.revenueMinor));
}

/** A segment row as the blend reading needs it. */
export type ShareRow = CountedRow & Pick<InsightRow, 'reach' | 'segmentType' | 'segmentId'>;

/**
 * One ad set-day's segment rows as a day of a blend: its segments and the ad set's whole delivery
 * (the sum of the shares); null when they are not equal shares (isEqualShareDay).
 */
export function blendDayOf(rows: readonly ShareRow[]): { segments: SegmentBlend['segments']; total: Metrics } | null {
  if (!isEqualShareDay(rows)) return null;
  const segments: SegmentBlend['segments'] = [];
  const total = emptyMetrics();
  for (const r of rows) {
    if (r.segmentType === '') continue;
    segments.push({ segmentType: r.segmentType, segmentId: r.segmentId });
    addRow(total, r);
  }
  return { segments, total };
}

/**
 * Adds one shared ad set-day to the ad set's blends (snapshot builders): to the blend of the same
 * segments if there is one, else as a new blend. Members are kept in type, then id order, so the
 * same set is the same blend whatever order its rows came in.
 */
export function addBlendDay(adset: Pick<AdSetSnapshot, 'blends'>, segments: SegmentBlend['segments'], total: Metrics): void {
  const members = [...segments].sort((a, b) => (a.segmentType < b.segmentType ? -1 : a.segmentType > b.segmentType ? 1 : a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
  const key = members.map(segmentKey).join('\u0000');
  const blends = (adset.blends ??= []);
  const same = blends.find((b) => b.segments.map(segmentKey).join('\u0000') === key);
  if (same === undefined) blends.push({ segments: members, days: 1, total: addMetrics(emptyMetrics(), total) });
  else {
    same.days += 1;
    addMetrics(same.total, total);
  }
}
