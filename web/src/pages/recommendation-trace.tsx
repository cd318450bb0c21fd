// The reasoning trace as sentences grouped by step; each sentence's numbers open on demand.
import type { TraceEvent } from '../api-types.ts';

const STEP_TITLES: Record<string, string> = {
  budget: 'Budget',
  scores: 'Scoring',
  fatigue: 'Fatigue',
  geo: 'Geo split',
  pixel: 'Pixel events',
  priors: 'Priors',
  segments: 'Segments',
  interests: 'Interests',
  behaviors: 'Behaviors',
  explore: 'Exploration',
  custom_audiences: 'Custom audiences',
  lookalikes: 'Lookalikes',
  demographics: 'Age and gender',
  frequency: 'Frequency cap',
  expected: 'Expected performance',
};

export function Trace({ trace }: { trace: TraceEvent[] }) {
  const groups = new Map<string, TraceEvent[]>();
  for (const t of trace) {
    const group = t.step.split('.')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), t]);
  }
  return (
    <div class="trace">
      {[...groups].map(([group, events]) => (
        <details key={group}>
          <summary>
            {STEP_TITLES[group] ?? group} <span class="sub">({events.length})</span>
          </summary>
          <ol>
            {events.map((t, i) => (
              <li key={i}>
                {t.decision}
                {Object.keys(t.numbers).length > 0 && (
                  <details class="numbers">
                    <summary>numbers</summary>
                    <dl>
                      {Object.entries(t.numbers).map(([k, v]) => (
                        <div key={k}>
                          <dt>{k}</dt>
                          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
                        </div>
                      ))}
                    </dl>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </details>
      ))}
    </div>
  );
}
