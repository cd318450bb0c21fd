// npm run bench:split-minimum — what LIVE apply's pooling minimum (META_SPLIT_MIN_DAILY_BUDGET_MINOR)
// earns where the split is applied one ad set per country: the 28-day closed loop (as in
// bench:quality) on every family whose edits are 'reset-learning-per-country', each market run at
// several minimums, from the default up to one that pools every country but those with a floor.
// A higher minimum pools more countries: the pool learns on all their conversions, but Meta's
// delivery, not the split, decides where its budget goes (families.ts PoolAxis). Per family and
// minimum: the medians of the loop's share of the oracle's revenue for `bayes` and the
// specification's strategy, `bayes` against the specification's (median and worst market), how
// many markets rose or fell against the default minimum, and the mean restarts from countries
// moving between ad sets. Options: --seeds=N (20).
import os from 'node:os';
import { runBacktest, type BacktestReport } from '../src/backtest/closed-loop.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR } from '../src/engine/ad-set-groups.ts';
import { axisOf, NAMED_FAMILIES } from '../src/simulation/families.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SEEDS = Number(arg('seeds') ?? 20);
if (!Number.isInteger(SEEDS) || SEEDS < 1) throw new RangeError('--seeds must be a whole number ≥ 1');
const LOOP_DAYS = 28;
const LOOP_HISTORY_DAYS = 14;
const DECISION_DAY = '2026-11-10';
const CONFIG = loadConfig({});
/** Minor units; the last pools every country without a floor. */
const MINIMUMS = [DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR, 2_500, 5_000, 10_000, 20_000, Number.MAX_SAFE_INTEGER];
const FAMILIES = Object.entries(NAMED_FAMILIES).filter(([, f]) => axisOf(f, 'edits') === 'reset-learning-per-country');

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;
const minimumLabel = (m: number) => (m === Number.MAX_SAFE_INTEGER ? 'floors only' : (m / 100).toFixed(2));

interface Figures {
  bayes: number[];
  spec: number[];
  lift: number[];
  restarts: number[];
}

const started = performance.now();
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`The pooling minimum on ${FAMILIES.length} families, ${SEEDS} markets each (28-day loop after ${LOOP_HISTORY_DAYS} days); share of the oracle's revenue, medians; up/down: markets against the default minimum (${minimumLabel(DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR)}).`);
for (const [name, family] of FAMILIES) {
  const byMinimum = new Map<number, Figures>(MINIMUMS.map((m) => [m, { bayes: [], spec: [], lift: [], restarts: [] }]));
  for (let seed = 3000; seed < 3000 + SEEDS; seed++) {
    for (const minimum of MINIMUMS) {
      const report: BacktestReport = runBacktest({ marketSeed: seed, days: LOOP_DAYS, historyDays: LOOP_HISTORY_DAYS, windowDays: CONFIG.windowDays, strategies: ['spec', 'bayes'], settings: CONFIG.engine, startDate: DECISION_DAY, family, splitMinDailyBudgetMinor: minimum });
      const of = (s: string) => report.series.find((x) => x.strategy === s)!;
      const f = byMinimum.get(minimum)!;
      f.bayes.push(of('bayes').shareOfOracle);
      f.spec.push(of('spec').shareOfOracle);
      f.lift.push(of('bayes').cumulativeExpectedRevenueMinor / of('spec').cumulativeExpectedRevenueMinor - 1);
      f.restarts.push(of('bayes').adSetRestarts?.countryMoves ?? 0);
    }
  }
  const base = byMinimum.get(DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR)!;
  const moved = (xs: readonly number[], from: readonly number[]) => `${xs.filter((x, i) => x > from[i]! + 1e-4).length}/${xs.filter((x, i) => x < from[i]! - 1e-4).length}`;
  console.log(`\n${name}`);
  console.log('  minimum       bayes (up/down)     spec (up/down)      bayes vs spec (worst)   restarts from moves, bayes');
  for (const [minimum, f] of byMinimum) {
    const mean = f.restarts.reduce((a, b) => a + b, 0) / f.restarts.length;
    console.log(`  ${minimumLabel(minimum).padEnd(12)}  ${pct(median(f.bayes)).padStart(7)} (${moved(f.bayes, base.bayes).padStart(5)})    ${pct(median(f.spec)).padStart(7)} (${moved(f.spec, base.spec).padStart(5)})    ${signed(median(f.lift)).padStart(8)} (${signed(Math.min(...f.lift))})      ${mean.toFixed(1)}`);
  }
}
console.log(`\n${FAMILIES.length} families × ${SEEDS} markets × ${MINIMUMS.length} minimums in ${Math.round((performance.now() - started) / 1000)} s.`);
