// The `bayes` strategy's fatigue: verdicts from the change-point fit
// (fatigue-fit.ts) where the snapshot carries a segment's daily points, and a real rest period.
//
// A fatigued segment rests for settings.fatigueRestDays from the day its rest began (the windowEnd
// of the snapshot that found it fatigued; the engine has no clock). While it rests it is out of the
// targeting whatever its data says. After the rest it is re-admitted through the exploration slots
// only, until its delivery since the rest ended shows no fatigue; then the rest is over and it
// competes for the ranked slots again. When the decision does not explore (share 0, or no seed),
// there is no exploration to come back through, so it competes for the ranked slots right away.
//
// The rests in force reach the engine as earlierRuns.resting (stored by the caller, see
// src/store/resting-segments.ts); the rests that begin or end in this decision leave it in
// AdSetDecision.rests, so the caller can store them with the run.
import { addCalendarDays } from './calendar.ts';
import { fitChangePoint, isFatigueFit, MIN_DAYS_PER_SIDE, MIN_IMPRESSIONS_PER_SIDE, type ChangePointFit } from './fatigue-fit.ts';
import { frequencyFatigueReason, type ScoreTable, type SegmentLabel } from './scoring.ts';
import { DEFAULT_FATIGUE_REST_DAYS, type AdSetSnapshot, type EngineSettings, type FatigueVerdict, type RestingSegment, type SegmentDay, type SegmentHistory } from './types.ts';
import type { FatigueRestEvent } from './trace-events.ts';
import { segmentKey, type SegmentKey } from './segment-key.ts';

export interface FatigueJudgement {
  /** The scores, in the same order, with the fit's and the rests' verdicts (the same columns). */
  scores: ScoreTable;
  /** Interests and behaviors back from a rest: exploration slots only. */
  recovering: Set<SegmentKey>;
  /** Rests that begin with this decision (since = the snapshot's windowEnd). */
  started: RestingSegment[];
  /** Rests in force before this decision that it ends (the segment may start a new one). */
  ended: RestingSegment[];
  trace: FatigueRestEvent[];
}

