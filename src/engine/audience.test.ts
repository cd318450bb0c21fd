import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  GENRES,
  PIXEL_GENRE_BOOST,
  buildCustomAudiences,
  buildLookalikes,
  chooseDemographics,
  genreOfText,
  genreShares,
  selectBehaviors,
  selectInterests,
} from './audience.ts';
import type { AudienceEvidence } from './audience.ts';
import { emptyMetrics } from './metrics.ts';
import type { CustomAudienceChoice, DemographicHistory, EngineSettings, Metrics, SegmentScore, SegmentType } from './types.ts';
import { SPEC_SETTINGS } from './test-settings.ts';
import { presentTraceEvent } from '../presentation/present-trace.ts';

/** The demographic choice's trace as the document words it. */
const lines = (choice: { trace: Parameters<typeof presentTraceEvent>[0][] }) => choice.trace.map(presentTraceEvent);

const settings: EngineSettings = SPEC_SETTINGS;
const EUR = 100;

function segment(
  segmentId: string,
  segmentName: string,
  composite: number,
  opts: { type?: SegmentType; fatigueReason?: string } = {},
): SegmentScore {
  return {
    segmentType: opts.type ?? 'interest',
    segmentId,
    segmentName,
    smoothedCtr: 0.02,
    smoothedCvr: 0.03,
    smoothedRoas: 3,
    confidence: 0.9,
    composite,
    fatigue: opts.fatigueReason ? { isFatigued: true, reason: opts.fatigueReason } : { isFatigued: false, reason: null },
  };
}

function metrics(impressions: number, clicks: number, conversions: number | null, spendMinor: number, revenueMinor: number | null): Metrics {
  return {
    ...emptyMetrics(),
    impressions,
    clicks,
    spendMinor,
    conversions: conversions ?? 0,
    clicksWithConversions: conversions === null ? 0 : clicks,
    revenueMinor: revenueMinor ?? 0,
    spendWithRevenueMinor: revenueMinor === null ? 0 : spendMinor,
  };
}

// 10 % CTR, 20 % CVR, 10x ROAS: every smoothed rate stays at or above the top of its normalisation
// range down to 600 impressions, so the score is exactly the confidence.
function strong(impressions: number): Metrics {
  const clicks = impressions / 10;
  const spend = impressions * 10;
  return metrics(impressions, clicks, clicks / 5, spend, spend * 10);
}

// Below every prior (1 % CTR, no conversions, 1x ROAS): score 0.
function weak(impressions: number): Metrics {
  return metrics(impressions, impressions / 100, 0, impressions * 10, impressions * 10);
}

describe('genreOfText', () => {
  it.each([
    ['Action movies', 'action'],
    ['Stand-up comedy', 'comedy'],
    ['Video games', 'gaming'],
    ['VIDEOGAMES', 'gaming'],
    ['Running', 'fitness'],
    ['Street food', 'food'],
    ['Horror films', 'horror'],
    ['Películas de acción', 'action'],
    ['Online shoppers', null],
    ['Transaction fees', null],
    ['Cattle ranching', null],
  ])('%s → %s', (text, genre) => {
    expect(genreOfText(text)).toBe(genre);
  });

  it('picks the genre matched last (the head noun) when several match', () => {
    expect(genreOfText('Sports cars')).toBe('automotive');
    expect(genreOfText('Action games')).toBe('gaming');
    expect(genreOfText('Romantic comedy')).toBe('comedy');
  });

  it('knows every genre in GENRES by its own name', () => {
    for (const genre of GENRES) expect(genreOfText(genre)).toBe(genre);
  });
});

