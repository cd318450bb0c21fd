// Meta's daily ad set rows → the project's insight rows, the same shapes the CSV import stores:
//   - country rows (breakdowns=country): segment '' and the country;
//   - demographic rows (breakdowns=age,gender): segment 'demographic', id "age|gender";
//   - segment rows: Meta has no interest or behavior breakdown, so each ad set-day's delivery
//     (the sum of its country rows, which partition it) is credited to the interests, behaviors
//     and custom audiences of the ad set's targeting, in equal shares.
// The crediting rule, and why equal shares: a segment inside an ad set's targeting is served
// together with the others, and the delivery cannot be told apart by segment. Crediting the whole
// delivery to each would count the same impressions k times as evidence; equal shares keep every
// segment at the ad set's rates (CTR, CVR, ROAS) while the evidence of one ad set-day sums to that
// ad set-day once. Segments that appear in several ad sets gather evidence from each, which is how
// they become distinguishable; `meta_segment_evidence` says from how many ad sets each one's came.
// Delivery is credited by the targeting read at sync time: Meta does not say what the targeting
// was on a past day. Where the targeting changed since, `earlier` says what held the days before:
// the optimizer's history for its own changes, and the targetings earlier syncs saw for a change
// made in Ads Manager, whose day is known only within the days between two syncs (those days are
// credited to no segment).
import { AGE_BUCKETS, GENDERS, type AgeBucket, type Gender, type InsightRow, type SegmentType } from '../engine/types.ts';
import { equalShares } from '../engine/money.ts';
import type { MetaAdSet, MetaCustomAudience, MetaInsightRow } from './graph.ts';

export interface ConvertedRows {
  rows: InsightRow[];
  counts: { country: number; demographic: number; segment: number };
  /** Rows Meta reported that have no place in the engine's breakdowns (age 13-17, country "unknown"). */
  skipped: { country: number; demographic: number };
}

export interface CreditedSegment {
  segmentType: SegmentType;
  segmentId: string;
  segmentName: string;
}

/** The segments an ad set's delivery is credited to: its interests, behaviors and custom audiences (lookalikes by their subtype). */
export function creditedSegments(adset: MetaAdSet, audiences: ReadonlyMap<string, MetaCustomAudience>): CreditedSegment[] {
  return [
    ...adset.interests.map((e) => ({ segmentType: 'interest' as const, segmentId: e.id, segmentName: e.name })),
    ...adset.behaviors.map((e) => ({ segmentType: 'behavior' as const, segmentId: e.id, segmentName: e.name })),
    ...adset.customAudiences.map((e) => {
      const a = audiences.get(e.id);
      return { segmentType: a?.subtype === 'LOOKALIKE' ? ('lookalike' as const) : ('custom_audience' as const), segmentId: e.id, segmentName: a?.name ?? e.name };
    }),
  ];
}

/** The segments whose ids say whether an ad set's credited segments changed between two sights of it. */
export function segmentsKeyOf(adset: Pick<MetaAdSet, 'interests' | 'behaviors' | 'customAudiences'>): string {
  return [...adset.interests.map((e) => `interest:${e.id}`), ...adset.behaviors.map((e) => `behavior:${e.id}`), ...adset.customAudiences.map((e) => `audience:${e.id}`)].sort().join(',');
}

/**
 * What held an ad set's days before `changeDay` (the account's day), up to any earlier entry's:
 * the targeting a change replaced, or null where it is not known (no segment is credited).
 */
export interface EarlierTargeting {
  adsetId: string;
  changeDay: string;
  adset: MetaAdSet | null;
}

/**
 * The segments an ad set's delivery on `date` is credited to: what held the days before the first
 * later entry (the day of a change itself mixes both, and goes to the later), else the current
 * targeting; none where that is not known.
 */
function segmentsOnDay(adsetId: string, date: string, current: ReadonlyMap<string, CreditedSegment[]>, earlier: readonly { adsetId: string; changeDay: string; segments: CreditedSegment[] }[]): CreditedSegment[] {
  let replaced: { changeDay: string; segments: CreditedSegment[] } | null = null;
  for (const e of earlier) if (e.adsetId === adsetId && date < e.changeDay && (replaced === null || e.changeDay < replaced.changeDay)) replaced = e;
  return replaced?.segments ?? current.get(adsetId) ?? [];
}

