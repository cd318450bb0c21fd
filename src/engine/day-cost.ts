// The days' common swing in what an impression costs. Meta's auction runs dearer on some days in
// every country at once (weekends, holidays, other advertisers' pushes), and a country's impressions
// curve read through that swing sees its bend blurred: its saturation is read too far or too near.
// Fitted together with the countries' curves, the swing is taken out of every country's days, so
// that each curve is read on what its own spend bought. It counts only where the days show it.
import { fQuantile } from './lift.ts';
import { fitResponseCurve, type ResponseCurve, type SpendPoint } from './response-curve.ts';
import type { FTest } from './trace-events.ts';

export interface DatedSpendPoint extends SpendPoint {
  date?: string;
}

export interface ImpressionCurves {
  /** Each country's curve, in input order; null where its days cannot show one. */
  curves: (ResponseCurve | null)[];
  /** Each day's factor on every country's impressions per spend (geometric mean 1); empty unless shown. */
  dayFactors: ReadonlyMap<string, number>;
  /** Whether the days show a common swing against none; null when too few countries or days to test. */
  test: FTest | null;
}

/** Countries with a curve of their own that the swing must be read across. */
const MIN_COUNTRIES = 3;
// Turns of factors and refits: the fitted saturations hardly move after the first.
const ROUNDS = 2;
const LEVEL = 0.95;
const CRITICAL = new Map<string, number>();

/**
 * Every country's impressions curve, and with `common` the days' factors fitted with them: in
 * turns, each day's factor is the weighted mean of the countries' log residuals that day (each
 * country weighed by how closely its own days follow its curve), and the curves are refitted on
 * impressions over the day's factor. The factors are kept only when they explain more of the
 * residuals than chance would: an F test of the fit with them against the one without, at 5 %.
 */
export function fitImpressionCurves(series: readonly (readonly DatedSpendPoint[])[], options: { coarse?: boolean; common?: boolean } = {}): ImpressionCurves {
  const { coarse = false, common = false } = options;
  const raw = series.map((days) => fitResponseCurve(days, coarse));
  const none: ImpressionCurves = { curves: raw, dayFactors: new Map(), test: null };
  if (!common) return none;
  const fitted = series.map((_, k) => k).filter((k) => raw[k] !== null && series[k]!.every((d) => d.date !== undefined));
  if (fitted.length < MIN_COUNTRIES) return none;
  // Days seen by at least two fitted countries: a day of one country alone would absorb its own residual.
  const seen = new Map<string, number>();
  for (const k of fitted) for (const d of series[k]!) if (d.spendMinor > 0 && d.impressions > 0) seen.set(d.date!, (seen.get(d.date!) ?? 0) + 1);
  const shared = new Set([...seen].filter(([, n]) => n >= 2).map(([date]) => date));
  if (shared.size < 2) return none;

  const residuals = (curves: readonly (ResponseCurve | null)[], factors: ReadonlyMap<string, number>) =>
    fitted.map((k) => {
      const c = curves[k]!;
      return series[k]!.flatMap((d) => {
        const predicted = c.capacity * (1 - Math.exp(-d.spendMinor / c.saturation));
        return d.spendMinor > 0 && d.impressions > 0 && predicted > 0 ? [{ date: d.date!, r: Math.log(d.impressions / (predicted * (factors.get(d.date!) ?? 1))) }] : [];
      });
    });

  const refitted = new Set(fitted);
  const spendLevel = daySpendLevels(fitted.map((k) => series[k]!), shared);
  // Each country weighs by how closely its days follow its own curve before any swing is taken out:
  // fixed, since weights read after it would let the factors follow whichever country they fit best.
  const rawResiduals = residuals(raw, new Map());
  const w = rawResiduals.map((days) => 1 / Math.max(1e-8, days.reduce((s, d) => s + d.r * d.r, 0) / Math.max(1, days.length)));
  let curves = raw;
  let factors = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const rs = residuals(curves, factors);
    const sums = new Map<string, { r: number; w: number }>();
    rs.forEach((days, i) => {
      for (const d of days) {
        if (!shared.has(d.date)) continue;
        const s = sums.get(d.date) ?? { r: 0, w: 0 };
        s.r += w[i]! * d.r;
        s.w += w[i]!;
        sums.set(d.date, s);
      }
    });
    factors = apartFromSpend(new Map([...sums].map(([date, s]) => [date, Math.log(factors.get(date) ?? 1) + s.r / s.w])), spendLevel);
    curves = series.map((days, k) => (refitted.has(k) ? fitResponseCurve(days.map((d) => ({ spendMinor: d.spendMinor, impressions: d.impressions / (factors.get(d.date!) ?? 1) })), coarse) : raw[k]!));
    if (fitted.some((k) => curves[k] === null)) return none;
  }

  const withFactors = residuals(curves, factors);
  const sse = (rs: ReturnType<typeof residuals>) => rs.reduce((s, days, i) => s + w[i]! * days.reduce((a, d) => a + d.r * d.r, 0), 0);
  const observations = withFactors.reduce((s, days) => s + days.length, 0);
  // One factor per shared day, less their centre and their part along the days' spend level.
  const added = shared.size - 2;
  if (added < 1) return none;
  const dof = observations - 2 * fitted.length - added;
  if (dof < 1) return none;
  const fittedError = sse(withFactors);
  const gain = Math.max(0, sse(rawResiduals) - fittedError);
  const f = fittedError > 0 ? Math.min(1e12, gain / added / (fittedError / dof)) : gain > 0 ? 1e12 : 0;
  const key = `${added}/${dof}`;
  let critical = CRITICAL.get(key);
  if (critical === undefined) CRITICAL.set(key, (critical = fQuantile(LEVEL, added, dof)));
  const test: FTest = { f, critical, shown: f > critical };
  return test.shown ? { curves, dayFactors: factors, test } : { ...none, test };
}

/**
 * Each shared day's spend level: the mean over the countries of the log of their spend that day
 * against their usual spend. On a day the whole campaign spent more, every country buys its
 * impressions dearer because it saturates; that is the curves' evidence, not a swing of the day.
 */
function daySpendLevels(series: readonly (readonly DatedSpendPoint[])[], shared: ReadonlySet<string>): Map<string, number> {
  const sums = new Map<string, { s: number; n: number }>();
  for (const days of series) {
    const spent = days.filter((d) => d.spendMinor > 0);
    const usual = spent.reduce((s, d) => s + Math.log(d.spendMinor), 0) / Math.max(1, spent.length);
    for (const d of spent) {
      if (!shared.has(d.date!)) continue;
      const t = sums.get(d.date!) ?? { s: 0, n: 0 };
      t.s += Math.log(d.spendMinor) - usual;
      t.n += 1;
      sums.set(d.date!, t);
    }
  }
  return new Map([...sums].map(([date, t]) => [date, t.s / t.n]));
}

/** The days' log factors centred and stripped of their least-squares part along the days' spend level, as factors. */
function apartFromSpend(logs: ReadonlyMap<string, number>, spendLevel: ReadonlyMap<string, number>): Map<string, number> {
  const dates = [...logs.keys()];
  const centre = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const l = dates.map((d) => logs.get(d)!);
  const m = dates.map((d) => spendLevel.get(d) ?? 0);
  const lc = centre(l);
  const mc = centre(m);
  const smm = m.reduce((s, x) => s + (x - mc) ** 2, 0);
  const beta = smm > 0 ? m.reduce((s, x, i) => s + (x - mc) * (l[i]! - lc), 0) / smm : 0;
  return new Map(dates.map((d, i) => [d, Math.exp(l[i]! - lc - beta * (m[i]! - mc))]));
}
