import { describe, expect, it } from 'vitest';
import { flooredCountries, hasOwnAdSet, KEEP_OWN_AD_SET_SHARE } from './ad-set-groups.ts';

describe('hasOwnAdSet', () => {
  const free = { holdsOne: false, floored: false };
  const holder = { holdsOne: true, floored: false };
  it('gives an ad set at the minimum, and keeps one a country holds down to its share of the minimum', () => {
    expect(KEEP_OWN_AD_SET_SHARE).toBe(0.5);
    expect(hasOwnAdSet(1_000, 1_000, free)).toBe(true);
    expect(hasOwnAdSet(999, 1_000, free)).toBe(false);
    expect(hasOwnAdSet(500, 1_000, holder)).toBe(true);
    expect(hasOwnAdSet(499, 1_000, holder)).toBe(false);
    // An odd minimum: half of it rounded up, never a fraction of a minor unit.
    expect(hasOwnAdSet(500, 999, holder)).toBe(true);
    expect(hasOwnAdSet(499, 999, holder)).toBe(false);
    expect(hasOwnAdSet(0, 0, holder)).toBe(false);
  });
  it('gives a country whose share has a floor an ad set whatever its budget, once funded', () => {
    expect(hasOwnAdSet(1, 1_000, { holdsOne: false, floored: true })).toBe(true);
    expect(hasOwnAdSet(0, 1_000, { holdsOne: true, floored: true })).toBe(false);
  });
});

describe('flooredCountries', () => {
  it("names Spain under a positive floor and every share limit with a minimum", () => {
    expect([...flooredCountries(35, [])]).toEqual(['ES']);
    expect([...flooredCountries(0, [{ countryCode: 'MX', minPct: 10 }, { countryCode: 'AR', minPct: 0 }])]).toEqual(['MX']);
    expect([...flooredCountries(35, [{ countryCode: 'MX', minPct: 5 }])].sort()).toEqual(['ES', 'MX']);
  });
});
