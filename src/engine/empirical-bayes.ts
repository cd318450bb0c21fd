// Empirical Bayes: the `bayes` strategy's shrinkage strengths fitted from the account's own data
// instead of the fixed CTR 2,000 / CVR 200 / order value 20 of geo-bayes.ts.
//
// CTR and CVR: a beta-binomial across units (the segments of one type, or the countries). The
// prior's mean and strength k (a + b) maximise the beta-binomial marginal likelihood (see
// fitBetaPrior for why the mean is not the pooled rate); the strength is found by a coarse log-grid
// over 10^0..10^7 then a golden-section refinement (~60 likelihood evaluations per round). A maximum at the top of the grid means the units differ no more than
// binomial noise says they would: there is nothing to learn the spread from, so the fixed strength
// is kept and the reason said. Fewer than MIN_UNITS units with trials also keep the fixed strength.
//
// Order value (revenue per conversion): a unit's mean order value o_i over c_i conversions varies
// around μ with τ² + σ²/c_i (τ² the spread of the units' true means, σ² the spread of one order's
// value); the strength in conversions is σ²/τ², fitted by maximum likelihood (fitOrderValuePrior).
//
// Levels: a snapshot holds one campaign, so "account → campaign → segment" collapses to campaign →
// unit: the units' prior is the campaign's (ad set's) own pool, fitted across its units. An account
// level above it was measured on real data and left out (bench/account-level.ts, docs/decision-quality.md).

import { orderEvidence } from './metrics.ts';

/** Fewer units than this and the spread between units is too poorly known to fit (fixed strengths). */
export const MIN_UNITS = 8;
const LOG10_MIN_STRENGTH = 0;
const LOG10_MAX_STRENGTH = 7;
const OVERDISPERSION_MIN_LOG_LR = 1.92;

export interface RateUnit {
  successes: number;
  trials: number;
}

export interface BetaPrior {
  /** Prior mean: the pooled rate of the units. */
  mean: number;
  /** a + b, in trials of the rate (impressions for CTR, clicks with known conversions for CVR). */
  strength: number;
  fitted: boolean;
  /** Why the fixed strength was kept, or how the fit was made. */
  note: string;
  units: number;
}

export interface OrderValuePrior {
  /** Pooled revenue per conversion (minor units). */
  mean: number;
  /** In conversions. */
  strength: number;
  /** Variance of one conversion's value (minor units²): what the order-value posterior's width needs. */
  perConversionVariance: number;
  fitted: boolean;
  note: string;
  units: number;
}

export interface OrderValueUnit {
  revenueMinor: number;
  conversions: number;
}

// ---------------------------------------------------------------- log-gamma

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0: the recurrence Γ(x) = Γ(x + 1)/x lifts x to at least 10, where the Stirling
 * series to x⁻⁵ is accurate to about 1e-12 (its next term is 1/(1680 x⁷) < 1e-10 at 10).
 */
export function logGamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series - shift;
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Beta-binomial marginal log-likelihood of the units (without the binomial coefficients, constant in the prior). */
export function betaBinomialLogLikelihood(units: readonly RateUnit[], mean: number, strength: number): number {
  const a = mean * strength;
  const b = (1 - mean) * strength;
  const base = logBeta(a, b);
  let sum = 0;
  for (const u of units) sum += logBeta(a + u.successes, b + u.trials - u.successes) - base;
  return sum;
}

// ---------------------------------------------------------------- fits

/**
 * Mean and strength by maximum marginal likelihood; `fallbackStrength` when the data cannot say.
 *
 * The mean is not the pooled rate: the optimizer itself decides which segments get delivery, so
 * the pool is dominated by the segments it chose (good ones, measured at length) and its rate sits
 * above the typical segment's. A prior centred there makes every thinly measured segment look like
 * the chosen ones. The likelihood is indifferent to how the trials were allocated, so its maximum
 * is not biased by that choice: the mean alternates with the strength, the mean given k being the
 * units' rates weighted by n/(n + k) (each unit's precision under the prior; Kleinman's
 * estimator), which weighs a unit measured over a million trials about like one over a few k.
 */
