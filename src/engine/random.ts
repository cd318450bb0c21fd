// The project's only source of randomness: a seeded generator, so that a seed reproduces a run
// byte for byte (the stub market, exploration, simulations in the benchmark).
//
// Generator: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128 bits of state, passes
// PractRand to terabytes). Its four state words come from a splitmix32-style sequence started at a
// 32-bit seed, so nearby seeds (1, 2, 3) give unrelated streams. String seeds are hashed to 32 bits.
// One draw gives 32 random bits: next() has a resolution of 2^-32, ample for simulation.

export interface Rng {
  /** Uniform on [0, 1). */
  next(): number;
  /** Uniform integer on [minInclusive, maxInclusive]. */
  int(minInclusive: number, maxInclusive: number): number;
  normal(mean?: number, sd?: number): number;
  gamma(shape: number, scale?: number): number;
  beta(a: number, b: number): number;
  poisson(lambda: number): number;
  /** Fast for n up to 1e7 and beyond: exact inversion while n·p < 30, a normal approximation above. */
  binomial(n: number, p: number): number;
  pick<T>(items: readonly T[]): T;
  /** Fisher–Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

const TWO_POW_32 = 4294967296;
const GOLDEN_GAMMA = 0x9e3779b9;

/** A 32-bit finaliser (MurmurHash3's fmix32): every input bit flips about half the output bits. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units, then mixed: a string to 32 bits. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return mix32(h);
}

/** Integers 0..2^32-1 are used as they are; other integers fold their high bits in; strings are hashed. */
function seedTo32(seed: number | string): number {
  if (typeof seed === 'string') return hashString(`s:${seed}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number or a string, got ${seed}`);
  if (Number.isInteger(seed) && seed >= 0 && seed < TWO_POW_32) return seed >>> 0;
  if (Number.isInteger(seed) && Math.abs(seed) <= Number.MAX_SAFE_INTEGER) {
    const high = Math.floor(seed / TWO_POW_32);
    return (seed >>> 0) ^ mix32((high >>> 0) + GOLDEN_GAMMA);
  }
  return hashString(`n:${seed}`);
}

/**
 * A child seed for an independent stream, e.g. deriveSeed(seed, 'campaign', id, 'rows').
 * Labels are ordered and typed: ('a', 'b') ≠ ('b', 'a') ≠ ('ab'), and 1 ≠ '1'.
 */
export function deriveSeed(seed: number | string, ...labels: (string | number)[]): number {
  let h = mix32(seedTo32(seed) + GOLDEN_GAMMA);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const tagged = typeof label === 'number' ? `n:${label}` : `s:${label}`;
    h = mix32((h ^ hashString(tagged)) + Math.imul(i + 1, GOLDEN_GAMMA));
  }
  return h;
}

// log(k!) for small k by summation; Stirling's series (error < 1e-10 for z ≥ 10) above.
const LOG_FACTORIAL_TABLE: number[] = [0];
for (let k = 1; k < 16; k++) LOG_FACTORIAL_TABLE.push(LOG_FACTORIAL_TABLE[k - 1]! + Math.log(k));
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE.length) return LOG_FACTORIAL_TABLE[k]!;
  const z = k + 1;
  const z2 = z * z;
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_TWO_PI + 1 / (12 * z) - 1 / (360 * z * z2) + 1 / (1260 * z * z2 * z2);
}

