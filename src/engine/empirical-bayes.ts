// Empirical Bayes: the `bayes` strategy's shrinkage strengths fitted from the account's own data
// instead of the fixed CTR 2,000 / CVR 200 / order value 20 of geo-bayes.ts.
//
// CTR and CVR: a beta-binomial across units (the segments of one type, or the countries). The
// prior's mean is the pooled rate; its strength k (a + b) maximises the beta-binomial marginal
// likelihood, found by a coarse log-grid over 10^0..10^7 then a golden-section refinement (~60
// likelihood evaluations). A maximum at the top of the grid means the units differ no more than
// binomial noise says they would: there is nothing to learn the spread from, so the fixed strength
// is kept and the reason said. Fewer than MIN_UNITS units with trials also keep the fixed strength.
//
// Order value (revenue per conversion): method of moments. A unit's mean order value o_i over c_i
// conversions has E[(o_i − μ)²] = τ² + σ²/c_i (τ² the spread of the units' true means, σ² the
// spread of one order's value); a least-squares line of the squared deviations against 1/c_i gives
// both, and the strength in conversions is σ²/τ². No positive τ² → fixed strength.
//
// Levels: a snapshot holds one campaign, so "account → campaign → segment" collapses to campaign →
// unit: the units' prior is the campaign's (ad set's) own pool, fitted across its units.

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

