import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createRng, deriveSeed } from './random.ts';
import type { Rng } from './random.ts';

function draws(n: number, draw: () => number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Sample mean within 5 standard errors of the true mean, sample variance within `varTol` relative. */
function expectMoments(xs: number[], mean: number, variance: number, varTol = 0.05): void {
  const m = moments(xs);
  expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / xs.length) + 1e-12);
  expect(Math.abs(m.variance / variance - 1)).toBeLessThan(varTol);
}

const N = 100_000;

describe('createRng', () => {
  it('gives the same sequence for the same seed, numeric or string', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1, 2 ** 40 + 3, -7, 0.5, 'campaign:1', '']) {
      const a = createRng(seed);
      const b = createRng(seed);
      expect(draws(50, () => a.next())).toEqual(draws(50, () => b.next()));
      expect(draws(20, () => a.normal())).toEqual(draws(20, () => b.normal()));
    }
  });

  it('gives different sequences for different seeds, including neighbours', () => {
    const seeds: (number | string)[] = [0, 1, 2, 3, 2 ** 32, 'a', 'b', 'ab', 'ba'];
    const sequences = seeds.map((s) => {
      const r = createRng(s);
      return draws(4, () => r.next()).join(',');
    });
    expect(new Set(sequences).size).toBe(seeds.length);
  });

  it('next() stays in [0, 1) for any seed (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (seed) => {
        const r = createRng(seed);
        for (let i = 0; i < 200; i++) {
          const x = r.next();
          if (!(x >= 0 && x < 1)) return false;
        }
        return true;
      }),
    );
  });

  it('next() is uniform: mean 1/2, variance 1/12, ten equal bins', () => {
    const r = createRng(7);
    const xs = draws(N, () => r.next());
    expectMoments(xs, 0.5, 1 / 12, 0.02);
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]!++;
    // chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile
    const chi2 = bins.reduce((a, o) => a + (o - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('int() includes both bounds and nothing outside them', () => {
    const r = createRng('dice');
    const seen = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const k = r.int(1, 6);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const count of seen.values()) expect(count).toBeGreaterThan(850);
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(3, 2)).toThrow(RangeError);
    expect(() => r.int(0.5, 2)).toThrow(RangeError);
  });

  it('int() respects any bounds, wide ranges included (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.maxSafeInteger(), fc.maxSafeInteger(), (seed, x, y) => {
        const lo = Math.min(x, y);
        const hi = Math.max(x, y);
        if (hi - lo > Number.MAX_SAFE_INTEGER) return true;
        const r = createRng(seed);
        for (let i = 0; i < 20; i++) {
          const k = r.int(lo, hi);
          if (!Number.isInteger(k) || k < lo || k > hi) return false;
        }
        return true;
      }),
    );
  });

  it('normal() has the requested mean and standard deviation', () => {
    const r = createRng(11);
    expectMoments(draws(N, () => r.normal()), 0, 1);
    expectMoments(draws(N, () => r.normal(10, 3)), 10, 9);
  });

  it('gamma() matches shape·scale and shape·scale² for shapes below and above 1', () => {
    const r = createRng(12);
    for (const [shape, scale] of [[0.3, 2], [1, 1], [2.5, 3], [40, 0.5]] as const) {
      const xs = draws(N, () => r.gamma(shape, scale));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expectMoments(xs, shape * scale, shape * scale * scale, 0.06);
    }
    expect(() => r.gamma(0)).toThrow(RangeError);
    expect(() => r.gamma(1, -1)).toThrow(RangeError);
  });

  it('beta() matches a/(a+b) and ab/((a+b)²(a+b+1))', () => {
    const r = createRng(13);
    for (const [a, b] of [[2, 5], [0.5, 0.5], [30, 70]] as const) {
      const xs = draws(N, () => r.beta(a, b));
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      expectMoments(xs, a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1)));
    }
  });

  it('poisson() has mean = variance = lambda, on both sides of the method switch', () => {
    const r = createRng(14);
    for (const lambda of [0.2, 3, 29, 31, 1000, 250_000]) {
      const xs = draws(N, () => r.poisson(lambda));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expectMoments(xs, lambda, lambda);
    }
    expect(r.poisson(0)).toBe(0);
    expect(() => r.poisson(-1)).toThrow(RangeError);
  });

  it('binomial() has mean np and variance np(1−p), small and huge n, p on both sides of 1/2', () => {
    const r = createRng(15);
    const cases: [number, number][] = [[10, 0.3], [1000, 0.01], [100, 0.9], [5000, 0.2], [10_000_000, 0.015], [10_000_000, 0.000001]];
    for (const [n, p] of cases) {
      const xs = draws(N, () => r.binomial(n, p));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
      expectMoments(xs, n * p, n * p * (1 - p));
    }
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.binomial(17, 0)).toBe(0);
    expect(r.binomial(17, 1)).toBe(17);
    expect(() => r.binomial(2.5, 0.5)).toThrow(RangeError);
    expect(() => r.binomial(10, 1.5)).toThrow(RangeError);
  });

  it('binomial() with n = 1e7 takes well under a microsecond-scale budget per draw', () => {
    const r = createRng(16);
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < 200_000; i++) sum += r.binomial(10_000_000, 0.02);
    const ms = performance.now() - started;
    expect(sum / 200_000).toBeCloseTo(200_000, -2);
    // ~25 ms on the 2-core build machines; 2 s leaves room for a loaded CI runner.
    expect(ms).toBeLessThan(2000);
  });

  it('pick() returns every item over many draws and rejects an empty list', () => {
    const r: Rng = createRng(17);
    const items = ['ES', 'MX', 'AR'] as const;
    const seen = new Set(draws(300, () => items.indexOf(r.pick(items))));
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('shuffle() permutes in place, reproducibly, and reaches every position', () => {
    const a = createRng(18).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = createRng(18).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = createRng(19);
    const firstPositions = new Set<number>();
    for (let i = 0; i < 200; i++) firstPositions.add(r.shuffle([0, 1, 2, 3])[0]!);
    expect(firstPositions.size).toBe(4);
    const arr = [1, 2, 3];
    expect(r.shuffle(arr)).toBe(arr);
  });
});