export function fitBetaPrior(units: readonly RateUnit[], fallbackStrength: number): BetaPrior {
  const used = units.filter((u) => u.trials > 0).map((u) => ({ trials: u.trials, successes: Math.max(0, Math.min(u.successes, u.trials)) }));
  const trials = used.reduce((s, u) => s + u.trials, 0);
  const successes = used.reduce((s, u) => s + u.successes, 0);
  const pooledMean = trials > 0 ? successes / trials : 0;
  const fallback = (note: string, mean = pooledMean): BetaPrior => ({ mean, strength: fallbackStrength, fitted: false, note, units: used.length });
  if (used.length < MIN_UNITS) return fallback(`fixed strength: ${used.length} units with data, fewer than ${MIN_UNITS}`);
  if (!(pooledMean > 0 && pooledMean < 1)) return fallback('fixed strength: pooled rate is 0 or 1, no spread to fit');
  let mean = pooledMean;
  let log10k = bestLog10Strength(used, mean, null);
  for (let round = 0; round < MEAN_ROUNDS && log10k !== null; round++) {
    mean = precisionWeightedRate(used, 10 ** log10k);
    log10k = bestLog10Strength(used, mean, log10k);
  }
  // The fallback keeps the mean found so far: with no spread, every unit's rate estimates the same one.
  if (log10k === null) return fallback('fixed strength: the units differ no more than binomial noise (no significant overdispersion)', mean);
  return { mean, strength: 10 ** log10k, fitted: true, note: `maximum marginal likelihood (mean and strength) over ${used.length} units`, units: used.length };
}

/** Mean-given-strength rounds: the second moves the mean by well under 1 % on the benchmark markets. */
const MEAN_ROUNDS = 2;

function precisionWeightedRate(units: readonly RateUnit[], strength: number): number {
  let num = 0;
  let den = 0;
  for (const u of units) {
    const w = u.trials / (u.trials + strength);
    num += (w * u.successes) / u.trials;
    den += w;
  }
  return Math.min(1 - 1e-9, Math.max(1e-9, num / den));
}

/**
 * log10 of the strength maximising the likelihood at `mean`; null when no finite strength beats
 * "no spread". `near` (the previous round's answer, the mean having moved little) replaces the
 * coarse grid by a golden section within half a decade of it: half the likelihood evaluations.
 */
function bestLog10Strength(used: readonly RateUnit[], mean: number, near: number | null): number | null {
  const ll = (log10k: number) => betaBinomialLogLikelihood(used, mean, 10 ** log10k);
  let best = near ?? LOG10_MIN_STRENGTH;
  let noSpread: number | null = null;
  if (near === null) {
    // Coarse grid, half a decade apart, then golden section around its best point: as good as the
    // finer search of engine version 4 and faster (docs/decision-quality.md, "Measurements behind
    // the engine's choices").
    let bestLl = -Infinity;
    for (let x = LOG10_MIN_STRENGTH; x <= LOG10_MAX_STRENGTH + 1e-9; x += 0.5) {
      const v = ll(x);
      if (x >= LOG10_MAX_STRENGTH - 1e-9) noSpread = v;
      if (v > bestLl) {
        bestLl = v;
        best = x;
      }
    }
    if (best >= LOG10_MAX_STRENGTH - 1e-9) return null;
  }
  const found = goldenMax(ll, Math.max(LOG10_MIN_STRENGTH, best - 0.5), Math.min(LOG10_MAX_STRENGTH, best + 0.5));
  // Overdispersion test: the best finite strength must beat "no spread" (the top of the grid) by a
  // likelihood ratio of at least 1.92 in log units (χ²₁ at 95 %, halved); else the spread seen is noise.
  if (found.value - (noSpread ?? ll(LOG10_MAX_STRENGTH)) < OVERDISPERSION_MIN_LOG_LR) return null;
  return found.x;
}

/**
 * Golden-section search for the maximum of a unimodal f on [lo, hi] and f there; 12 steps narrow a
 * decade to 0.003 decade (0.7 % of the strength, far below what the data can tell apart).
 */
function goldenMax(f: (x: number) => number, lo: number, hi: number): { x: number; value: number } {
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < 12; i++) {
    if (f1 > f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = f(x2);
    }
  }
  return f1 > f2 ? { x: x1, value: f1 } : { x: x2, value: f2 };
}

// The order-value strength λ = σ²/τ² in conversions, searched over 10^-2..10^5.
const LOG10_MIN_ORDER_STRENGTH = -2;
const LOG10_MAX_ORDER_STRENGTH = 5;

/**
 * Order-value prior by maximum likelihood of the normal-normal model o_i ~ N(μ, τ² (1 + λ/c_i))
 * (o_i a unit's mean order value over c_i conversions, τ² the spread of the units' true means,
 * σ² = λτ² that of one order). For a given λ, μ and τ² have closed forms (a precision-weighted
 * mean and variance), so the likelihood is profiled over λ alone: a grid a tenth of a decade apart
 * and a golden-section refinement. A method-of-moments line of squared deviations against 1/c_i
 * (the earlier fit) swung between 1.5 and 270 conversions from one day to the next in the closed
 * loop, because a single-order unit's squared deviation dominated it; the likelihood weighs each
 * unit by its precision. A maximum at the top of the range means no spread between units: the
 * fixed strength is kept.
 */
