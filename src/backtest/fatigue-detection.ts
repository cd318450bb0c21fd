// How well each strategy's fatigue test finds the segments the stub market's truth marks fatigued
// (about 5 % of interests and behaviors; CTR decays linearly over the window's last 10 days). Each
// (ad set, segment) is one case, judged by the specification's z-test (recent 7 days against
// earlier) and by the change-point fit on its daily points, as a run judges it.
import { fatigueCandidateZ, fitChangePoint, isFatigueFit } from '../engine/fatigue-fit.ts';
import { addRow, emptyMetrics } from '../engine/metrics.ts';
import { detectFatigue } from '../engine/scoring.ts';
import type { EngineSettings, Metrics, SegmentDay } from '../engine/types.ts';
import { createStubMarket, getTruth } from '../simulation/market.ts';

export interface FatigueDetectionCounts {
  positives: number;
  negatives: number;
  /** Fatigued cases the z-test flags, and unfatigued ones it flags. */
  zTrue: number;
  zFalse: number;
  /** The same for the change-point fit. */
  fitTrue: number;
  fitFalse: number;
  /** Cases the screen (fatigueCandidateZ) passes on to a fit. */
  candidates: number;
  /** Fatigued cases the screen kept from a fit that would have found them. */
  missedByScreen: number;
}

/** Counts over stub markets seeded 1..markets, 30 days each ending 2026-11-30. */
export function measureFatigueDetection(markets: number, settings: EngineSettings): FatigueDetectionCounts {
  const count: FatigueDetectionCounts = { positives: 0, negatives: 0, zTrue: 0, zFalse: 0, fitTrue: 0, fitFalse: 0, candidates: 0, missedByScreen: 0 };
  for (let seed = 1; seed <= markets; seed++) {
    const market = createStubMarket({ seed, campaigns: 1, days: 30, endDate: '2026-11-30' });
    const fatigued = new Map(getTruth(market).campaigns[0]!.segments.map((s) => [s.segmentId, s.fatigued]));
    const cases = new Map<string, { fatigued: boolean; days: SegmentDay[]; total: Metrics; recent: Metrics }>();
    for (const row of market.rows()) {
      if (row.segmentType !== 'interest' && row.segmentType !== 'behavior') continue;
      const key = `${row.adsetId}:${row.segmentId}`;
      let c = cases.get(key);
      if (!c) cases.set(key, (c = { fatigued: fatigued.get(row.segmentId)!, days: [], total: emptyMetrics(), recent: emptyMetrics() }));
      c.days.push({ date: row.date, impressions: row.impressions, clicks: row.clicks, reach: row.reach ?? 0 });
      addRow(c.total, row);
      if (row.date >= '2026-11-24') addRow(c.recent, row);
    }
    for (const c of cases.values()) {
      const z = detectFatigue(c.total, c.recent, settings).isFatigued;
      // As in a run: only the store's candidates get daily points and a fit.
      const candidate = fatigueCandidateZ(c.total, c.recent) !== null;
      const fit = candidate && isFatigueFit(fitChangePoint(c.days), settings.fatigueCtrDropRatio);
      if (candidate) count.candidates++;
      if (c.fatigued) {
        count.positives++;
        if (z) count.zTrue++;
        if (fit) count.fitTrue++;
        if (!candidate && isFatigueFit(fitChangePoint(c.days), settings.fatigueCtrDropRatio)) count.missedByScreen++;
      } else {
        count.negatives++;
        if (z) count.zFalse++;
        if (fit) count.fitFalse++;
      }
    }
  }
  return count;
}
