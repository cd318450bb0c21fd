// The bayes strategy's expected ROAS at the recent level, checked on real daily spend and sales
// (display banners, not Meta; see SOURCE.md beside the data), 3 campaigns over 91 days.
// `node bench/roas-level-real-data.ts` prints the figures.
import { describe, expect, it } from 'vitest';
import { meanAbsolute, readOnlineAdvertisingDaily, roasForecastErrors } from '../src/backtest/roas-forecast.ts';
import { realData } from './helpers/real-data.ts';

const data = realData('online_advertising/online_advertising_performance_data.csv');

describe.skipIf(!data.available)(data.title('expected ROAS at the recent level on real daily spend and sales'), () => {
  it('forecasts the next day and the next week with a smaller mean absolute error than the window alone', async () => {
    const campaigns = await readOnlineAdvertisingDaily(data.files[0]!);
    expect([...campaigns.keys()].sort()).toEqual(['camp 1', 'camp 2', 'camp 3']);
    for (const horizonDays of [1, 7]) {
      // TARGETING_PRIOR_STRENGTH's default, the engine's 30-day window and 7 recent days.
      const errors = roasForecastErrors(campaigns.values(), { horizonDays, windowDays: 30, recentDays: 7, priorStrength: 100 });
      // camp 2 runs in April only, so most forecasts are camp 1's and camp 3's.
      expect(errors.windowAlone.length).toBeGreaterThan(100);
      expect(meanAbsolute(errors.recentLevel)).toBeLessThan(meanAbsolute(errors.windowAlone));
    }
  });
});
