// The shape of a country's diminishing returns: how the impressions bought (or the conversions
// earned) grow with x, the spend (or the impressions) over the curve's saturation scale. Every shape
// starts at the same slope (g(0) = 0, g'(0) = 1) and is concave; they differ in how the returns fall
// beyond the typical spend, which no account's history shows far beyond its own spends:
// - 'exponential': g = 1 − e^(−x), the curve the engine itself fits (the stub's original market);
// - 'logarithmic': g = ln(1 + x), no ceiling: returns keep coming, ever more slowly;
// - 'wall': g = x / (1 + x⁴)^(1/4), nearly straight and then flat: an audience that runs out.
// A shape left undefined (a response without the field) is the exponential.
export type CurveShape = 'exponential' | 'logarithmic' | 'wall';

export const CURVE_SHAPES: readonly CurveShape[] = ['exponential', 'logarithmic', 'wall'];

/** g(x): what is bought at x, in units of the curve's scale. */
export function gain(shape: CurveShape = 'exponential', x: number): number {
  if (shape === 'logarithmic') return Math.log1p(x);
  if (shape === 'wall') return x / Math.sqrt(Math.sqrt(1 + x ** 4));
  return 1 - Math.exp(-x);
}

/** g'(x): what the next unit buys. */
export function gainSlope(shape: CurveShape = 'exponential', x: number): number {
  if (shape === 'logarithmic') return 1 / (1 + x);
  if (shape === 'wall') return (1 + x ** 4) ** -1.25;
  return Math.exp(-x);
}

/** g(x)/x: the average unit's share of the first one's; 1 at x = 0. */
export function averageGain(shape: CurveShape = 'exponential', x: number): number {
  if (!(x > 0)) return 1;
  if (shape === 'exponential') return x < 1e-9 ? 1 : -Math.expm1(-x) / x;
  return x < 1e-9 ? 1 : gain(shape, x) / x;
}

/** x·g'(x)/g(x): the spend elasticity, 1 at x = 0 and falling for every shape. */
function elasticity(shape: CurveShape, x: number): number {
  return x < 1e-9 ? 1 : (x * gainSlope(shape, x)) / gain(shape, x);
}

/**
 * The x at which `shape` has the elasticity the exponential has at `exponentialX`: a curve of that
 * shape calibrated there (its scale set so that x lands at the typical spend) buys the same at the
 * typical spend, and its next unit buys the same; only the bend away from it differs.
 */
export function matchingX(shape: CurveShape, exponentialX: number): number {
  if (shape === 'exponential') return exponentialX;
  const target = elasticity('exponential', exponentialX);
  let lo = 0;
  let hi = 1;
  while (elasticity(shape, hi) > target) hi *= 2;
  for (let step = 0; step < 80; step++) {
    const mid = (lo + hi) / 2;
    if (elasticity(shape, mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