/** Strength by maximum marginal likelihood with the mean at the pooled rate; `fallbackStrength` when the data cannot say. */
export function fitBetaPrior(units: readonly RateUnit[], fallbackStrength: number): BetaPrior {
  const used = units.filter((u) => u.trials > 0).map((u) => ({ trials: u.trials, successes: Math.max(0, Math.min(u.successes, u.trials)) }));
  const trials = used.reduce((s, u) => s + u.trials, 0);
  const successes = used.reduce((s, u) => s + u.successes, 0);
  const mean = trials > 0 ? successes / trials : 0;
  const fallback = (note: string): BetaPrior => ({ mean, strength: fallbackStrength, fitted: false, note, units: used.length });
  if (used.length < MIN_UNITS) return fallback(`fixed strength: ${used.length} units with data, fewer than ${MIN_UNITS}`);
  if (!(mean > 0 && mean < 1)) return fallback('fixed strength: pooled rate is 0 or 1, no spread to fit');
  const ll = (log10k: number) => betaBinomialLogLikelihood(used, mean, 10 ** log10k);
  // Coarse grid, a quarter decade apart, then golden section around its best point.
  let best = LOG10_MIN_STRENGTH;
  let bestLl = -Infinity;
  for (let x = LOG10_MIN_STRENGTH; x <= LOG10_MAX_STRENGTH + 1e-9; x += 0.25) {
    const v = ll(x);
    if (v > bestLl) {
      bestLl = v;
      best = x;
    }
  }
  // Overdispersion test: the best finite strength must beat "no spread" (the top of the grid) by a
  // likelihood ratio of at least 1.92 in log units (χ²₁ at 95 %, halved); else the spread seen is noise.
  const noSpreadLl = ll(LOG10_MAX_STRENGTH);
  if (best >= LOG10_MAX_STRENGTH - 1e-9 || bestLl - noSpreadLl < OVERDISPERSION_MIN_LOG_LR) return fallback('fixed strength: the units differ no more than binomial noise (no significant overdispersion)');
  let lo = Math.max(LOG10_MIN_STRENGTH, best - 0.25);
  let hi = Math.min(LOG10_MAX_STRENGTH, best + 0.25);
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = ll(x1);
  let f2 = ll(x2);
  for (let i = 0; i < 30; i++) {
    if (f1 > f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = ll(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = ll(x2);
    }
  }
  const strength = 10 ** ((lo + hi) / 2);
  return { mean, strength, fitted: true, note: `maximum marginal likelihood over ${used.length} units`, units: used.length };
}

/**
 * Order-value strength by the method of moments described at the top of the file. `reweight`
 * refines the plain least-squares line by weighting each unit by 1/(τ² + σ²/c_i)² (three passes):
 * it recovers a simulated strength far better (empirical-bayes.test.ts), yet the decisions of
 * bench/decision-quality.ts were worse with it (closed loop 86.4 % of the oracle against 87.1 %,
 * calibration |bias| 4.7 % against 0.5 %), so the plain fit is the default.
 */
export function fitOrderValuePrior(units: readonly OrderValueUnit[], fallbackStrength: number, reweight = false): OrderValuePrior {
  const used = units.filter((u) => u.conversions > 0);
  const conversions = used.reduce((s, u) => s + u.conversions, 0);
  const revenue = used.reduce((s, u) => s + u.revenueMinor, 0);
  const mean = conversions > 0 ? revenue / conversions : 1;
  // Without a fit, one order's value is taken to vary as much as its mean (coefficient of variation 1,
  // an exponential spread): wide enough not to overstate what a handful of conversions say.
  const fallback = (note: string): OrderValuePrior => ({ mean, strength: fallbackStrength, perConversionVariance: mean * mean, fitted: false, note, units: used.length });
  if (used.length < MIN_UNITS) return fallback(`fixed strength: ${used.length} units with conversions, fewer than ${MIN_UNITS}`);
  // Least squares of d_i = (o_i − μ)² on x_i = 1/c_i: d ≈ τ² + σ² x. A squared deviation's own
  // variance grows with the square of its expectation, so with `reweight`, after a plain first pass
  // each unit is weighted by 1/(τ² + σ²/c_i)²: a single-order unit otherwise drowns the rest.
  const xs = used.map((u) => 1 / u.conversions);
  const ds = used.map((u) => (u.revenueMinor / u.conversions - mean) ** 2);
  let sigma2 = 0;
  let tau2 = 0;
  for (let pass = 0; pass < (reweight ? 4 : 1); pass++) {
    const ws = xs.map((x) => (pass === 0 ? 1 : 1 / Math.max(1e-12, Math.max(tau2, 1e-6 * sigma2) + Math.max(sigma2, 0) * x) ** 2));
    const wsum = ws.reduce((s, w) => s + w, 0);
    const mx = xs.reduce((s, x, i) => s + ws[i]! * x, 0) / wsum;
    const md = ds.reduce((s, d, i) => s + ws[i]! * d, 0) / wsum;
    let sxx = 0;
    let sxd = 0;
    for (let i = 0; i < xs.length; i++) {
      sxx += ws[i]! * (xs[i]! - mx) ** 2;
      sxd += ws[i]! * (xs[i]! - mx) * (ds[i]! - md);
    }
    if (!(sxx > 0)) return fallback('fixed strength: every unit has the same number of conversions, so spread and noise cannot be told apart');
    sigma2 = sxd / sxx;
    tau2 = md - sigma2 * mx;
    if (!(sigma2 > 0 && tau2 > 0)) break;
  }
  if (!(sigma2 > 0)) return fallback('fixed strength: no within-unit noise estimated (order values do not get steadier with more conversions)');
  if (!(tau2 > 0)) return fallback('fixed strength: the units differ no more than order-value noise');
  return { mean, strength: sigma2 / tau2, perConversionVariance: sigma2, fitted: true, note: `method of moments over ${used.length} units`, units: used.length };
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
}

export function fitValuePriors(units: readonly ValueUnit[], fixed: FixedStrengths): ValuePriors {
  return {
    ctr: fitBetaPrior(units.map((u) => ({ successes: u.clicks, trials: u.impressions })), fixed.ctr),
    cvr: fitBetaPrior(units.map((u) => ({ successes: u.conversions, trials: u.clicksWithConversions })), fixed.cvr),
    // Only units whose conversions carry revenue say anything about order value.
    order: fitOrderValuePrior(units.filter((u) => u.spendWithRevenueMinor > 0).map((u) => ({ revenueMinor: u.revenueMinor, conversions: u.conversions })), fixed.order),
  };
}

/** The `priors.fitted` trace entry's numbers for one pool. */
export function describePriors(prefix: string, p: ValuePriors): Record<string, number | string | boolean> {
  const r = (x: number, d: number) => Number(x.toPrecision(d));
  return {
    [`${prefix}ctr_mean`]: r(p.ctr.mean, 4),
    [`${prefix}ctr_strength`]: r(p.ctr.strength, 4),
    [`${prefix}ctr_fitted`]: p.ctr.fitted,
    [`${prefix}cvr_mean`]: r(p.cvr.mean, 4),
    [`${prefix}cvr_strength`]: r(p.cvr.strength, 4),
    [`${prefix}cvr_fitted`]: p.cvr.fitted,
    [`${prefix}order_value_mean_minor`]: r(p.order.mean, 6),
    [`${prefix}order_value_strength`]: r(p.order.strength, 4),
    [`${prefix}order_value_fitted`]: p.order.fitted,
    [`${prefix}units`]: p.ctr.units,
    [`${prefix}notes`]: `CTR: ${p.ctr.note}; CVR: ${p.cvr.note}; order value: ${p.order.note}`,
  };
}
