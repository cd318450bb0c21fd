import { describe, expect, it } from 'vitest';
import { presentTraceEvent } from '../presentation/present-trace.ts';
import { addCalendarDays } from './calendar.ts';
import { judgeFatigue, restDaysOf } from './fatigue-rest.ts';
import { emptyMetrics } from './metrics.ts';
import { decideDocuments } from '../presentation/test-documents.ts';
import { scoreAt, scoreTable } from './scoring.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, RestingSegment, SegmentDay, SegmentHistory } from './types.ts';

const BAYES: EngineSettings = { ...SPEC_SETTINGS, strategy: 'bayes', fatigueRestDays: 14 };
const WINDOW_START = '2026-11-01';
const WINDOW_END = '2026-11-30';

/** 30 days of steady delivery (no noise: the CTR is exact), with the CTR of the last `fallDays` at `fallTo`. */
function days(ctr: number, impressions: number, fallDays = 0, fallTo = ctr): SegmentDay[] {
  return Array.from({ length: 30 }, (_, i) => {
    const rate = i >= 30 - fallDays ? fallTo : ctr;
    return { date: addCalendarDays(WINDOW_START, i), impressions, clicks: Math.round(impressions * rate), reach: Math.round(impressions / 1.2) };
  });
}

function sum(list: readonly SegmentDay[]): Metrics {
  const m = emptyMetrics();
  for (const d of list) {
    m.impressions += d.impressions;
    m.clicks += d.clicks;
    m.reach += d.reach;
    m.impressionsWithReach += d.impressions;
    m.spendMinor += d.impressions;
    m.conversions += Math.round(d.clicks * 0.05);
    m.clicksWithConversions += d.clicks;
    m.revenueMinor += Math.round(d.clicks * 0.05) * 5_000;
    m.spendWithRevenueMinor += d.impressions;
  }
  return m;
}

function segment(type: 'interest' | 'behavior', id: string, daily: SegmentDay[], withDaily = true): SegmentHistory {
  const h: SegmentHistory = { segmentType: type, segmentId: id, segmentName: `${type} ${id}`, total: sum(daily), recent: sum(daily.slice(-7)) };
  if (withDaily) h.daily = daily;
  return h;
}

function snapshot(segments: SegmentHistory[]): CampaignSnapshot {
  const total = segments.reduce((m, s) => ({ ...m, impressions: m.impressions + s.total.impressions, clicks: m.clicks + s.total.clicks, spendMinor: m.spendMinor + s.total.spendMinor }), emptyMetrics());
  const adset: AdSetSnapshot = { adsetId: 'a1', segments, countries: [], demographics: [], total, recent: emptyMetrics() };
  return { campaignId: 'c1', currency: 'EUR', windowStart: WINDOW_START, windowEnd: WINDOW_END, adsets: [adset], pixelEvents: [] };
}

/** Twelve steady interests; i00 has the best CTR and falls by half over the last 8 days. */
function market(): SegmentHistory[] {
  const list = [segment('interest', 'i00', days(0.03, 3_000, 8, 0.015))];
  for (let i = 1; i < 12; i++) list.push(segment('interest', `i${String(i).padStart(2, '0')}`, days(0.01 + 0.001 * i, 3_000)));
  return list;
}

const rest = (id: string, since: string): RestingSegment => ({ adsetId: 'a1', segmentType: 'interest', segmentId: id, since });
const chosen = (d: ReturnType<typeof decideDocuments>[number]) => d.draft.interests.map((i) => i.interest_id);

