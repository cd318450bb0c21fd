import { statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AUDIENCE_SIZES, AUDIENCE_WEIGHTINGS, INTEREST_ROWS, runBacktest, type AudienceSizes, type AudienceWeighting, type BacktestStrategy, type InterestRows } from '../backtest/closed-loop.ts';
import { backtestHtml } from '../backtest/report-html.ts';
import { toMajor } from '../engine/money.ts';
import { STRATEGIES, strategyNamed, type Strategy } from '../engine/types.ts';
import { parseFamily, type MarketFamily } from '../simulation/families.ts';
import type { AppContext } from '../context.ts';
import { addDays, isoDate } from '../services/dates.ts';
import { type CliIo, parseSeed, printJson, printLines, UsageError } from './io.ts';

export const usage = 'backtest [--days 28] [--history-days 14] [--window-days TARGETING_WINDOW_DAYS] [--audience-weighting delivery|optimized|equal (default: the family\'s)] [--audience-sizes estimated|unknown] [--interest-rows breakdown|shared] [--market-seed 7] [--family stub] [--strategy bayes] [--baseline spec] [--out FILE_PREFIX] [--json]';

const WEIGHTING_TEXT: Record<AudienceWeighting, string> = {
  delivery: 'delivery to the chosen interests by size',
  optimized: 'delivery to the chosen interests by size tilted toward value',
  equal: 'chosen interests credited alike',
};

export async function backtestCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      days: { type: 'string', default: '28' },
      'history-days': { type: 'string', default: '14' },
      'window-days': { type: 'string' },
      // Absent: the family's own delivery (delivery 'optimized' → optimized, else by size).
      'audience-weighting': { type: 'string' },
      'audience-sizes': { type: 'string', default: 'estimated' },
      'interest-rows': { type: 'string', default: 'breakdown' },
      'market-seed': { type: 'string', default: '7' },
      family: { type: 'string', default: 'stub' },
      strategy: { type: 'string', default: 'bayes' },
      baseline: { type: 'string', default: 'spec' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const whole = (name: string, text: string, min: number, max: number) => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const strategy = (name: string, text: string): Strategy => {
    const named = strategyNamed(text);
    if (named === null) throw new UsageError(`--${name}: must be one of ${STRATEGIES.join(', ')} (seed is accepted for spec), got ${JSON.stringify(text)}`);
    return named;
  };
  const weighting = values['audience-weighting'] as AudienceWeighting | undefined;
  if (weighting !== undefined && !AUDIENCE_WEIGHTINGS.includes(weighting)) throw new UsageError(`--audience-weighting: must be one of ${AUDIENCE_WEIGHTINGS.join(', ')}, got ${JSON.stringify(weighting)}`);
  const audienceSizes = values['audience-sizes'] as AudienceSizes;
  if (!AUDIENCE_SIZES.includes(audienceSizes)) throw new UsageError(`--audience-sizes: must be one of ${AUDIENCE_SIZES.join(', ')}, got ${JSON.stringify(audienceSizes)}`);
  const interestRows = values['interest-rows'] as InterestRows;
  if (!INTEREST_ROWS.includes(interestRows)) throw new UsageError(`--interest-rows: must be one of ${INTEREST_ROWS.join(', ')}, got ${JSON.stringify(interestRows)}`);
  const main = strategy('strategy', values.strategy);
  const baselines = values.baseline.split(',').map((b) => strategy('baseline', b.trim()));
  const strategies: BacktestStrategy[] = [...new Set<BacktestStrategy>([main, ...baselines, 'uniform', 'oracle'])];
  let family: MarketFamily;
  try {
    family = parseFamily(values.family);
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
  const seed = parseSeed(values['market-seed']);
  const prefix = values.out ?? `backtest-${String(seed)}`;
  // Checked before the loop runs, so that a mistyped path costs nothing.
  const directory = dirname(resolve(prefix));
  if (!(statSync(directory, { throwIfNoEntry: false })?.isDirectory() ?? false)) throw new UsageError(`--out: the folder ${JSON.stringify(directory)} does not exist`);
  // A file system takes names of at most 255 bytes; a long seed makes the default one longer.
  if (Buffer.byteLength(`${basename(prefix)}.json`) > 255) throw new UsageError(`--out: the file name ${JSON.stringify(`${basename(prefix).slice(0, 40)}….json`)} is longer than the 255 bytes a file name may have; give a shorter --out`);
  const report = runBacktest({
    marketSeed: seed,
    days: whole('days', values.days, 1, 365),
    historyDays: whole('history-days', values['history-days'], 3, 365),
    windowDays: values['window-days'] === undefined ? ctx.config.windowDays : whole('window-days', values['window-days'], 1, 400),
    ...(weighting === undefined ? {} : { audienceWeighting: weighting }),
    audienceSizes,
    interestRows,
    family,
    strategies,
    settings: ctx.config.engine,
    startDate: addDays(isoDate(ctx.clock.now()), -1),
  });
  writeFileSync(`${prefix}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${prefix}.html`, backtestHtml(report));
  if (values.json) return printJson(io, report);
  const byName = new Map(report.series.map((s) => [s.strategy, s]));
  const lift = (byName.get(main)!.cumulativeExpectedRevenueMinor / byName.get(baselines[0]!)!.cumulativeExpectedRevenueMinor - 1) * 100;
  printLines(io, [
    `Backtest on stub market ${String(seed)} (family ${report.family}): ${report.historyDays} days of history, decisions reading ${report.windowDays} days back, ${report.days} simulated days, ${WEIGHTING_TEXT[report.audienceWeighting]}, ${report.audienceSizes === 'estimated' ? 'audience sizes from the market\'s Meta-like estimates' : 'no audience sizes'}, ${report.interestRows === 'shared' ? 'the loop\'s interest rows credited in equal shares as LIVE sync credits them' : 'the loop\'s interest rows a per-interest breakdown'}, daily budget ${toMajor(report.dailyBudgetMinor, report.currency)} ${report.currency}.`,
    'strategy   expected revenue   of oracle   ROAS calibration (last 7 days: bias, mean abs.)',
    ...report.series.map((s) => `${s.strategy.padEnd(10)} ${toMajor(s.cumulativeExpectedRevenueMinor, report.currency).toFixed(0).padStart(16)}   ${(s.shareOfOracle * 100).toFixed(1).padStart(7)} %   ${s.calibrationError === null ? '–' : `${(s.calibrationError * 100).toFixed(1)} %, ${(s.calibrationAbsError! * 100).toFixed(1)} %`}`),
    `${main} vs ${baselines[0]}: ${lift >= 0 ? '+' : ''}${lift.toFixed(1)} % expected revenue over ${report.days} days.`,
    ...report.series.filter((s) => s.adSetRestarts !== null).map((s) => `${s.strategy}: ad set restarts of learning, ${s.adSetRestarts!.interestEdits} after an edit of the interests, ${s.adSetRestarts!.countryMoves} as new ad sets or with countries moving`),
    `Written: ${prefix}.json, ${prefix}.html`,
  ]);
}
