// Saturating response of delivery to daily spend, and the budget split that equalises marginal
// returns under the allocation constraints. Used by the `bayes` strategy in place of the seed's
// engagement-proportional split, which ignores that the tenth euro in a small market buys far
// fewer impressions than the first.

/** impressions(spend) = capacity · (1 − exp(−spend / saturation)); spend in minor units. */
export interface ResponseCurve {
  capacity: number;
  saturation: number;
  /** Root mean squared relative error of the fit over the observed days. */
  relativeError: number;
  points: number;
}

export interface SpendPoint {
  spendMinor: number;
  impressions: number;
}

// Saturation candidates span 1/20 to 20 times the largest observed spend on a log grid: a curve
// saturating far below the data is a constant, one saturating far above it is a straight line,
// and both ends are then refined by golden-section search around the best grid point.
const GRID = 48;

/**
 * Least-squares fit of the saturating curve. For a fixed saturation the best capacity has a
 * closed form, so only the saturation is searched. Returns null with fewer than 3 days of
 * spend, or when every day spent the same (the curve's bend cannot be seen). `coarse` searches a
 * quarter of the grid and a shorter golden section: for the many refits of a check on held-out days.
 */
export function fitResponseCurve(points: readonly SpendPoint[], coarse = false): ResponseCurve | null {
  const usable = points.filter((p) => p.spendMinor > 0 && p.impressions >= 0);
  if (usable.length < 3) return null;
  const spends = usable.map((p) => p.spendMinor);
  const maxSpend = Math.max(...spends);
  const minSpend = Math.min(...spends);
  if (maxSpend <= 0 || maxSpend / Math.max(minSpend, 1) < 1.15) return null;

  const x = Float64Array.from(usable, (p) => p.spendMinor);
  const y = Float64Array.from(usable, (p) => p.impressions);
  const yy = y.reduce((s, v) => s + v * v, 0);
  // For a fixed saturation the least-squares capacity is Σfy/Σff, and the error left Σy² − (Σfy)²/Σff.
  const sse = (saturation: number): { sse: number; capacity: number } => {
    let fy = 0;
    let ff = 0;
    for (let i = 0; i < x.length; i++) {
      const f = -Math.expm1(-x[i]! / saturation);
      fy += f * y[i]!;
      ff += f * f;
    }
    return ff > 0 ? { sse: Math.max(0, yy - (fy * fy) / ff), capacity: fy / ff } : { sse: yy, capacity: 0 };
  };

  const lo = Math.log(maxSpend / 20);
  const hi = Math.log(maxSpend * 20);
  const grid = coarse ? GRID / 4 : GRID;
  let best = { logS: lo, sse: Infinity };
  for (let i = 0; i <= grid; i++) {
    const logS = lo + ((hi - lo) * i) / grid;
    const e = sse(Math.exp(logS)).sse;
    if (e < best.sse) best = { logS, sse: e };
  }
  const step = (hi - lo) / grid;
  let a = best.logS - step;
  let b = best.logS + step;
  const phi = (Math.sqrt(5) - 1) / 2;
  // Each step keeps one of its two inner points as an inner point of the next.
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let ec = sse(Math.exp(c)).sse;
  let ed = sse(Math.exp(d)).sse;
  for (let i = 0; i < (coarse ? 16 : 40); i++) {
    if (ec < ed) {
      b = d;
      d = c;
      ed = ec;
      c = b - phi * (b - a);
      ec = sse(Math.exp(c)).sse;
    } else {
      a = c;
      c = d;
      ec = ed;
      d = a + phi * (b - a);
      ed = sse(Math.exp(d)).sse;
    }
  }
  const saturation = Math.exp((a + b) / 2);
  const { capacity } = sse(saturation);
  let rel = 0;
  for (const p of usable) {
    const predicted = capacity * (1 - Math.exp(-p.spendMinor / saturation));
    const denom = Math.max(p.impressions, 1);
    rel += ((p.impressions - predicted) / denom) ** 2;
  }
  return { capacity, saturation, relativeError: Math.sqrt(rel / usable.length), points: usable.length };
}

/** Value (revenue in minor units) of spending `spend` in a market with this curve and value per impression. */
export function curveValue(curve: { capacity: number; saturation: number }, valuePerImpression: number, spendMinor: number): number {
  return valuePerImpression * curve.capacity * (1 - Math.exp(-spendMinor / curve.saturation));
}

/** d value / d spend at `spend`: the return of the next minor unit. */
export function marginalValue(curve: { capacity: number; saturation: number }, valuePerImpression: number, spendMinor: number): number {
  return ((valuePerImpression * curve.capacity) / curve.saturation) * Math.exp(-spendMinor / curve.saturation);
}

export interface Market {
  code: string;
  curve: { capacity: number; saturation: number };
  valuePerImpression: number;
  /** Lower and upper bound of this market's spend, minor units (continuous; rounded later). */
  minMinor: number;
  maxMinor: number;
}

/**
 * Maximises Σ value_k(s_k) subject to Σ s_k = total and min_k ≤ s_k ≤ max_k. Every value curve is
 * concave, so the optimum equalises marginal value λ across the markets not at a bound
 * (KKT): s_k(λ) = clamp(saturation_k · ln(a_k / λ), min_k, max_k) with a_k = v_k·capacity_k/
 * saturation_k, and Σ s_k(λ) falls as λ rises, so λ is found by bisection. Returns continuous
 * spends; the caller rounds them to minor units so that they sum exactly.
 */
export function waterFill(markets: readonly Market[], totalMinor: number): { spends: number[]; lambda: number } {
  const minSum = markets.reduce((s, m) => s + m.minMinor, 0);
  const maxSum = markets.reduce((s, m) => s + m.maxMinor, 0);
  if (minSum > totalMinor + 1e-6) throw new RangeError(`the markets' minimums (${minSum}) exceed the budget (${totalMinor})`);
  if (maxSum < totalMinor - 1e-6) throw new RangeError(`the markets' maximums (${maxSum}) are below the budget (${totalMinor})`);
  const spendAt = (m: Market, lambda: number): number => {
    const a = (m.valuePerImpression * m.curve.capacity) / m.curve.saturation;
    const s = a > lambda && lambda > 0 ? m.curve.saturation * Math.log(a / lambda) : 0;
    return Math.min(m.maxMinor, Math.max(m.minMinor, s));
  };
  const total = (lambda: number) => markets.reduce((s, m) => s + spendAt(m, lambda), 0);
  let lo = 1e-300;
  let hi = Math.max(1e-300, ...markets.map((m) => (m.valuePerImpression * m.curve.capacity) / m.curve.saturation)) * 2;
  // total(lo) is the sum of maximums (or infinite demand), total(hi) the sum of minimums.
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (total(mid) > totalMinor) lo = mid;
    else hi = mid;
  }
  const spends = markets.map((m) => spendAt(m, hi));
  // Bisection leaves a sliver unspent (or, with flat curves, a lot: every λ above the largest a_k
  // spends only the minimums). It goes to the markets with room, in proportion to their room.
  const left = totalMinor - spends.reduce((a, b) => a + b, 0);
  if (left > 1e-9) {
    const room = markets.map((m, i) => m.maxMinor - spends[i]!);
    const roomSum = room.reduce((a, b) => a + b, 0);
    for (let i = 0; i < spends.length && roomSum > 0; i++) spends[i]! += (left * room[i]!) / roomSum;
  }
  return { spends, lambda: hi };
}