describe('judgeFatigue and the rest', () => {
  it('starts a rest for a segment the fit finds fatigued, from the window end, and says when and why', () => {
    const [d] = decideDocuments({ snapshot: snapshot(market()), totalBudgetMinor: 100_000, settings: BAYES });
    expect(chosen(d!)).not.toContain('i00');
    expect(d!.rests).toEqual({ started: [rest('i00', WINDOW_END)], ended: [] });
    const entry = d!.draft.reasoning.trace.find((t) => t.step === 'fatigue.rest')!;
    expect(entry.decision).toMatch(/^"interest i00" rests from 2026-11-30 until 2026-12-14: CTR fell from 3\.00% to 1\.50% after cumulative frequency [\d.]+ \(from 2026-11-23; change point, likelihood ratio [\d.]+, p = /);
    expect(entry.numbers).toMatchObject({ since: WINDOW_END, until: '2026-12-14', break_date: '2026-11-23', ctr_before: 0.03, ctr_after: 0.015 });
    const excluded = d!.draft.reasoning.trace.find((t) => t.step === 'interests' && t.decision.startsWith('excluded "interest i00"'))!;
    expect(excluded.decision).toContain('resting since 2026-11-30 until 2026-12-14');
  });

  it('leaves the seed strategy exactly as it was: its z-test, no rests', () => {
    const snap = snapshot(market());
    const withRests = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: SPEC_SETTINGS, earlierRuns: { resting: [rest('i01', '2026-11-28')] } });
    const without = decideDocuments({ snapshot: snap, totalBudgetMinor: 100_000, settings: SPEC_SETTINGS });
    expect(withRests).toEqual(without);
    expect(without[0]!.rests).toBeUndefined();
  });

  it('keeps a resting segment out until the rest is over, whatever its data says', () => {
    const segments = market().slice(1);
    const [d] = decideDocuments({ snapshot: snapshot(segments), totalBudgetMinor: 100_000, settings: BAYES, earlierRuns: { resting: [rest('i11', '2026-11-20')] } });
    expect(chosen(d!)).not.toContain('i11');
    expect(d!.rests).toEqual({ started: [], ended: [] });
    expect(d!.draft.reasoning.trace.some((t) => t.step === 'fatigue.rest' && t.decision === '"interest i11" is still resting (since 2026-11-20, until 2026-12-04)')).toBe(true);
  });

  it('re-admits a segment after its rest through the exploration slots only, until its data since shows no fatigue', () => {
    // Rested on 2026-11-10, back from 2026-11-24: 7 days since then, but the exploring decision is
    // given only 3 delivered days after the rest (too little to judge).
    const daily = days(0.03, 3_000).map((d) => (d.date >= '2026-11-10' && d.date < '2026-11-27' ? { ...d, impressions: 0, clicks: 0, reach: 0 } : d));
    const segments = [segment('interest', 'i00', daily), ...market().slice(1)];
    const input = { snapshot: snapshot(segments), totalBudgetMinor: 100_000, earlierRuns: { resting: [rest('i00', '2026-11-10')] } };
    const [exploring] = decideDocuments({ ...input, settings: { ...BAYES, explorationShare: 0.5, maxInterests: 4 }, randomSeed: 1 });
    const ranked = exploring!.draft.reasoning.trace.filter((t) => t.step === 'interests' && t.decision.startsWith('rank ')).map((t) => t.numbers.segment_id);
    expect(ranked).not.toContain('i00');
    expect(exploring!.draft.reasoning.trace.some((t) => t.step === 'fatigue.rest' && t.decision.startsWith('"interest i00" re-admitted to exploration after its rest (2026-11-10 to 2026-11-24)'))).toBe(true);
    expect(exploring!.rests).toEqual({ started: [], ended: [] });
    // Enough delivery since the rest, and no decline in it: the rest ends and it is ranked again.
    const recovered = [segment('interest', 'i00', days(0.03, 3_000).map((d) => (d.date >= '2026-11-10' && d.date < '2026-11-24' ? { ...d, impressions: 0, clicks: 0, reach: 0 } : d))), ...market().slice(1)];
    const [back] = decideDocuments({ ...input, snapshot: snapshot(recovered), settings: { ...BAYES, explorationShare: 0.5, maxInterests: 4 }, randomSeed: 1 });
    expect(back!.rests?.ended).toEqual([rest('i00', '2026-11-10')]);
    expect(back!.draft.interests[0]!.interest_id).toBe('i00');
    // Without exploration there is nothing to come back through: it competes for the ranked slots.
    const [plain] = decideDocuments({ ...input, settings: BAYES });
    expect(plain!.rests?.ended).toEqual([rest('i00', '2026-11-10')]);
    expect(chosen(plain!)[0]).toBe('i00');
  });

  it('rests a segment again when its data after the rest shows fatigue again', () => {
    const daily = days(0.03, 3_000, 0).map((d) => (d.date < '2026-11-24' ? { ...d, impressions: 0, clicks: 0, reach: 0 } : d.date >= '2026-11-27' ? { ...d, clicks: 30 } : d));
    const scores = scoreTable([segment('interest', 'i00', daily)], BAYES, 100);
    const judged = judgeFatigue(snapshot([segment('interest', 'i00', daily)]).adsets[0]!, scores, BAYES, WINDOW_END, [rest('i00', '2026-11-10')], true);
    expect(judged.ended).toEqual([rest('i00', '2026-11-10')]);
    expect(judged.started).toEqual([rest('i00', WINDOW_END)]);
    expect(scoreAt(judged.scores, 0).fatigue.reason).toMatch(/^fatigued again after its rest \(CTR fell from 3\.00% to 1\.00%/);
    // The line says when the new rest runs (what the dashboard shows as "resting until") and names the one that ended.
    const line = judged.trace.map(presentTraceEvent).find((t) => t.step === 'fatigue.rest')!;
    expect(line.numbers).toMatchObject({ since: WINDOW_END, ended_rest_since: '2026-11-10' });
    expect(line.decision).toContain(`rests from ${WINDOW_END} until ${String(line.numbers.until)}`);
  });

  it('keeps the seed verdict (and rests it) for a segment without daily points', () => {
    const fell = days(0.03, 3_000, 7, 0.012);
    const h = segment('interest', 'i00', fell, false);
    const scores = scoreTable([h], BAYES, 100);
    expect(scoreAt(scores, 0).fatigue.isFatigued).toBe(true);
    const judged = judgeFatigue(snapshot([h]).adsets[0]!, scores, BAYES, WINDOW_END, [], false);
    expect(judged.started).toEqual([rest('i00', WINDOW_END)]);
    expect(scoreAt(judged.scores, 0).fatigue.reason).toMatch(/^CTR fell 60% .*; resting since 2026-11-30 until 2026-12-14$/);
  });

  it('reads settings stored before the rest existed as a 14-day rest, and counts calendar days', () => {
    const { fatigueRestDays: _, ...old } = BAYES;
    expect(restDaysOf(old)).toBe(14);
    expect(restDaysOf({ ...BAYES, fatigueRestDays: 3 })).toBe(3);
    expect(addCalendarDays('2026-11-30', 14)).toBe('2026-12-14');
    expect(addCalendarDays('2028-02-20', 10)).toBe('2028-03-01');
    expect(addCalendarDays('2026-12-25', 14)).toBe('2027-01-08');
  });
});
