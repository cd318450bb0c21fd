// npm run bench:kaggle-segments — interest choice on the public Kaggle "Sales Conversion
// Optimization" data (campaign 1178: 625 ads, 277 ad sets, one interest per ad set, no revenue),
// beside the specification's choice and raw ratios: random half-splits of the ads, interests chosen
// from one half, judged by the conversions per spend they earned in the other
// (src/backtest/half-split.ts). Needs ../shared/data/real beside the checkout (licence unknown:
// never copied into the repository).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { SPEC_SETTINGS } from '../src/engine/test-settings.ts';
import { campaignListMethod, halfSplitInterestChoice, optimizerMethod, rawConversionsPerSpend, readKaggleAds, specCampaignTop } from '../src/backtest/half-split.ts';

const SPLITS = Number(process.argv.find((a) => a.startsWith('--splits='))?.slice(9) ?? 20);
const file = path.resolve(import.meta.dirname, '../../shared/data/real/kag_conversion/KAG_conversion_data.csv');
if (!existsSync(file)) {
  console.log(`skipped: ${file} is absent (the public Kaggle data lives beside the checkout, not in it)`);
  process.exit(0);
}
const K = 15;
const product = loadConfig({}).engine;
const { segmentPool: _pool, ...v5 } = product;
const ads = await readKaggleAds(readFileSync(file, 'utf8'), '1178');
const figures = halfSplitInterestChoice(ads, '1178', [
  optimizerMethod('bayes (default: the campaign segment pool)', product),
  optimizerMethod('bayes, engine version 5 (the ad set\'s own rows)', v5),
  optimizerMethod('seed as the product runs it (the ad set\'s own rows)', SPEC_SETTINGS),
  campaignListMethod('the specification\'s top interests of the campaign', specCampaignTop(SPEC_SETTINGS, K)),
  campaignListMethod('raw conversions per spend over the campaign', rawConversionsPerSpend(K)),
], SPLITS);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const all = figures.at(-1)!.conversionsPer100;
console.log(`Kaggle campaign 1178, ${ads.length} ads, ${SPLITS} random half-splits: held-out approved conversions per 100 of spend of the chosen interests (median over splits, worst and best split; ratio to the whole held-out half, median), interests per recommendation (median)`);
const bayes = figures[0]!.conversionsPer100;
for (const f of figures) {
  const ratio = f.conversionsPer100.map((x, i) => x / all[i]!);
  // Paired with the default on the same splits: the spread between splits is mostly which ads fell in which half.
  const differences = f.conversionsPer100.map((x, i) => x - bayes[i]!);
  const paired = f === figures[0] ? '' : `; against bayes: median difference ${median(differences) >= 0 ? '+' : ''}${median(differences).toFixed(3)}, ahead on ${differences.filter((d) => d > 0).length} of ${SPLITS} splits`;
  console.log(`  ${f.name.padEnd(58)} ${median(f.conversionsPer100).toFixed(3)} (${Math.min(...f.conversionsPer100).toFixed(3)}–${Math.max(...f.conversionsPer100).toFixed(3)}); ×${median(ratio).toFixed(3)}; ${median(f.interests).toFixed(1)} interests${paired}`);
}