// Below this mean, binomial and Poisson draws are exact by inversion (expected mean + 1 steps);
// above it, Poisson uses PTRS (exact, constant time) and binomial a normal approximation whose
// variance is then at least 15 (p ≤ 0.5 by symmetry), where its error is a fraction of a count.
const INVERSION_MAX_MEAN = 30;

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed32: number) {
    let state = seed32 | 0;
    const nextWord = (): number => {
      state = (state + GOLDEN_GAMMA) | 0;
      return mix32(state);
    };
    this.a = nextWord();
    this.b = nextWord();
    this.c = nextWord();
    this.d = nextWord();
    // Let the chaotic part stir the splitmix words before the first value is used.
    for (let i = 0; i < 12; i++) this.nextWord32();
  }

  private nextWord32(): number {
    // tmp = a + b + counter++; a = b ^ (b >> 9); b = c + (c << 3); c = rotl(c, 21) + tmp
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextWord32() / TWO_POW_32;
  }

  int(minInclusive: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(minInclusive) || !Number.isSafeInteger(maxInclusive) || minInclusive > maxInclusive) {
      throw new RangeError(`int needs safe integers min ≤ max, got ${minInclusive}, ${maxInclusive}`);
    }
    const span = maxInclusive - minInclusive + 1;
    if (span <= TWO_POW_32) return minInclusive + Math.floor(this.next() * span);
    // Wider than 32 bits: 53 random bits.
    const u = (this.nextWord32() * 2097152 + (this.nextWord32() >>> 11)) / 9007199254740992;
    return minInclusive + Math.floor(u * span);
  }

  /** Marsaglia's polar method; the second value of each pair is kept for the next call. */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }

  /** Marsaglia–Tsang (2000); shape < 1 by the boost gamma(shape+1)·U^(1/shape). */
  gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !Number.isFinite(shape) || !(scale > 0) || !Number.isFinite(scale)) {
      throw new RangeError(`gamma needs shape > 0 and scale > 0, got ${shape}, ${scale}`);
    }
    if (shape < 1) {
      const u = 1 - this.next(); // (0, 1]
      return this.gamma(shape + 1, scale) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = this.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    const sum = x + y;
    // Both can underflow to 0 for tiny shapes; the limit then puts all mass on 0 or 1.
    if (sum === 0) return this.next() < a / (a + b) ? 1 : 0;
    return x / sum;
  }

  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poisson needs lambda ≥ 0, got ${lambda}`);
    if (lambda === 0) return 0;
    if (lambda < INVERSION_MAX_MEAN) {
      let p = Math.exp(-lambda);
      let cdf = p;
      let k = 0;
      const u = this.next();
      // The bound only guards against rounding leaving u above the summed cdf.
      const limit = lambda + 40 * Math.sqrt(lambda) + 40;
      while (u > cdf && k < limit) {
        k++;
        p *= lambda / k;
        cdf += p;
      }
      return k;
    }
    return this.poissonPtrs(lambda);
  }

  /** Hörmann (1993) transformed rejection with squeeze, for lambda ≥ 10. */
  private poissonPtrs(lambda: number): number {
    const slam = Math.sqrt(lambda);
    const logLambda = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const lhs = Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b);
      if (lhs <= -lambda + k * logLambda - logFactorial(k)) return k;
    }
  }

  binomial(n: number, p: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || !(p >= 0 && p <= 1)) {
      throw new RangeError(`binomial needs an integer n ≥ 0 and 0 ≤ p ≤ 1, got ${n}, ${p}`);
    }
    if (n === 0 || p === 0) return 0;
    if (p === 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const mean = n * p;
    if (mean < INVERSION_MAX_MEAN) {
      // Inversion: walk the pmf with the recurrence P(k+1) = P(k)·(n−k)/(k+1)·p/q.
      const q = 1 - p;
      const ratio = p / q;
      let pk = Math.exp(n * Math.log1p(-p));
      let cdf = pk;
      let k = 0;
      const u = this.next();
      while (u > cdf && k < n) {
        pk *= ((n - k) / (k + 1)) * ratio;
        k++;
        cdf += pk;
        if (pk === 0) break; // rounding left u above the total mass: stop at the tail
      }
      return k;
    }
    const draw = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal());
    return draw < 0 ? 0 : draw > n ? n : draw;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick needs at least one item');
    return items[Math.floor(this.next() * items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

export function createRng(seed: number | string): Rng {
  return new Sfc32(seedTo32(seed));
}
