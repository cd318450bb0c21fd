// npm run bench:geo-real — the bayes geo split's models on real daily spend and sales (display
// banners, not Meta; needs ../shared/data/real): each campaign's placements as its countries, every
// 30-day window a week apart checked as a run checks its history, under the engine's settings, without
// the bend test, and as engine version 13 shrank and bent. Prints the order values' measured spread, how often the days show a
// value bend, and each candidate's held-out error (how far its predicted shares of the later days'
// sales are from the actual ones; 0 = all right).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPlacements, readPlacementDays } from '../src/backtest/geo-real-data.ts';
import { loadConfig } from '../src/config.ts';
import { GEO_CANDIDATES } from '../src/engine/geo-value.ts';

const file = path.resolve(import.meta.dirname, '../../shared/data/real/online_advertising/online_advertising_performance_data.csv');
if (!existsSync(file)) {
  console.error(`${file} is absent: this benchmark needs the public data set beside the checkout`);
  process.exit(2);
}
const engine = loadConfig({}).engine;
const variants = {
  'as version 13 (order values as spread as their mean, moments, every bend)': { ...engine, measuredLevelNoise: false, testedValueBend: false },
  'measured noise, every bend': { ...engine, testedValueBend: false },
  'measured noise, tested bends (version 16)': { ...engine, commonDayCost: false },
  "and the days' common cost swing (the default)": { ...engine, commonDayCost: true },
};
const started = performance.now();
const { orderValues, windows } = checkPlacements(await readPlacementDays(file), variants);
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
for (const [campaign, spread] of orderValues) {
  const own = windows.filter((w) => w.campaign === campaign);
  console.log(`${campaign}: order values' cv² ${spread.cv2.toFixed(2)} (${spread.days} placement-days; the assumption it replaces: 1); ${own.length} windows, a shared value bend shown in ${own.filter((w) => w.bendShown === true).length}, a common swing in cost per impression in ${own.filter((w) => w.dayCostShown === true).length}`);
}
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nHeld-out error over ${windows.length} windows (median / mean):`);
for (const name of Object.keys(variants)) {
  const of = (c: (typeof GEO_CANDIDATES)[number]) => windows.map((w) => w.errors[name]![c]);
  console.log(`  ${name}: ${GEO_CANDIDATES.map((c) => `${c} ${median(of(c)).toFixed(4)} / ${mean(of(c)).toFixed(4)}`).join('; ')}`);
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
