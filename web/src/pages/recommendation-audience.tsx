// Interests and behaviors as ranked tables, demographics, audiences, frequency cap: what the
// recommendation targets, with the numbers the trace gives for each choice.
import type { Recommendation, TraceEvent } from '../api-types.ts';
import { number, percent } from '../format.ts';

interface SegmentRow {
  id: string;
  name: string;
  rank: number | null;
  value: number | null;
  composite: number | null;
  confidence: number | null;
  status: 'chosen' | 'explored' | 'excluded (fatigued)';
  note: string;
}

function segmentRows(rec: Recommendation, kind: 'interests' | 'behaviors'): SegmentRow[] {
  const trace = rec.reasoning.trace;
  const chosen = kind === 'interests' ? rec.interests.map((i) => ({ id: i.interest_id, name: i.interest_name, rank: i.rank, score: i.score })) : rec.behaviors.map((b) => ({ id: b.behavior_id, name: b.behavior_name, rank: b.rank, score: b.score }));
  const ranked = new Map(trace.filter((t) => t.step === kind && typeof t.numbers.rank === 'number').map((t) => [String(t.numbers.segment_id), t.numbers]));
  const explored = new Map(trace.filter((t) => t.step === `${kind}.explore`).map((t) => [String(t.numbers.segment_id), t]));
  const rests = new Map(trace.filter((t) => t.step === 'fatigue.rest').map((t) => [String(t.numbers.segment_id), t]));
  const rows: SegmentRow[] = chosen.map((c) => {
    const n = ranked.get(c.id);
    const e = explored.get(c.id);
    return {
      id: c.id,
      name: c.name,
      rank: c.rank,
      value: c.score,
      composite: typeof n?.composite === 'number' ? n.composite : null,
      confidence: typeof n?.confidence === 'number' ? n.confidence : null,
      status: e !== undefined ? 'explored' : 'chosen',
      note: e !== undefined ? e.decision : '',
    };
  });
  for (const t of trace.filter((x) => x.step === kind && x.decision.startsWith('excluded'))) {
    const id = String(t.numbers.segment_id);
    const rest = rests.get(id);
    rows.push({ id, name: t.decision.match(/"([^"]+)"/)?.[1] ?? id, rank: null, value: null, composite: typeof t.numbers.composite === 'number' ? t.numbers.composite : null, confidence: null, status: 'excluded (fatigued)', note: rest?.decision ?? String(t.numbers.reason ?? '') });
  }
  return rows;
}

export function SegmentTable({ rec, kind }: { rec: Recommendation; kind: 'interests' | 'behaviors' }) {
  const rows = segmentRows(rec, kind);
  const title = kind === 'interests' ? 'Interests' : 'Behaviors';
  if (rows.length === 0) return <p class="state empty">No {kind} chosen: the ad set's history has no {kind} with delivery.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={title}>
      <table>
        <caption>
          {title}, ranked (value relative to the best chosen; confidence of the estimate)
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">Rank</th>
            <th scope="col">{title.slice(0, -1)}</th>
            <th scope="col" class="num">Value</th>
            <th scope="col" class="num">Composite</th>
            <th scope="col" class="num">Confidence</th>
            <th scope="col">Status</th>
            <th scope="col">Evidence and rests</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} class={r.status.startsWith('excluded') ? 'muted' : undefined}>
              <td class="num">{r.rank ?? '–'}</td>
              <td>
                {r.name}
                <div class="sub">{r.id}</div>
              </td>
              <td class="num">{number(r.value, 3)}</td>
              <td class="num">{number(r.composite, 3)}</td>
              <td class="num">{percent(r.confidence, 0)}</td>
              <td>
                <span class={`badge ${r.status.startsWith('excluded') ? 'failed' : r.status === 'explored' ? 'partial' : 'completed'}`}>{r.status.startsWith('excluded') ? '⚠ fatigued' : r.status}</span>
              </td>
              <td class="note">{r.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Demographics({ rec }: { rec: Recommendation }) {
  const ages = rec.reasoning.trace.filter((t) => t.step === 'demographics.age' && typeof t.numbers.bucket === 'string');
  const genders = rec.reasoning.trace.filter((t) => t.step === 'demographics.gender' && typeof t.numbers.impressions === 'number');
  return (
    <div class="grid2">
      <div>
        <p>
          <strong>Age {rec.age_min}–{rec.age_max}</strong>, <strong>gender {rec.gender}</strong>
        </p>
        <BucketTable caption="Age buckets" rows={ages} name={(t) => String(t.numbers.bucket)} kept={(t) => t.numbers.kept === true} />
      </div>
      <div>
        <BucketTable caption="Genders" rows={genders} name={(t) => t.decision} kept={(t) => rec.gender === 'all' || rec.gender === t.decision} />
      </div>
    </div>
  );
}

function BucketTable({ caption, rows, name, kept }: { caption: string; rows: TraceEvent[]; name: (t: TraceEvent) => string; kept: (t: TraceEvent) => boolean }) {
  if (rows.length === 0) return <p class="state empty">No {caption.toLowerCase()} breakdown in the history.</p>;
  return (
    <div class="table-wrap"><table class="compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Bucket</th>
          <th scope="col" class="num">Score</th>
          <th scope="col" class="num">Impressions</th>
          <th scope="col">Targeted</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={name(t)}>
            <th scope="row">{name(t)}</th>
            <td class="num">{number(Number(t.numbers.score), 3)}</td>
            <td class="num">{number(Number(t.numbers.impressions))}</td>
            <td>{kept(t) ? '✓ yes' : '✗ no'}</td>
          </tr>
        ))}
      </tbody>
    </table></div>
  );
}

export function Audiences({ rec }: { rec: Recommendation }) {
  return (
    <div class="grid2">
      <div>
        <h3>Custom audiences</h3>
        {rec.custom_audiences.length === 0 ? (
          <p class="state empty">None proposed (no converters, pixel visitors or engagers in the history).</p>
        ) : (
          <ul>
            {rec.custom_audiences.map((c) => (
              <li key={c.audience_id}>
                <strong>{c.name}</strong> ({number(c.size)} people) — {c.description}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h3>Lookalikes</h3>
        {rec.lookalikes.length === 0 ? (
          <p class="state empty">None proposed.</p>
        ) : (
          <ul>
            {rec.lookalikes.map((l) => (
              <li key={l.name}>
                <strong>{l.name}</strong> ({percent(l.ratio, 0)} of {l.country_codes.join(', ')}) — {l.description}
              </li>
            ))}
          </ul>
        )}
        <h3>Frequency cap</h3>
        <p>
          At most <strong>{rec.frequency_cap}</strong> impressions per person every <strong>{rec.frequency_window_days}</strong> days.
        </p>
      </div>
    </div>
  );
}
