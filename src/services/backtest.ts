// A closed-loop backtest on a synthetic STUB market, asked for from the dashboard: the strategy
// against a baseline, the uniform split and the oracle. It takes seconds of CPU, so it runs in a
// worker thread (the server keeps answering) and one at a time.
import { Worker } from 'node:worker_threads';
import type { BacktestOptions, BacktestReport, BacktestStrategy } from '../backtest/closed-loop.ts';
import type { Strategy } from '../engine/types.ts';
import type { AppContext } from '../context.ts';
import { addDays, isoDate } from './dates.ts';
import { ConflictError } from './errors.ts';

export interface BacktestRequest {
  days: number;
  historyDays: number;
  marketSeed: number;
  strategy: Strategy;
  baseline: Strategy;
}

let running = false;

export async function backtestOnStubMarket(ctx: AppContext, req: BacktestRequest): Promise<BacktestReport> {
  if (running) throw new ConflictError('a backtest is already running on this server; try again when it has finished');
  running = true;
  try {
    const strategies: BacktestStrategy[] = [...new Set<BacktestStrategy>([req.strategy, req.baseline, 'uniform', 'oracle'])];
    const options: BacktestOptions = {
      marketSeed: req.marketSeed,
      days: req.days,
      historyDays: req.historyDays,
      windowDays: ctx.config.windowDays,
      strategies,
      settings: ctx.config.engine,
      startDate: addDays(isoDate(ctx.clock.now()), -1),
    };
    return await new Promise<BacktestReport>((resolve, reject) => {
      const worker = new Worker(new URL('./backtest-worker.ts', import.meta.url), { workerData: options });
      worker.once('message', (report: BacktestReport) => resolve(report));
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`the backtest worker stopped with exit code ${code}`));
      });
    });
  } finally {
    running = false;
  }
}
