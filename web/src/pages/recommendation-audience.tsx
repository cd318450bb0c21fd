// Interests and behaviors as ranked tables, demographics, audiences, frequency cap: what the
// recommendation targets, with the numbers the trace gives for each choice.
import type { Recommendation, TraceEvent } from '../api-types.ts';
import { DASH, money, number, percent } from '../format.ts';
import { segmentRows, type Recording, type SegmentKind, type SegmentRow } from './segment-rows.ts';

const RECORDING_NOTE: Record<Recording, string | null> = {
  recorded: null,
  'no-value': 'This strategy makes no estimate of value per 1,000 impressions: that column shows –.',
  'not-recorded': 'The engine that decided this recommendation did not record each segment\'s value per 1,000 impressions or its evidence: those columns show –.',
  'no-ranking': null,
};

export function SegmentTable({ rec, kind }: { rec: Recommendation; kind: SegmentKind }) {
  const { rows, recording } = segmentRows(rec, kind);
  const title = kind === 'interests' ? 'Interests' : 'Behaviors';
  const currency = rec.reasoning.currency;
  const note = RECORDING_NOTE[recording];
  if (rows.length === 0) return <p class="state empty">No {kind} chosen: the ad set's history has no {kind} with delivery.</p>;
  return (
    <>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={title}>
        <table class="segments">
          <caption>
            {title}, ranked: estimated value per 1,000 impressions ({currency}) with its 90 % interval, the delivery from {rec.reasoning.window.start} to {rec.reasoning.window.end} it rests on and what it cost, composite score and confidence
          </caption>
          <thead>
            <tr>
              <th scope="col" class="num">Rank</th>
              <th scope="col">{title.slice(0, -1)}</th>
              <th scope="col" class="num">Value per 1,000 impressions (90 % interval)</th>
              <th scope="col" class="num">Evidence</th>
              <th scope="col" class="num">Composite</th>
              <th scope="col" class="num">Confidence</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <SegmentRowView key={r.id} row={r} currency={currency} />
            ))}
          </tbody>
        </table>
      </div>
      {note !== null && <p class="note">{note}</p>}
    </>
  );
}

function SegmentRowView({ row: r, currency }: { row: SegmentRow; currency: string }) {
  return (
    <tr class={r.status.kind === 'fatigued' ? 'muted' : undefined}>
      <td class="num rank" data-label="Rank">{r.rank ?? DASH}</td>
      <th scope="row">
        {r.name ?? DASH}
        <div class="sub">{r.id}</div>
      </th>
      <td class="num" data-label="Value per 1,000 impressions">
        {r.value === null ? (
          DASH
        ) : (
          <>
            {money(r.value.per1000, currency)}
            <div class="sub">
              90 %: {money(r.value.low, currency)} – {money(r.value.high, currency)}
            </div>
          </>
        )}
      </td>
      <td class="num evidence" data-label="Evidence">
        {r.evidence === null ? (
          DASH
        ) : (
          <>
            {number(r.evidence.impressions)} impressions
            <div class="sub">{number(r.evidence.clicks)} clicks</div>
            <div class="sub">{r.evidence.conversions === null ? 'conversions unknown' : `${number(r.evidence.conversions)} conversions`}</div>
            {r.evidence.costPer1000 === null ? null : <div class="sub">{money(r.evidence.costPer1000, currency)} per 1,000 impressions</div>}
          </>
        )}
      </td>
      <td class="num" data-label="Composite">{number(r.composite, 3)}</td>
      <td class="num" data-label="Confidence">{percent(r.confidence, 0)}</td>
      <td data-label="Status">
        <StatusView status={r.status} />
      </td>
    </tr>
  );
}

function StatusView({ status }: { status: SegmentRow['status'] }) {
  switch (status.kind) {
    case 'chosen':
      return (
        <>
          <span class="badge completed">✓ chosen</span>
          {status.note !== null && <div class="note">{status.note}</div>}
        </>
      );
    case 'explored':
      return (
        <>
          <span class="badge partial">◇ explored</span>
          <div class="note">{status.note}</div>
        </>
      );
    case 'fatigued':
      return (
        <>
          <span class="badge failed">⚠ fatigued</span>
          <div class="note">{status.reason ?? 'no reason recorded'}</div>
          {status.restingUntil !== null && <div class="note">resting until {status.restingUntil}</div>}
        </>
      );
  }
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
