// Runs one closed-loop backtest off the server's event loop (services/backtest.ts starts it).
import { parentPort, workerData } from 'node:worker_threads';
import { type BacktestOptions, runBacktest } from '../backtest/closed-loop.ts';

parentPort!.postMessage(runBacktest(workerData as BacktestOptions));