/** Days a rest lasts, with settings stored before the setting existed reading as the default. */
export function restDaysOf(settings: EngineSettings): number {
  return settings.fatigueRestDays ?? DEFAULT_FATIGUE_REST_DAYS;
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;

interface FitVerdict {
  fit: ChangePointFit | null;
  /** The CTR reason when the fit calls the decline fatigue. */
  reason: string | null;
}

function fitVerdict(days: readonly SegmentDay[], settings: EngineSettings): FitVerdict {
  const fit = fitChangePoint(days);
  if (!isFatigueFit(fit, settings.fatigueCtrDropRatio)) return { fit, reason: null };
  const where = fit.breakFrequency === null
    ? `${fit.breakImpressions} impressions`
    : `cumulative frequency ${fit.breakFrequency.toFixed(1)}`;
  return {
    fit,
    reason: `CTR fell from ${pct(fit.ctrBefore)} to ${pct(fit.ctrAfter)} after ${where} (from ${fit.breakDate}; change point, likelihood ratio ${fit.likelihoodRatio.toFixed(1)}, p = ${fit.pValue.toPrecision(2)})`,
  };
}

/**
 * The `bayes` verdicts for one ad set's segments. `scores` are scoreTable's (the seed's verdicts)
 * in the order of adset.segments; `resting` are the rests in force for the campaign.
 */
export function judgeFatigue(
  adset: AdSetSnapshot,
  scores: ScoreTable,
  settings: EngineSettings,
  windowEnd: string,
  resting: readonly RestingSegment[],
  exploring: boolean,
): FatigueJudgement {
  const restDays = restDaysOf(settings);
  const restOf = new Map<SegmentKey, RestingSegment>();
  for (const r of resting) if (r.adsetId === adset.adsetId) restOf.set(segmentKey(r), r);
  const verdicts = new Map<number, FatigueVerdict>();
  const out: FatigueJudgement = { scores: { ...scores, fatigue: verdicts }, recovering: new Set(), started: [], ended: [], trace: [] };
  const newUntil = addCalendarDays(windowEnd, restDays);

  const startRest = (s: SegmentLabel, why: string, event: FatigueRestEvent): FatigueVerdict => {
    out.started.push({ adsetId: adset.adsetId, segmentType: s.segmentType, segmentId: s.segmentId, since: windowEnd });
    out.trace.push(event);
    return { isFatigued: true, reason: `${why}; resting since ${windowEnd} until ${newUntil}` };
  };
  const named = (s: SegmentLabel) => ({ kind: 'fatigue.rest' as const, segmentType: s.segmentType, segmentId: s.segmentId, segmentName: s.segmentName });
  const rests = { since: windowEnd, until: newUntil, restDays };

  for (let i = 0; i < scores.rows.length; i++) {
    const score = scores.rows[i]!;
    const history: SegmentHistory | undefined = adset.segments[i];
    const rest = restOf.size === 0 ? undefined : restOf.get(segmentKey(score));
    // Absent: the seed's verdict is "not fatigued".
    let fatigue: FatigueVerdict | undefined = scores.fatigue.get(i);
    if (rest !== undefined) {
      const until = addCalendarDays(rest.since, restDays);
      if (windowEnd < until) {
        fatigue = { isFatigued: true, reason: `resting after fatigue since ${rest.since} until ${until}` };
        out.trace.push({ ...named(score), what: 'resting', since: rest.since, until });
      } else {
        // Only what it delivered since the rest ended speaks for it now: the decline before the
        // rest is still in the window and would call it fatigued again.
        const after = (history?.daily ?? []).filter((d) => d.date >= until);
        const verdict = fitVerdict(after, settings);
        const frequency = history === undefined ? null : frequencyFatigueReason(history.recent, settings);
        const reasons = [verdict.reason, frequency].filter((x) => x !== null);
        const impressions = after.reduce((a, d) => a + d.impressions, 0);
        const deliveredDays = after.filter((d) => d.impressions > 0).length;
        const explorable = score.segmentType === 'interest' || score.segmentType === 'behavior';
        const enough = impressions >= 2 * MIN_IMPRESSIONS_PER_SIDE && deliveredDays >= 2 * MIN_DAYS_PER_SIDE;
        const afterRest = { impressionsAfterRest: impressions, daysAfterRest: deliveredDays };
        if (reasons.length > 0) {
          out.ended.push(rest);
          const why = `fatigued again after its rest (${reasons.join('; ')})`;
          fatigue = startRest(score, why, { ...named(score), what: 'again', ...rests, restSince: rest.since, restUntil: until, reasons, fit: verdict.fit, ...afterRest });
        } else if (!explorable || !exploring || enough) {
          out.ended.push(rest);
          fatigue = { isFatigued: false, reason: null };
          out.trace.push({ ...named(score), what: 'back', since: rest.since, until, enough, explorable, fit: enough ? verdict.fit : null, ...afterRest });
        } else {
          fatigue = { isFatigued: false, reason: null };
          out.recovering.add(segmentKey(score));
          out.trace.push({ ...named(score), what: 'readmitted', since: rest.since, until, minImpressions: 2 * MIN_IMPRESSIONS_PER_SIDE, minDays: 2 * MIN_DAYS_PER_SIDE, ...afterRest });
        }
      }
    } else if (history?.daily !== undefined) {
      // The fit replaces the seed's recent-against-earlier z-test; frequency stays a separate reason.
      const verdict = fitVerdict(history.daily, settings);
      const frequency = frequencyFatigueReason(history.recent, settings);
      const reasons = [verdict.reason, frequency].filter((x) => x !== null);
      fatigue = reasons.length === 0 ? { isFatigued: false, reason: null } : startRest(score, reasons.join('; '), { ...named(score), what: 'started', ...rests, reasons, fit: verdict.fit });
    } else if (fatigue?.isFatigued === true) {
      // No daily points (the store did not load them, or a snapshot stored before they existed):
      // the seed's verdict stands, and fatigue rests all the same.
      fatigue = startRest(score, fatigue.reason ?? 'fatigued', { ...named(score), what: 'started_without_days', ...rests, reason: fatigue.reason });
    }
    if (fatigue !== undefined && (fatigue.isFatigued || fatigue.reason !== null)) verdicts.set(i, fatigue);
  }
  return out;
}