export function toInsightRows(input: {
  campaignId: string;
  currency: string;
  countryRows: readonly MetaInsightRow[];
  demographicRows: readonly MetaInsightRow[];
  adsets: readonly MetaAdSet[];
  audiences: ReadonlyMap<string, MetaCustomAudience>;
  earlier?: readonly EarlierTargeting[];
}): ConvertedRows {
  const out: ConvertedRows = { rows: [], counts: { country: 0, demographic: 0, segment: 0 }, skipped: { country: 0, demographic: 0 } };
  const base = (r: MetaInsightRow) => ({ date: r.date, campaignId: input.campaignId, adsetId: r.adsetId, currency: input.currency, impressions: r.impressions, reach: r.reach, clicks: r.clicks, conversions: r.purchases, spendMinor: r.spendMinor, revenueMinor: r.purchaseValueMinor });
  const totals = new Map<string, { adsetId: string; date: string; impressions: number; reach: number; clicks: number; conversions: number; spendMinor: number; revenueMinor: number }>();
  for (const r of input.countryRows) {
    const country = (r.country ?? '').toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) {
      out.skipped.country++;
      continue;
    }
    out.rows.push({ ...base(r), segmentType: '', segmentId: '', segmentName: '', country, age: '', gender: '' });
    out.counts.country++;
    const key = `${r.adsetId}\u0000${r.date}`;
    const t = totals.get(key) ?? { adsetId: r.adsetId, date: r.date, impressions: 0, reach: 0, clicks: 0, conversions: 0, spendMinor: 0, revenueMinor: 0 };
    t.impressions += r.impressions;
    // People live in one country, so a day's reach adds up across countries.
    t.reach += r.reach ?? 0;
    t.clicks += r.clicks;
    t.conversions += r.purchases;
    t.spendMinor += r.spendMinor;
    t.revenueMinor += r.purchaseValueMinor;
    totals.set(key, t);
  }
  for (const r of input.demographicRows) {
    const age = r.age as AgeBucket;
    const gender = r.gender as Gender;
    if (!(AGE_BUCKETS as readonly string[]).includes(age) || !(GENDERS as readonly string[]).includes(gender)) {
      out.skipped.demographic++;
      continue;
    }
    out.rows.push({ ...base(r), segmentType: 'demographic', segmentId: `${age}|${gender}`, segmentName: `${age} ${gender}`, country: '', age, gender });
    out.counts.demographic++;
  }
  const segmentsOf = new Map(input.adsets.map((a) => [a.id, creditedSegments(a, input.audiences)]));
  const earlier = (input.earlier ?? []).map((e) => ({ adsetId: e.adsetId, changeDay: e.changeDay, segments: e.adset === null ? [] : creditedSegments(e.adset, input.audiences) }));
  for (const t of totals.values()) {
    const segments = segmentsOnDay(t.adsetId, t.date, segmentsOf, earlier);
    if (segments.length === 0) continue;
    const k = segments.length;
    const share = (total: number, metric: string) => equalShares(total, k, `${t.adsetId}|${t.date}|${metric}`);
    const impressions = share(t.impressions, 'impressions');
    const reach = share(t.reach, 'reach');
    const clicks = share(t.clicks, 'clicks');
    const conversions = share(t.conversions, 'conversions');
    const spend = share(t.spendMinor, 'spend');
    const revenue = share(t.revenueMinor, 'revenue');
    segments.forEach((s, i) => {
      out.rows.push({
        date: t.date,
        campaignId: input.campaignId,
        adsetId: t.adsetId,
        segmentType: s.segmentType,
        segmentId: s.segmentId,
        segmentName: s.segmentName,
        country: '',
        age: '',
        gender: '',
        impressions: impressions[i]!,
        reach: reach[i]!,
        clicks: clicks[i]!,
        conversions: conversions[i]!,
        spendMinor: spend[i]!,
        revenueMinor: revenue[i]!,
        currency: input.currency,
      });
      out.counts.segment++;
    });
  }
  return out;
}
