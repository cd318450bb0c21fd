// @vitest-environment happy-dom
// The interests and behaviors tables as a browser shows them, from two recommendation documents: one
// whose ranking lines carry the segment's name, delivery and value with its interval, and one stored
// by an engine that recorded none of these. A German locale proves the numbers follow the browser's.
import { render } from 'preact';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Recommendation, TraceEvent } from '../api-types.ts';
import type { SegmentTable as Table } from './recommendation-audience.tsx';

let SegmentTable: typeof Table;

beforeAll(async () => {
  vi.stubGlobal('navigator', { language: 'de-DE', languages: ['de-DE'] });
  // format.ts reads the locale when it loads: load it after the stub.
  vi.resetModules();
  ({ SegmentTable } = await import('./recommendation-audience.tsx'));
});
afterAll(() => vi.unstubAllGlobals());

let container: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '';
  container = document.createElement('div');
  document.body.append(container);
});

const NBSP = '\u00a0';
const eur = (s: string) => `${s}${NBSP}€`;

function recommendation(trace: TraceEvent[], chosen: Pick<Recommendation, 'interests' | 'behaviors'>, strategy = 'bayes'): Recommendation {
  return {
    recommendation_id: 'rec-1',
    run_id: 'run-1',
    created_at: '2026-12-01T06:00:00.000Z',
    adset_id: 'as-1',
    campaign_id: '777000111',
    countries: ['ES'],
    geo_allocations: [],
    age_min: 25,
    age_max: 54,
    gender: 'all',
    ...chosen,
    custom_audiences: [],
    lookalikes: [],
    frequency_cap: 3,
    frequency_window_days: 7,
    total_budget: 100,
    budget_per_segment: {},
    reasoning: {
      method: 'bayesian',
      strategy,
      geo_constraint: 'ES >= 35%',
      top_interests_count: 3,
      top_behaviors_count: 0,
      lookalikes_generated: 0,
      total_budget: 100,
      spain_allocation_pct: 40,
      currency: 'EUR',
      window: { start: '2026-11-01', end: '2026-11-30' },
      priors: { ctr: 0.01, cvr: 0.02, roas: 2, strength: 10 },
      trace,
    },
    expected_ctr: 0.012,
    expected_cvr: 0.03,
    expected_roas: 2.4,
    confidence: 0.7,
  };
}

const interests: Recommendation['interests'] = [
  { interest_id: '6003', interest_name: 'Running', score: 0.8123, rank: 1 },
  { interest_id: '6004', interest_name: 'Yoga', score: 0.5, rank: 2 },
  { interest_id: '6005', interest_name: 'Cycling', score: 0.3, rank: 3 },
];

const explored: TraceEvent = {
  step: 'interests.explore',
  decision: 'explored "Cycling": posterior draw 0.00210 per impression, rank 1 among 4 draws; sample 900 impressions',
  numbers: { segment_id: '6005', rank: 3, draw_minor_per_impression: 0.0021, draw_rank: 1, draws: 4, impressions: 900 },
};
const rest: TraceEvent = {
  step: 'fatigue.rest',
  decision: '"Golf" rests from 2026-11-30 until 2026-12-14: CTR fell',
  numbers: { segment_id: '6006', segment_type: 'interest', since: '2026-11-30', until: '2026-12-14', rest_days: 14 },
};

const withEvidence = recommendation(
  [
    rest,
    { step: 'interests', decision: 'excluded "Golf": fatigued (CTR fell 41 % against its earlier days)', numbers: { segment_id: '6006', segment_name: 'Golf', composite: 0.61, reason: 'CTR fell 41 % against its earlier days' } },
    { step: 'interests', decision: 'rank 1: "Running"', numbers: { segment_id: '6003', segment_name: 'Running', rank: 1, composite: 0.8123, confidence: 0.74, score: 0.8123, impressions: 12345, clicks: 234, conversions: 12, cost_per_1000: 2.1, value_per_1000: 4.5, value_low: 3.25, value_high: 6.1 } },
    { step: 'interests', decision: 'rank 2: "Yoga"', numbers: { segment_id: '6004', segment_name: 'Yoga', rank: 2, composite: 0.5, confidence: 0.415, score: 0.5, impressions: 800, clicks: 9, conversions: null, value_per_1000: 1.2, value_low: 0.05, value_high: 3.9 } },
    explored,
  ],
  { interests, behaviors: [] },
);

const recordedBefore = recommendation(
  [
    rest,
    { step: 'interests', decision: 'excluded "Golf": fatigued (CTR fell 41 % against its earlier days)', numbers: { segment_id: '6006', composite: 0.61, reason: 'CTR fell 41 % against its earlier days' } },
    { step: 'interests', decision: 'rank 1: "Running"', numbers: { segment_id: '6003', rank: 1, composite: 0.8123, confidence: 0.74, score: 0.8123 } },
    { step: 'interests', decision: 'rank 2: "Yoga"', numbers: { segment_id: '6004', rank: 2, composite: 0.5, confidence: 0.415, score: 0.5 } },
    explored,
  ],
  { interests, behaviors: [] },
);

/** Each body row as its cells' text, the cells' lines joined by " | ". */
function rowsOf(table: HTMLTableElement): string[][] {
  return [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cellText(cell)));
}