export function fitOrderValuePrior(units: readonly OrderValueUnit[], fallbackStrength: number): OrderValuePrior {
  const used = units.filter((u) => u.conversions > 0);
  const conversions = used.reduce((s, u) => s + u.conversions, 0);
  const revenue = used.reduce((s, u) => s + u.revenueMinor, 0);
  const pooledMean = conversions > 0 ? revenue / conversions : 1;
  // Without a fit, one order's value is taken to vary as much as its mean (coefficient of variation 1,
  // an exponential spread): wide enough not to overstate what a handful of conversions say.
  const fallback = (note: string): OrderValuePrior => ({ mean: pooledMean, strength: fallbackStrength, perConversionVariance: pooledMean * pooledMean, fitted: false, note, units: used.length });
  if (used.length < MIN_UNITS) return fallback(`fixed strength: ${used.length} units with conversions, fewer than ${MIN_UNITS}`);
  if (used.every((u) => u.conversions === used[0]!.conversions)) return fallback('fixed strength: every unit has the same number of conversions, so spread and noise cannot be told apart');
  const values = used.map((u) => u.revenueMinor / u.conversions);
  const profile = (log10Strength: number) => {
    const lambda = 10 ** log10Strength;
    let wSum = 0;
    let wo = 0;
    let logV = 0;
    for (let i = 0; i < used.length; i++) {
      const v = 1 + lambda / used[i]!.conversions;
      wSum += 1 / v;
      wo += values[i]! / v;
      logV += Math.log(v);
    }
    const mean = wo / wSum;
    let tau2 = 0;
    for (let i = 0; i < used.length; i++) tau2 += (values[i]! - mean) ** 2 / (1 + lambda / used[i]!.conversions);
    tau2 /= used.length;
    return { mean, tau2, ll: -0.5 * (used.length * Math.log(Math.max(tau2, 1e-300)) + logV) };
  };
  let best = LOG10_MIN_ORDER_STRENGTH;
  let bestLl = -Infinity;
  for (let x = LOG10_MIN_ORDER_STRENGTH; x <= LOG10_MAX_ORDER_STRENGTH + 1e-9; x += 0.1) {
    const { ll } = profile(x);
    if (ll > bestLl) {
      bestLl = ll;
      best = x;
    }
  }
  if (best >= LOG10_MAX_ORDER_STRENGTH - 1e-9) return fallback('fixed strength: the units differ no more than order-value noise');
  // At the bottom of the range the likelihood sees no noise within units at all, which one order's
  // value never lacks: the units' conversions are too many (or too alike) to show it.
  if (best <= LOG10_MIN_ORDER_STRENGTH + 1e-9) return fallback('fixed strength: no within-unit noise estimated (order values do not get steadier with more conversions)');
  const log10Strength = goldenMax((x) => profile(x).ll, Math.max(LOG10_MIN_ORDER_STRENGTH, best - 0.1), Math.min(LOG10_MAX_ORDER_STRENGTH, best + 0.1)).x;
  const { mean, tau2 } = profile(log10Strength);
  // Identical order values leave rounding-level spread, not a spread between units.
  if (!(tau2 > 1e-12 * mean * mean)) return fallback('fixed strength: the units differ no more than order-value noise');
  const strength = 10 ** log10Strength;
  return { mean, strength, perConversionVariance: strength * tau2, fitted: true, note: `maximum likelihood (normal-normal) over ${used.length} units`, units: used.length };
}

// ---------------------------------------------------------------- the three priors of value per impression

export interface ValuePriors {
  ctr: BetaPrior;
  cvr: BetaPrior;
  order: OrderValuePrior;
}

export interface FixedStrengths {
  ctr: number;
  cvr: number;
  order: number;
}

/** Units' totals: impressions → clicks (CTR), clicks with known conversions → conversions (CVR), conversions → revenue. */
export interface ValueUnit {
  impressions: number;
  clicks: number;
  conversions: number;
  clicksWithConversions: number;
  revenueMinor: number;
  spendWithRevenueMinor: number;
  conversionsWithoutRevenue?: number;
  revenueWithoutConversionsMinor?: number;
}

export function fitValuePriors(units: readonly ValueUnit[], fixed: FixedStrengths): ValuePriors {
  return {
    ctr: fitBetaPrior(units.map((u) => ({ successes: u.clicks, trials: u.impressions })), fixed.ctr),
    cvr: fitBetaPrior(units.map((u) => ({ successes: u.conversions, trials: u.clicksWithConversions })), fixed.cvr),
    // Only units whose conversions carry revenue say anything about order value.
    order: fitOrderValuePrior(units.filter((u) => u.spendWithRevenueMinor > 0).map(orderEvidence), fixed.order),
  };
}
