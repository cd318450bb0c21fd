import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveValue, fitResponseCurve, marginalValue, waterFill, type Market } from './response-curve.ts';

const curvePoints = (capacity: number, saturation: number, spends: number[]) => spends.map((s) => ({ spendMinor: s, impressions: capacity * (1 - Math.exp(-s / saturation)) }));

describe('fitResponseCurve', () => {
  it('recovers the curve from noise-free days', () => {
    const fit = fitResponseCurve(curvePoints(200_000, 30_000, [10_000, 20_000, 25_000, 40_000, 55_000]))!;
    expect(fit.capacity / 200_000).toBeCloseTo(1, 2);
    expect(fit.saturation / 30_000).toBeCloseTo(1, 2);
    expect(fit.relativeError).toBeLessThan(0.001);
  });

  it('refuses to fit fewer than 3 days or days that all spent the same', () => {
    expect(fitResponseCurve(curvePoints(1000, 100, [50, 80]))).toBeNull();
    expect(fitResponseCurve(curvePoints(1000, 100, [50, 50, 51, 50]))).toBeNull();
  });
});

describe('waterFill', () => {
  const market = (code: string, v: number, capacity: number, saturation: number, min = 0, max = 1e9): Market => ({ code, curve: { capacity, saturation }, valuePerImpression: v, minMinor: min, maxMinor: max });

  it('splits evenly between identical markets and sums to the budget', () => {
    const { spends } = waterFill([market('A', 1, 1000, 100), market('B', 1, 1000, 100)], 300);
    expect(spends[0]).toBeCloseTo(150, 6);
    expect(spends[1]).toBeCloseTo(150, 6);
  });

  it('honours a binding minimum and equalises the marginal return of the rest', () => {
    const markets = [market('ES', 0.5, 1000, 100, 200), market('MX', 2, 1000, 100), market('AR', 1, 1000, 100)];
    const { spends } = waterFill(markets, 500);
    expect(spends[0]).toBeCloseTo(200, 6);
    expect(spends.reduce((a, b) => a + b, 0)).toBeCloseTo(500, 6);
    expect(marginalValue(markets[1]!.curve, 2, spends[1]!)).toBeCloseTo(marginalValue(markets[2]!.curve, 1, spends[2]!), 6);
  });

  it('refuses minimums above the budget', () => {
    expect(() => waterFill([market('ES', 1, 10, 10, 600)], 500)).toThrow(RangeError);
  });

  it('finds the optimum: no small transfer between markets earns more (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ v: fc.double({ min: 0.01, max: 5, noNaN: true }), cap: fc.double({ min: 100, max: 1e6, noNaN: true }), sat: fc.double({ min: 10, max: 1e5, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (params, total, floorShare) => {
          const markets = params.map((p, i) => market(`M${i}`, p.v, p.cap, p.sat, i === 0 ? total * floorShare : 0, total));
          const { spends } = waterFill(markets, total);
          expect(spends.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 3);
          const value = (s: number[]) => markets.reduce((acc, m, i) => acc + curveValue(m.curve, m.valuePerImpression, s[i]!), 0);
          const best = value(spends);
          const delta = total * 1e-3;
          for (let i = 0; i < markets.length; i++) {
            for (let j = 0; j < markets.length; j++) {
              if (i === j || spends[i]! - delta < markets[i]!.minMinor) continue;
              const moved = [...spends];
              moved[i]! -= delta;
              moved[j]! += delta;
              expect(value(moved)).toBeLessThanOrEqual(best * (1 + 1e-9) + 1e-9);
            }
            expect(spends[i]!).toBeGreaterThanOrEqual(markets[i]!.minMinor - 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