describe('deriveSeed', () => {
  it('is deterministic and returns an unsigned 32-bit integer', () => {
    const s = deriveSeed(42, 'campaign', 3);
    expect(deriveSeed(42, 'campaign', 3)).toBe(s);
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it('separates labels, their order, their type and the parent seed', () => {
    const children = [
      deriveSeed(42),
      deriveSeed(42, 'a'),
      deriveSeed(42, 'b'),
      deriveSeed(42, 'a', 'b'),
      deriveSeed(42, 'b', 'a'),
      deriveSeed(42, 'ab'),
      deriveSeed(42, 1),
      deriveSeed(42, '1'),
      deriveSeed(43, 'a'),
      deriveSeed('42', 'a'),
    ];
    expect(new Set(children).size).toBe(children.length);
  });

  it('gives child streams that do not track their parent or each other', () => {
    const parent = createRng(5);
    const child1 = createRng(deriveSeed(5, 1));
    const child2 = createRng(deriveSeed(5, 2));
    const p = draws(2000, () => parent.next());
    const c1 = draws(2000, () => child1.next());
    const c2 = draws(2000, () => child2.next());
    const corr = (x: number[], y: number[]): number => {
      const mx = moments(x);
      const my = moments(y);
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (x[i]! - mx.mean) * (y[i]! - my.mean);
      return s / (x.length - 1) / Math.sqrt(mx.variance * my.variance);
    };
    // |r| < 0.1 is > 4 standard errors (1/√2000 ≈ 0.022) for independent streams
    expect(Math.abs(corr(p, c1))).toBeLessThan(0.1);
    expect(Math.abs(corr(c1, c2))).toBeLessThan(0.1);
  });
});
