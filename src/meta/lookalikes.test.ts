import { describe, expect, it } from 'vitest';
import { MetaApiError } from './errors.ts';
import { audienceState, isDuplicateLookalike, lookalikeSpecOf, parseAudience } from './lookalikes.ts';

describe('lookalike wire shapes', () => {
  it('asks for one country with `country` and for a group with location_spec, ratio without type', () => {
    expect(lookalikeSpecOf({ originAudienceId: '1', ratioPct: 1, countries: ['ES'] })).toEqual({ ratio: 0.01, country: 'ES' });
    expect(lookalikeSpecOf({ originAudienceId: '1', ratioPct: 5, countries: ['ES', 'PT'] })).toEqual({ ratio: 0.05, location_spec: { geo_locations: { countries: ['ES', 'PT'] } } });
  });

  it('reads a lookalike as populating, ready or unusable from Meta\'s statuses and sizes', () => {
    expect(audienceState({ id: '1', delivery_status: { code: 300, description: 'too small' }, approximate_count_lower_bound: -1 })).toEqual({ state: 'populating', message: '300: too small' });
    expect(audienceState({ id: '1', delivery_status: { code: 200 }, approximate_count_lower_bound: -1 }).state).toBe('populating');
    expect(audienceState({ id: '1', delivery_status: { code: 200, description: 'ready' }, approximate_count_lower_bound: 1000 })).toEqual({ state: 'ready', message: 'ready' });
    expect(audienceState({ id: '1', delivery_status: { code: 200 }, operation_status: { code: 471, description: 'flagged' }, approximate_count_lower_bound: 10 })).toEqual({ state: 'unusable', message: '471: flagged' });
  });

  it('parses the read-back spec (origin, ratio as a whole percent, countries sorted) and sizes of -1 as unknown', () => {
    const a = parseAudience({ id: '9', subtype: 'LOOKALIKE', approximate_count_lower_bound: '-1', lookalike_spec: { origin: [{ id: 42 }], ratio: '0.03', starting_ratio: 0, target_countries: ['pt', 'ES'] } });
    expect(a).toMatchObject({ sizeLower: null, lookalike: { originIds: ['42'], ratioPct: 3, startingRatioPct: 0, countries: ['ES', 'PT'] } });
    expect(parseAudience({ id: '9', lookalike_spec: { country: 'fr', ratio: 0.01 } }).lookalike!.countries).toEqual(['FR']);
  });

  it('knows Meta\'s duplicate error by its code', () => {
    expect(isDuplicateLookalike(new MetaApiError('/x', 400, { code: 2654, message: "(#2654) Can't create a duplicate lookalike" }, ''))).toBe(true);
    expect(isDuplicateLookalike(new MetaApiError('/x', 400, { code: 100 }, ''))).toBe(false);
    expect(isDuplicateLookalike(new Error('2654'))).toBe(false);
  });
});
