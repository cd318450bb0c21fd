import { Type } from 'typebox';
import { STRATEGIES } from '../../engine/types.ts';

export const BacktestBody = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 56, default: 28, description: 'Simulated days of the loop (1 to 56, default 28)' })),
    history_days: Type.Optional(Type.Integer({ minimum: 3, maximum: 60, default: 14, description: 'Days of synthetic history before the loop (default 14)' })),
    market_seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 7 })),
    strategy: Type.Optional(Type.Enum([...STRATEGIES], { default: 'bayes' })),
    baseline: Type.Optional(Type.Enum([...STRATEGIES], { default: 'spec' })),
  },
  { additionalProperties: false },
);

const Day = Type.Object({
  day: Type.Integer(),
  date: Type.String(),
  spendMinor: Type.Number(),
  expectedRevenueMinor: Type.Number(),
  revenueMinor: Type.Number(),
  predictedRoas: Type.Union([Type.Number(), Type.Null()]),
  regretMinor: Type.Number(),
});

export const BacktestResponse = Type.Object(
  {
    marketSeed: Type.Union([Type.Number(), Type.String()]),
    family: Type.String(),
    campaignId: Type.String(),
    currency: Type.String(),
    dailyBudgetMinor: Type.Number(),
    historyDays: Type.Integer(),
    windowDays: Type.Integer(),
    days: Type.Integer(),
    series: Type.Array(
      Type.Object({
        strategy: Type.String(),
        days: Type.Array(Day),
        cumulativeExpectedRevenueMinor: Type.Number(),
        shareOfOracle: Type.Number(),
        calibrationError: Type.Union([Type.Number(), Type.Null()]),
        calibrationAbsError: Type.Union([Type.Number(), Type.Null()]),
        adSetRestarts: Type.Union([Type.Object({ interestEdits: Type.Integer(), countryMoves: Type.Integer() }), Type.Null()], { description: 'Where the family applies the split one ad set per country: how often an ad set restarted learning; else null' }),
      }),
    ),
  },
  { description: 'The `backtest` command\'s report (amounts in minor units of `currency`), less the per-day diagnostics' },
);
