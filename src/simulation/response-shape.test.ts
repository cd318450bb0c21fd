import { describe, expect, it } from 'vitest';
import { averageGain, CURVE_SHAPES, gain, gainSlope, matchingX } from './response-shape.ts';

describe('curve shapes', () => {
  it.each(CURVE_SHAPES)('%s starts at 0 with slope 1, is concave, and its slope is its derivative', (shape) => {
    expect(gain(shape, 0)).toBe(0);
    expect(gainSlope(shape, 0)).toBeCloseTo(1, 12);
    expect(averageGain(shape, 0)).toBe(1);
    let previous = Infinity;
    for (const x of [0.01, 0.1, 0.3, 0.7, 1, 1.5, 2, 4, 8]) {
      const h = 1e-6 * Math.max(1, x);
      expect(gainSlope(shape, x)).toBeCloseTo((gain(shape, x + h) - gain(shape, x - h)) / (2 * h), 6);
      expect(gainSlope(shape, x)).toBeLessThan(previous);
      expect(averageGain(shape, x)).toBeCloseTo(gain(shape, x) / x, 12);
      previous = gainSlope(shape, x);
    }
  });

  it('a matched x bends as much as the exponential at its x: the same elasticity', () => {
    const elasticity = (shape: (typeof CURVE_SHAPES)[number], x: number) => (x * gainSlope(shape, x)) / gain(shape, x);
    for (const u of [0.3, 0.7, 1.1, 0.15]) {
      expect(matchingX('exponential', u)).toBe(u);
      for (const shape of CURVE_SHAPES) expect(elasticity(shape, matchingX(shape, u))).toBeCloseTo(elasticity('exponential', u), 9);
    }
  });

  it('beyond the matched point the wall falls fastest and the logarithm slowest', () => {
    // What the next unit buys at twice the typical spend, against at the typical spend.
    const fallAtDouble = (shape: (typeof CURVE_SHAPES)[number]) => {
      const x = matchingX(shape, 0.7);
      return gainSlope(shape, 2 * x) / gainSlope(shape, x);
    };
    expect(fallAtDouble('wall')).toBeLessThan(0.25);
    expect(fallAtDouble('exponential')).toBeCloseTo(Math.exp(-0.7), 12);
    expect(fallAtDouble('logarithmic')).toBeGreaterThan(0.6);
  });
});