function cellText(cell: Element): string {
  const lines: string[] = [];
  let own = '';
  for (const node of cell.childNodes) {
    if (node.nodeType === 1 && (node as Element).tagName === 'DIV') lines.push(node.textContent ?? '');
    else own += node.textContent ?? '';
  }
  return [own, ...lines].filter((l) => l !== '').join(' | ');
}

function table(): HTMLTableElement {
  const t = container.querySelector('table');
  if (t === null) throw new Error('no table rendered');
  return t;
}

describe('the interests table', () => {
  it('shows each ranked segment\'s value per 1,000 impressions with its 90 % interval and its evidence, in the browser\'s locale and the account currency', () => {
    render(<SegmentTable rec={withEvidence} kind="interests" />, container);
    expect([...table().querySelectorAll('thead th')].map((c) => [c.textContent, c.getAttribute('scope')])).toEqual([
      ['Rank', 'col'],
      ['Interest', 'col'],
      ['Value per 1,000 impressions (90 % interval)', 'col'],
      ['Evidence', 'col'],
      ['Composite', 'col'],
      ['Confidence', 'col'],
      ['Status', 'col'],
    ]);
    expect(rowsOf(table())).toEqual([
      ['1', 'Running | 6003', `${eur('4,50')} | 90 %: ${eur('3,25')} – ${eur('6,10')}`, `12.345 impressions | 234 clicks | 12 conversions | ${eur('2,10')} per 1,000 impressions`, '0,812', `74${NBSP}%`, '✓ chosen'],
      ['2', 'Yoga | 6004', `${eur('1,20')} | 90 %: ${eur('0,05')} – ${eur('3,90')}`, '800 impressions | 9 clicks | conversions unknown', '0,500', `42${NBSP}%`, '✓ chosen'],
      ['3', 'Cycling | 6005', '–', '–', '–', '–', `◇ explored | ${explored.decision}`],
      ['–', 'Golf | 6006', '–', '–', '0,610', '–', '⚠ fatigued | CTR fell 41 % against its earlier days | resting until 2026-12-14'],
    ]);
    // The name is each row's header; the table is named by its caption.
    expect([...table().querySelectorAll('tbody tr')].map((tr) => tr.querySelector('th[scope="row"]')?.firstChild?.textContent)).toEqual(['Running', 'Yoga', 'Cycling', 'Golf']);
    expect(table().querySelector('caption')?.textContent).toBe('Interests, ranked: estimated value per 1,000 impressions (EUR) with its 90 % interval, the delivery from 2026-11-01 to 2026-11-30 it rests on and what it cost, composite score and confidence');
    expect(container.querySelector('p.note')).toBeNull();
  });

  it('shows – and says the engine did not record them when the recommendation\'s ranking lines have no value or evidence, without reading names from sentences', () => {
    render(<SegmentTable rec={recordedBefore} kind="interests" />, container);
    expect(rowsOf(table())).toEqual([
      ['1', 'Running | 6003', '–', '–', '0,812', `74${NBSP}%`, '✓ chosen'],
      ['2', 'Yoga | 6004', '–', '–', '0,500', `42${NBSP}%`, '✓ chosen'],
      ['3', 'Cycling | 6005', '–', '–', '–', '–', `◇ explored | ${explored.decision}`],
      ['–', '– | 6006', '–', '–', '0,610', '–', '⚠ fatigued | CTR fell 41 % against its earlier days | resting until 2026-12-14'],
    ]);
    expect([...container.querySelectorAll('p.note')].map((p) => p.textContent)).toEqual([
      "The engine that decided this recommendation did not record each segment's value per 1,000 impressions or its evidence: those columns show –.",
    ]);
  });
});

describe('the behaviors table', () => {
  it('shows the evidence and says the strategy makes no value estimate when the values are null', () => {
    const rec = recommendation(
      [{ step: 'behaviors', decision: 'rank 1: "Frequent travellers"', numbers: { segment_id: '7001', segment_name: 'Frequent travellers', rank: 1, composite: 0.4, confidence: 0.3, score: 0.4, impressions: 5000, clicks: 40, conversions: 0, value_per_1000: null, value_low: null, value_high: null } }],
      { interests: [], behaviors: [{ behavior_id: '7001', behavior_name: 'Frequent travellers', score: 0.4, rank: 1 }] },
      'seed',
    );
    render(<SegmentTable rec={rec} kind="behaviors" />, container);
    expect(rowsOf(table())).toEqual([['1', 'Frequent travellers | 7001', '–', '5.000 impressions | 40 clicks | 0 conversions', '0,400', `30${NBSP}%`, '✓ chosen']]);
    expect([...container.querySelectorAll('p.note')].map((p) => p.textContent)).toEqual(['This strategy makes no estimate of value per 1,000 impressions: that column shows –.']);
  });

  it('says how to get behaviors when none was chosen or excluded', () => {
    render(<SegmentTable rec={recommendation([], { interests: [], behaviors: [] })} kind="behaviors" />, container);
    expect(container.querySelector('table')).toBeNull();
    expect(container.textContent).toBe("No behaviors chosen: the ad set's history has no behaviors with delivery.");
  });
});