describe('genreShares', () => {
  it('weights Purchase 4, AddToCart 2, ViewContent 1, PageView 0.5, others 1, and ignores unmapped categories', () => {
    const shares = genreShares([
      { eventName: 'Purchase', contentCategory: 'Action', count: 10 }, // 40
      { eventName: 'PageView', contentCategory: 'action movies', count: 20 }, // 10
      { eventName: 'AddToCart', contentCategory: 'Comedy', count: 5 }, // 10
      { eventName: 'ViewContent', contentCategory: 'Horror', count: 4 }, // 4
      { eventName: 'Lead', contentCategory: 'Horror', count: 6 }, // 6
      { eventName: 'Purchase', contentCategory: 'misc', count: 1000 }, // no genre
    ]);
    expect(shares.get('action')).toBeCloseTo(50 / 70, 12);
    expect(shares.get('comedy')).toBeCloseTo(10 / 70, 12);
    expect(shares.get('horror')).toBeCloseTo(10 / 70, 12);
    expect([...shares.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('is empty when no event maps to a genre', () => {
    expect(genreShares([]).size).toBe(0);
    expect(genreShares([{ eventName: 'Purchase', contentCategory: 'misc', count: 9 }]).size).toBe(0);
  });

  it('sums to 1 for any events with a mapped genre', () => {
    const event = fc.record({
      eventName: fc.constantFrom('Purchase', 'AddToCart', 'ViewContent', 'PageView', 'Search'),
      contentCategory: fc.constantFrom('action', 'comedy', 'Video games', 'nothing here'),
      count: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(event), (events) => {
        const shares = genreShares(events);
        if (shares.size === 0) return;
        expect([...shares.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }),
    );
  });
});

describe('selectInterests', () => {
  const many = Array.from({ length: 20 }, (_, i) => segment(`int_${String(i).padStart(2, '0')}`, `Interest ${i}`, (20 - i) / 40));

  it('keeps the top `max` by composite, ranked 1..n, with the cut line in the trace', () => {
    const { selected, trace: events } = selectInterests(many, new Map(), 15);
    const trace = events.map(presentTraceEvent);
    expect(selected).toHaveLength(15);
    expect(selected.map((s) => s.rank)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(selected[0]).toEqual({ segmentId: 'int_00', segmentName: 'Interest 0', score: 0.5, rank: 1 });
    expect(selected.at(-1)?.segmentId).toBe('int_14');
    const cut = trace.find((t) => t.decision.startsWith('cut line'));
    expect(cut?.numbers).toMatchObject({ cut_segment_id: 'int_15', cut_score: 0.125, max: 15, eligible: 20 });
  });

  it('says when everything fits under the limit', () => {
    const { selected, trace: events } = selectInterests(many.slice(0, 3), new Map(), 15);
    const trace = events.map(presentTraceEvent);
    expect(selected).toHaveLength(3);
    expect(trace.at(-1)?.numbers).toMatchObject({ cut_score: null, eligible: 3 });
  });

  it('excludes fatigued interests and puts the reason in the trace', () => {
    const reason = 'CTR fell 40% (1.20% in the last 7 days vs 2.00% before; z = -3.1)';
    const scores = [segment('int_a', 'A', 0.9, { fatigueReason: reason }), segment('int_b', 'B', 0.3)];
    const { selected, trace: events } = selectInterests(scores, new Map(), 15);
    const trace = events.map(presentTraceEvent);
    expect(selected.map((s) => s.segmentId)).toEqual(['int_b']);
    const excluded = trace.find((t) => t.numbers.segment_id === 'int_a');
    expect(excluded?.decision).toContain('fatigued');
    expect(excluded?.numbers.reason).toBe(reason);
  });

  it('ignores segments of other types', () => {
    const scores = [segment('beh_1', 'Frequent travellers', 0.9, { type: 'behavior' }), segment('int_1', 'Travel', 0.1)];
    expect(selectInterests(scores, new Map(), 15).selected.map((s) => s.segmentId)).toEqual(['int_1']);
  });

  it('lets the pixel genre boost reorder two close interests', () => {
    const scores = [segment('int_comedy', 'Stand-up comedy', 0.5), segment('int_action', 'Action movies', 0.48)];
    const shares = new Map([['action', 1]]);
    const { selected, trace: events } = selectInterests(scores, shares, 15);
    const trace = events.map(presentTraceEvent);
    expect(selected.map((s) => s.segmentId)).toEqual(['int_action', 'int_comedy']);
    expect(selected[0]?.score).toBeCloseTo(0.48 * (1 + PIXEL_GENRE_BOOST), 4);
    expect(trace.find((t) => t.numbers.segment_id === 'int_action')?.numbers).toMatchObject({ genre: 'action', pixel_share: 1, composite: 0.48 });
  });

  it('does not let the boost lift an interest over a much better one', () => {
    const scores = [segment('int_comedy', 'Stand-up comedy', 0.7), segment('int_action', 'Action movies', 0.48)];
    const { selected } = selectInterests(scores, new Map([['action', 1]]), 15);
    expect(selected.map((s) => s.segmentId)).toEqual(['int_comedy', 'int_action']);
  });

  it('breaks ties by segment id and rounds scores to 4 decimals', () => {
    const scores = [segment('int_b', 'B', 0.123456), segment('int_a', 'A', 0.123456)];
    const { selected } = selectInterests(scores, new Map(), 15);
    expect(selected.map((s) => [s.segmentId, s.score])).toEqual([['int_a', 0.1235], ['int_b', 0.1235]]);
  });

  it('returns nothing for max 0', () => {
    expect(selectInterests(many, new Map(), 0).selected).toEqual([]);
  });

  it('agrees with a plain sort of boosted scores (the shortcut for large inputs loses nothing)', () => {
    const names = ['Action movies', 'Stand-up comedy', 'Video games', 'Running', 'Street food', 'Online shoppers'];
    const input = fc.record({
      scores: fc.array(fc.record({ name: fc.constantFrom(...names), composite: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 20, maxLength: 80 }),
      shares: fc.dictionary(fc.constantFrom('action', 'comedy', 'gaming', 'fitness', 'food'), fc.double({ min: 0, max: 1, noNaN: true })),
      max: fc.integer({ min: 0, max: 15 }),
    });
    fc.assert(
      fc.property(input, ({ scores, shares, max }) => {
        const segments = scores.map((s, i) => segment(`int_${i}`, s.name, s.composite));
        const shareMap = new Map(Object.entries(shares));
        const expected = segments
          .map((s) => ({ id: s.segmentId, boosted: s.composite * (1 + PIXEL_GENRE_BOOST * (shareMap.get(genreOfText(s.segmentName) ?? '') ?? 0)) }))
          .sort((a, b) => b.boosted - a.boosted || (a.id < b.id ? -1 : 1))
          .slice(0, max)
          .map((e) => e.id);
        expect(selectInterests(segments, shareMap, max).selected.map((s) => s.segmentId)).toEqual(expected);
      }),
    );
  });
});

describe('selectBehaviors', () => {
  it('ranks behaviors only, respects max, excludes fatigued with the reason', () => {
    const scores = [
      segment('beh_1', 'Engaged shoppers', 0.6, { type: 'behavior' }),
      segment('beh_2', 'Frequent travellers', 0.8, { type: 'behavior', fatigueReason: 'frequency 5.2' }),
      segment('beh_3', 'Early adopters', 0.7, { type: 'behavior' }),
      segment('beh_4', 'Console gamers', 0.2, { type: 'behavior' }),
      segment('int_1', 'Action movies', 0.99),
    ];
    const { selected, trace: events } = selectBehaviors(scores, 2);
    const trace = events.map(presentTraceEvent);
    expect(selected).toEqual([
      { segmentId: 'beh_3', segmentName: 'Early adopters', score: 0.7, rank: 1 },
      { segmentId: 'beh_1', segmentName: 'Engaged shoppers', score: 0.6, rank: 2 },
    ]);
    expect(trace.find((t) => t.numbers.segment_id === 'beh_2')?.numbers.reason).toBe('frequency 5.2');
    expect(trace.at(-1)?.numbers).toMatchObject({ cut_segment_id: 'beh_4', cut_score: 0.2 });
  });
});

describe('buildCustomAudiences', () => {
  function evidence(overrides: Partial<AudienceEvidence>): AudienceEvidence {
    return { campaignId: '12345', total: metrics(100_000, 2000, 150, 500_000, 1_500_000), pixelEvents: [], existing: [], ...overrides };
  }

  it('proposes converters, pixel visitors and engagers at 100+ people, best seed first', () => {
    const { selected } = buildCustomAudiences(
      evidence({ pixelEvents: [{ eventName: 'PageView', contentCategory: 'action', count: 800 }, { eventName: 'Purchase', contentCategory: 'action', count: 50 }] }),
    );
    expect(selected).toEqual([
      { audienceId: 'ca_converters_12345', name: 'Custom - converters', size: 150, origin: { kind: 'proposed', source: 'converters' } },
      { audienceId: 'ca_pixel_visitors_12345', name: 'Custom - pixel visitors', size: 800, origin: { kind: 'proposed', source: 'pixel_visitors' } },
      { audienceId: 'ca_engagers_12345', name: 'Custom - engagers', size: 2000, origin: { kind: 'proposed', source: 'engagers' } },
    ]);
  });

  it('skips sources under 100 people or unknown, saying why', () => {
    const { selected, trace: events } = buildCustomAudiences(
      evidence({ total: metrics(50_000, 99, 12, 100_000, 300_000), pixelEvents: [{ eventName: 'PageView', contentCategory: 'x', count: 100 }] }),
    );
    const trace = events.map(presentTraceEvent);
    expect(selected.map((s) => s.audienceId)).toEqual(['ca_pixel_visitors_12345']);
    const converters = trace.find((t) => t.decision.startsWith('skipped converters'));
    expect(converters?.decision).toContain('below');
    expect(converters?.numbers).toMatchObject({ size: 12, min_size: 100 });
    expect(trace.find((t) => t.decision.startsWith('skipped engagers'))?.numbers).toMatchObject({ size: 99 });

    const unknown = buildCustomAudiences(evidence({ total: metrics(50_000, 500, null, 100_000, null) }));
    expect(unknown.selected.map((s) => s.audienceId)).toEqual(['ca_engagers_12345']);
    expect(unknown.trace.map(presentTraceEvent).find((t) => t.decision.startsWith('skipped converters'))?.decision).toContain('unknown');
    expect(unknown.trace.map(presentTraceEvent).find((t) => t.decision.startsWith('skipped pixel visitors'))?.decision).toContain('no pixel data');
  });

  it('keeps good existing custom audiences by composite between pixel visitors and engagers', () => {
    const existing = [
      { ...segment('ca_old_buyers', 'Old buyers', 0.3, { type: 'custom_audience' }), clicks: 420 },
      segment('ca_newsletter', 'Newsletter', 0.5, { type: 'custom_audience' }),
      segment('ca_tired', 'Tired', 0.9, { type: 'custom_audience', fatigueReason: 'frequency 6.0' }),
      segment('ca_zero', 'Zero', 0, { type: 'custom_audience' }),
      segment('lal_1', 'Lookalike 1%', 0.8, { type: 'lookalike' }),
    ];
    const { selected, trace: events } = buildCustomAudiences(evidence({ existing }));
    const trace = events.map(presentTraceEvent);
    expect(selected.map((s) => [s.audienceId, s.size])).toEqual([
      ['ca_converters_12345', 150],
      ['ca_newsletter', 0],
      ['ca_old_buyers', 420],
      ['ca_engagers_12345', 2000],
    ]);
    expect(trace.find((t) => t.numbers.segment_id === 'ca_tired')?.decision).toContain('fatigued');
    expect(trace.find((t) => t.numbers.segment_id === 'ca_zero')?.decision).toContain('not above 0');
    expect(trace.find((t) => t.numbers.segment_id === 'ca_old_buyers' && t.decision.startsWith('kept'))?.decision).toContain('lower bound');
  });
});

describe('buildLookalikes', () => {
  const best: CustomAudienceChoice = { audienceId: 'ca_converters_12345', name: 'Custom - converters', size: 5000, origin: { kind: 'proposed', source: 'converters' } };

  it('makes 1 %, 3 %, 5 % in that order for the recommended countries', () => {
    const { selected } = buildLookalikes(best, ['ES', 'MX', 'AR'], 3);
    expect(selected.map((l) => l.ratio)).toEqual([0.01, 0.03, 0.05]);
    expect(selected[0]).toEqual({ sourceAudienceId: 'ca_converters_12345', countryCodes: ['ES', 'MX', 'AR'], ratio: 0.01, name: 'Lookalike 1% - ES+MX+AR' });
    expect(selected.map((l) => l.name)).toEqual(['Lookalike 1% - ES+MX+AR', 'Lookalike 3% - ES+MX+AR', 'Lookalike 5% - ES+MX+AR']);
  });

  it('stops at max', () => {
    expect(buildLookalikes(best, ['ES'], 2).selected.map((l) => l.ratio)).toEqual([0.01, 0.03]);
    expect(buildLookalikes(best, ['ES'], 0).selected).toEqual([]);
    expect(buildLookalikes(best, ['ES'], 10).selected).toHaveLength(3);
  });

  it('makes none without a source or countries, and says why', () => {
    const noSource = buildLookalikes(null, ['ES'], 3);
    expect(noSource.selected).toEqual([]);
    expect(noSource.trace).toEqual([{ kind: 'lookalikes.none', sourceAudienceId: null, max: 3 }]);
    const noCountries = buildLookalikes(best, [], 3);
    expect(noCountries.selected).toEqual([]);
    expect(noCountries.trace).toEqual([{ kind: 'lookalikes.none', sourceAudienceId: best.audienceId, max: 3 }]);
  });
});

describe('chooseDemographics', () => {
  function ages(byBucket: Partial<Record<DemographicHistory['age'], Metrics>>): DemographicHistory[] {
    return Object.entries(byBucket).map(([age, total]) => ({ age: age as DemographicHistory['age'], gender: '', total: total! }));
  }

  it('chooses the clearly winning age range', () => {
    const choice = chooseDemographics(
      ages({ '18-24': weak(10_000), '25-34': strong(10_000), '35-44': strong(10_000), '45-54': weak(10_000), '65+': weak(10_000) }),
      settings,
      EUR,
    );
    expect([choice.ageMin, choice.ageMax]).toEqual([25, 44]);
    expect(lines(choice).find((t) => t.numbers.bucket === '18-24')?.numbers).toMatchObject({ kept: false, score: 0 });
    expect(lines(choice).find((t) => t.numbers.age_min === 25)?.numbers).toMatchObject({ best_bucket: '25-34', best_score: 0.95 });
  });

  it('keeps a bucket at 0.7 of the best and drops one below it', () => {
    // Same rates, less evidence: scores are the confidences, 0.7 (1,000 impr.) and 0.62 (600 impr.) vs 0.95.
    const kept = chooseDemographics(ages({ '35-44': strong(10_000), '45-54': strong(1000) }), settings, EUR);
    expect([kept.ageMin, kept.ageMax]).toEqual([35, 54]);
    const dropped = chooseDemographics(ages({ '35-44': strong(10_000), '45-54': strong(600) }), settings, EUR);
    expect([dropped.ageMin, dropped.ageMax]).toEqual([35, 44]);
  });

  it('takes the contiguous hull of the kept buckets, 65+ as 65', () => {
    const choice = chooseDemographics(ages({ '25-34': strong(10_000), '35-44': weak(10_000), '45-54': weak(10_000), '65+': strong(10_000) }), settings, EUR);
    expect([choice.ageMin, choice.ageMax]).toEqual([25, 65]);
  });

  it('uses 18-65 without age data and says so', () => {
    const choice = chooseDemographics([], settings, EUR);
    expect(choice).toMatchObject({ ageMin: 18, ageMax: 65, gender: 'all' });
    expect(lines(choice).some((t) => t.decision.includes('no age data'))).toBe(true);
  });

  it('aggregates rows carrying both age and gender', () => {
    const rows: DemographicHistory[] = [
      { age: '25-34', gender: 'male', total: strong(5000) },
      { age: '25-34', gender: 'female', total: weak(5000) },
      { age: '55-64', gender: 'male', total: strong(5000) },
      { age: '55-64', gender: 'female', total: weak(5000) },
      { age: '18-24', gender: 'male', total: weak(5000) },
      { age: '18-24', gender: 'female', total: weak(5000) },
    ];
    const choice = chooseDemographics(rows, settings, EUR);
    expect(lines(choice).find((t) => t.numbers.bucket === '25-34')?.numbers.impressions).toBe(10_000);
    expect([choice.ageMin, choice.ageMax]).toEqual([25, 64]);
    expect(choice.gender).toBe('male');
  });

  it('chooses a strongly better gender measured with enough confidence', () => {
    const rows: DemographicHistory[] = [
      { age: '', gender: 'female', total: strong(10_000) },
      { age: '', gender: 'male', total: weak(10_000) },
    ];
    const choice = chooseDemographics(rows, settings, EUR);
    expect(choice.gender).toBe('female');
    expect(lines(choice).at(-1)?.numbers).toMatchObject({ female_score: 0.95, male_score: 0, male_confidence: 0.95 });
  });

  it('stays with all when the same lead rests on low confidence', () => {
    const rows: DemographicHistory[] = [
      { age: '', gender: 'female', total: strong(400) },
      { age: '', gender: 'male', total: weak(400) },
    ];
    const choice = chooseDemographics(rows, settings, EUR);
    expect(choice.gender).toBe('all');
    expect(lines(choice).at(-1)?.decision).toContain('confidence');
  });

  it('stays with all when the lead is under 1.5x, and unknown gender counts toward neither', () => {
    const close: DemographicHistory[] = [
      { age: '', gender: 'female', total: strong(10_000) }, // 0.95
      { age: '', gender: 'male', total: strong(1000) }, // 0.7: ratio 1.36
    ];
    expect(chooseDemographics(close, settings, EUR).gender).toBe('all');
    const unknown: DemographicHistory[] = [
      { age: '', gender: 'unknown', total: strong(100_000) },
      { age: '', gender: 'female', total: weak(10_000) },
      { age: '', gender: 'male', total: weak(10_000) },
    ];
    expect(chooseDemographics(unknown, settings, EUR).gender).toBe('all');
  });
});
