// The rows of the interests and behaviors tables, read from the recommendation's trace numbers
// (never from its sentences). The engine records a ranked segment's name, its delivery in the
// decision's window and the strategy's value per 1,000 impressions with its 90 % interval on the
// ranking line; recommendations decided before it did have none of these, and show none.
import type { Recommendation, TraceEvent } from '../api-types.ts';

export type SegmentKind = 'interests' | 'behaviors';
type Numbers = TraceEvent['numbers'];

export interface Evidence {
  impressions: number;
  clicks: number;
  /** null: the history does not say (no conversion tracking). */
  conversions: number | null;
  /** What 1,000 impressions cost in the window, major units; null where the engine did not record it. */
  costPer1000: number | null;
}

/** The strategy's estimated value per 1,000 impressions, account currency (major units). */
export interface ValueEstimate {
  per1000: number;
  low: number;
  high: number;
}

export type SegmentStatus =
  | { kind: 'chosen'; note: string | null }
  | { kind: 'explored'; note: string }
  | { kind: 'fatigued'; reason: string | null; restingUntil: string | null };

export interface SegmentRow {
  id: string;
  name: string | null;
  rank: number | null;
  value: ValueEstimate | null;
  evidence: Evidence | null;
  composite: number | null;
  confidence: number | null;
  status: SegmentStatus;
}

/**
 * recorded: the ranking lines carry value and evidence; no-value: evidence only (the strategy makes
 * no value estimate); not-recorded: the engine that decided recorded neither; no-ranking: nothing
 * was ranked (every row explored or excluded), so there is nothing to say.
 */
export type Recording = 'recorded' | 'no-value' | 'not-recorded' | 'no-ranking';

export interface SegmentTableData {
  rows: SegmentRow[];
  recording: Recording;
}

const num = (n: Numbers | undefined, key: string): number | null => (typeof n?.[key] === 'number' ? n[key] : null);
const str = (n: Numbers | undefined, key: string): string | null => (typeof n?.[key] === 'string' ? n[key] : null);

export function evidenceOf(n: Numbers | undefined): Evidence | null {
  const impressions = num(n, 'impressions');
  const clicks = num(n, 'clicks');
  return impressions === null || clicks === null ? null : { impressions, clicks, conversions: num(n, 'conversions'), costPer1000: num(n, 'cost_per_1000') };
}

export function valueOf(n: Numbers | undefined): ValueEstimate | null {
  const per1000 = num(n, 'value_per_1000');
  const low = num(n, 'value_low');
  const high = num(n, 'value_high');
  return per1000 === null || low === null || high === null ? null : { per1000, low, high };
}

function recordingOf(rankingLines: readonly Numbers[]): Recording {
  if (rankingLines.length === 0) return 'no-ranking';
  if (rankingLines.some((n) => valueOf(n) !== null)) return 'recorded';
  return rankingLines.some((n) => evidenceOf(n) !== null) ? 'no-value' : 'not-recorded';
}

function chosenOf(rec: Recommendation, kind: SegmentKind): { id: string; name: string; rank: number }[] {
  return kind === 'interests'
    ? rec.interests.map((i) => ({ id: i.interest_id, name: i.interest_name, rank: i.rank }))
    : rec.behaviors.map((b) => ({ id: b.behavior_id, name: b.behavior_name, rank: b.rank }));
}

export function segmentRows(rec: Recommendation, kind: SegmentKind): SegmentTableData {
  const trace = rec.reasoning.trace;
  const type = kind === 'interests' ? 'interest' : 'behavior';
  const ranking = trace.filter((t) => t.step === kind && typeof t.numbers.rank === 'number').map((t) => t.numbers);
  const rankedById = new Map(ranking.map((n) => [String(n.segment_id), n]));
  const explored = new Map(trace.filter((t) => t.step === `${kind}.explore`).map((t) => [String(t.numbers.segment_id), t]));
  // Rests of this kind only: an interest and a behavior may share an id.
  const rests = new Map(trace.filter((t) => t.step === 'fatigue.rest' && (t.numbers.segment_type ?? type) === type).map((t) => [String(t.numbers.segment_id), t]));

  const rows: SegmentRow[] = chosenOf(rec, kind).map((c) => {
    const n = rankedById.get(c.id);
    const e = explored.get(c.id);
    return {
      id: c.id,
      name: c.name,
      rank: c.rank,
      value: valueOf(n),
      evidence: evidenceOf(n),
      composite: num(n, 'composite'),
      confidence: num(n, 'confidence'),
      status: e !== undefined ? { kind: 'explored', note: e.decision } : { kind: 'chosen', note: rests.get(c.id)?.decision ?? null },
    };
  });
  for (const t of trace.filter((x) => x.step === kind && x.decision.startsWith('excluded'))) {
    const id = String(t.numbers.segment_id);
    rows.push({
      id,
      name: str(t.numbers, 'segment_name'),
      rank: null,
      value: null,
      evidence: null,
      composite: num(t.numbers, 'composite'),
      confidence: null,
      status: { kind: 'fatigued', reason: str(t.numbers, 'reason'), restingUntil: str(rests.get(id)?.numbers, 'until') },
    });
  }
  return { rows, recording: recordingOf(ranking) };
}
