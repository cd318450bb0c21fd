// The bayes geo split's models checked on real daily spend and sales (display banners, not Meta;
// see SOURCE.md beside the data), each campaign's placements standing for its countries.
// `npm run bench:geo-real` prints the figures.
import { describe, expect, it } from 'vitest';
import { checkPlacements, readPlacementDays } from '../src/backtest/geo-real-data.ts';
import { loadConfig } from '../src/config.ts';
import { realData } from './helpers/real-data.ts';

const data = realData('online_advertising/online_advertising_performance_data.csv');

describe.skipIf(!data.available)(data.title('the geo split\'s value models on real daily spend and sales'), () => {
  it('measures order values spreading far more than the assumption it replaces, and predicts the later days no worse for it', async () => {
    const engine = loadConfig({}).engine;
    const { orderValues, windows } = checkPlacements(await readPlacementDays(data.files[0]!), {
      before: { ...engine, measuredLevelNoise: false, testedValueBend: false },
      now: engine,
    });
    expect([...orderValues.keys()].sort()).toEqual(['camp 1', 'camp 2', 'camp 3']);
    for (const spread of orderValues.values()) {
      expect(spread.days).toBeGreaterThan(50);
      expect(spread.cv2).toBeGreaterThan(2);
    }
    expect(windows.length).toBeGreaterThan(10);
    const mean = (name: string) => windows.reduce((s, w) => s + w.errors[name]!.value_response, 0) / windows.length;
    expect(mean('now')).toBeLessThanOrEqual(mean('before'));
    // Some windows show a value bend and some do not: the test tells them apart rather than deciding for all.
    expect(windows.some((w) => w.bendShown === true)).toBe(true);
    expect(windows.some((w) => w.bendShown === false)).toBe(true);
  });
});
