import { describe, expect, it } from 'vitest';
import { hasOwnAdSet, KEEP_OWN_AD_SET_SHARE } from './ad-set-groups.ts';

describe('hasOwnAdSet', () => {
  it('gives an ad set at the minimum, and keeps one a country holds down to its share of the minimum', () => {
    expect(KEEP_OWN_AD_SET_SHARE).toBe(0.5);
    expect(hasOwnAdSet(1_000, 1_000, false)).toBe(true);
    expect(hasOwnAdSet(999, 1_000, false)).toBe(false);
    expect(hasOwnAdSet(500, 1_000, true)).toBe(true);
    expect(hasOwnAdSet(499, 1_000, true)).toBe(false);
    // An odd minimum: half of it rounded up, never a fraction of a minor unit.
    expect(hasOwnAdSet(500, 999, true)).toBe(true);
    expect(hasOwnAdSet(499, 999, true)).toBe(false);
    expect(hasOwnAdSet(0, 0, true)).toBe(false);
  });
});
