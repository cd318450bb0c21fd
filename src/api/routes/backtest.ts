import { backtestOnStubMarket } from '../../services/backtest.ts';
import { BacktestBody, BacktestResponse } from '../schemas/backtest.ts';
import { errorResponses } from '../schemas/common.ts';
import { type ApiInstance, BEARER, type RouteDeps } from '../types.ts';

export function backtestRoutes(app: ApiInstance, { ctx, writeRateLimit }: RouteDeps): void {
  app.post(
    '/meta/targeting/backtest',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Run a closed-loop backtest on a synthetic STUB market',
        description: 'The strategy against a baseline, the uniform split and the oracle over `days` simulated days, as the `backtest` command. Seconds of CPU in a worker thread, one at a time per server (409 while one runs); nothing is stored. admin and manager, rate-limited like run.',
        security: BEARER,
        body: BacktestBody,
        response: { 200: BacktestResponse, ...errorResponses(409, 413, 415) },
      },
      config: { access: 'write', auditFields: ['days', 'history_days', 'market_seed', 'strategy', 'baseline'], rateLimit: writeRateLimit },
    },
    async (req) =>
      backtestOnStubMarket(ctx, {
        days: req.body.days ?? 28,
        historyDays: req.body.history_days ?? 14,
        marketSeed: req.body.market_seed ?? 7,
        strategy: req.body.strategy ?? 'bayes',
        baseline: req.body.baseline ?? 'spec',
      }),
  );
}
