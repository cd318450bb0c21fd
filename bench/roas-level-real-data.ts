// node bench/roas-level-real-data.ts — bias and mean absolute error of the expected ROAS, by the
// window alone and at the recent level, on real daily spend and sales (needs ../shared/data/real).
import path from 'node:path';
import { existsSync } from 'node:fs';
import { meanAbsolute, meanOf, readOnlineAdvertisingDaily, roasForecastErrors } from '../src/backtest/roas-forecast.ts';

const file = path.resolve(import.meta.dirname, '../../shared/data/real/online_advertising/online_advertising_performance_data.csv');
if (!existsSync(file)) {
  console.error(`${file} is absent: this benchmark needs the public data set beside the checkout`);
  process.exit(2);
}
const campaigns = await readOnlineAdvertisingDaily(file);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
for (const horizonDays of [1, 7]) {
  const e = roasForecastErrors(campaigns.values(), { horizonDays, windowDays: 30, recentDays: 7, priorStrength: 100 });
  console.log(
    `${horizonDays} day(s) ahead, ${e.windowAlone.length} forecasts: window alone bias ${pct(meanOf(e.windowAlone))}, mean absolute ${pct(meanAbsolute(e.windowAlone))}; ` +
      `recent level bias ${pct(meanOf(e.recentLevel))}, mean absolute ${pct(meanAbsolute(e.recentLevel))}`,
  );
}
