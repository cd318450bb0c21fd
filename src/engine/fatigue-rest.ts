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
import { frequencyFatigueReason } from './scoring.ts';
import { DEFAULT_FATIGUE_REST_DAYS, type AdSetSnapshot, type EngineSettings, type FatigueVerdict, type RestingSegment, type SegmentDay, type SegmentHistory, type SegmentScore, type NarratedTraceEvent, type TraceNumbers } from './types.ts';
import { segmentKey, type SegmentKey } from './segment-key.ts';

export interface FatigueJudgement {
  /** The scores, in the same order, with the fit's and the rests' verdicts. */
  scores: SegmentScore[];
  /** Interests and behaviors back from a rest: exploration slots only. */
  recovering: Set<SegmentKey>;
  /** Rests that begin with this decision (since = the snapshot's windowEnd). */
  started: RestingSegment[];
  /** Rests in force before this decision that it ends (the segment may start a new one). */
  ended: RestingSegment[];
  trace: NarratedTraceEvent[];
}

/** Days a rest lasts, with settings stored before the setting existed reading as the default. */
export function restDaysOf(settings: EngineSettings): number {
  return settings.fatigueRestDays ?? DEFAULT_FATIGUE_REST_DAYS;
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const sig = (x: number, digits: number) => Number(x.toPrecision(digits));

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

function fitNumbers(fit: ChangePointFit | null): TraceNumbers {
  if (fit === null) return { fit: 'too few days or impressions on each side of any break' };
  return {
    ctr_before: sig(fit.ctrBefore, 4),
    ctr_after: sig(fit.ctrAfter, 4),
    ctr_ratio: sig(fit.ratio, 4),
    break_date: fit.breakDate,
    break_cumulative_frequency: fit.breakFrequency === null ? null : sig(fit.breakFrequency, 4),
    likelihood_ratio: sig(fit.likelihoodRatio, 4),
    dispersion: sig(fit.dispersion, 4),
    p_value: sig(fit.pValue, 3),
    breaks_searched: fit.breaksSearched,
    days_fitted: fit.days,
  };
}

/**
 * The `bayes` verdicts for one ad set's segments. `scores` are scoreSegments' (the seed's verdicts)
 * in the order of adset.segments; `resting` are the rests in force for the campaign.
 */
export function judgeFatigue(
  adset: AdSetSnapshot,
  scores: readonly SegmentScore[],
  settings: EngineSettings,
  windowEnd: string,
  resting: readonly RestingSegment[],
  exploring: boolean,
): FatigueJudgement {
  const restDays = restDaysOf(settings);
  const restOf = new Map<SegmentKey, RestingSegment>();
  for (const r of resting) if (r.adsetId === adset.adsetId) restOf.set(segmentKey(r), r);
  const out: FatigueJudgement = { scores: [], recovering: new Set(), started: [], ended: [], trace: [] };
  const newUntil = addCalendarDays(windowEnd, restDays);

  const startRest = (s: SegmentScore, why: string, numbers: TraceNumbers): FatigueVerdict => {
    out.started.push({ adsetId: adset.adsetId, segmentType: s.segmentType, segmentId: s.segmentId, since: windowEnd });
    out.trace.push({
      step: 'fatigue.rest',
      decision: `"${s.segmentName}" rests from ${windowEnd} until ${newUntil}: ${why}`,
      numbers: { segment_id: s.segmentId, segment_type: s.segmentType, since: windowEnd, until: newUntil, rest_days: restDays, ...numbers },
    });
    return { isFatigued: true, reason: `${why}; resting since ${windowEnd} until ${newUntil}` };
  };

  scores.forEach((score, i) => {
    const history: SegmentHistory | undefined = adset.segments[i];
    const rest = restOf.get(segmentKey(score));
    let fatigue = score.fatigue;
    if (rest !== undefined) {
      const until = addCalendarDays(rest.since, restDays);
      if (windowEnd < until) {
        fatigue = { isFatigued: true, reason: `resting after fatigue since ${rest.since} until ${until}` };
        out.trace.push({ step: 'fatigue.rest', decision: `"${score.segmentName}" is still resting (since ${rest.since}, until ${until})`, numbers: { segment_id: score.segmentId, segment_type: score.segmentType, since: rest.since, until } });
      } else {
        // Only what it delivered since the rest ended speaks for it now: the decline before the
        // rest is still in the window and would call it fatigued again.
        const after = (history?.daily ?? []).filter((d) => d.date >= until);
        const verdict = fitVerdict(after, settings);
        const frequency = history === undefined ? null : frequencyFatigueReason(history.recent, settings);
        const why = [verdict.reason, frequency].filter((x) => x !== null).join('; ');
        const impressions = after.reduce((a, d) => a + d.impressions, 0);
        const deliveredDays = after.filter((d) => d.impressions > 0).length;
        const explorable = score.segmentType === 'interest' || score.segmentType === 'behavior';
        const enough = impressions >= 2 * MIN_IMPRESSIONS_PER_SIDE && deliveredDays >= 2 * MIN_DAYS_PER_SIDE;
        const base = { segment_id: score.segmentId, segment_type: score.segmentType, since: rest.since, until, impressions_after_rest: impressions, days_after_rest: deliveredDays };
        if (why !== '') {
          out.ended.push(rest);
          fatigue = startRest(score, `fatigued again after its rest (${why})`, { ...base, ...fitNumbers(verdict.fit) });
        } else if (!explorable || !exploring || enough) {
          out.ended.push(rest);
          fatigue = { isFatigued: false, reason: null };
          out.trace.push({
            step: 'fatigue.rest',
            decision: enough
              ? `"${score.segmentName}" is back: its ${impressions} impressions since its rest (${rest.since} to ${until}) show no fatigue`
              : `"${score.segmentName}" is back after its rest (${rest.since} to ${until}): ${explorable ? 'this decision does not explore, so it competes for the ranked slots' : 'only interests and behaviors are explored, so it competes as before'}`,
            numbers: { ...base, ...(enough ? fitNumbers(verdict.fit) : {}) },
          });
        } else {
          fatigue = { isFatigued: false, reason: null };
          out.recovering.add(segmentKey(score));
          out.trace.push({
            step: 'fatigue.rest',
            decision: `"${score.segmentName}" re-admitted to exploration after its rest (${rest.since} to ${until}): exploration slots only until its delivery since shows no fatigue (${impressions} of ${2 * MIN_IMPRESSIONS_PER_SIDE} impressions, ${deliveredDays} of ${2 * MIN_DAYS_PER_SIDE} days)`,
            numbers: base,
          });
        }
      }
    } else if (history?.daily !== undefined) {
      // The fit replaces the seed's recent-against-earlier z-test; frequency stays a separate reason.
      const verdict = fitVerdict(history.daily, settings);
      const frequency = frequencyFatigueReason(history.recent, settings);
      const why = [verdict.reason, frequency].filter((x) => x !== null).join('; ');
      fatigue = why === '' ? { isFatigued: false, reason: null } : startRest(score, why, fitNumbers(verdict.fit));
    } else if (fatigue.isFatigued) {
      // No daily points (the store did not load them, or a snapshot stored before they existed):
      // the seed's verdict stands, and fatigue rests all the same.
      fatigue = startRest(score, fatigue.reason ?? 'fatigued', { rule: 'recent against earlier CTR (z-test): no daily points' });
    }
    out.scores.push(fatigue === score.fatigue ? score : { ...score, fatigue });
  });
  return out;
}
