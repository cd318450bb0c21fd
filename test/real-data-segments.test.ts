// Interest choice on the public Kaggle conversion data (campaign 1178: one interest per ad set, no
// revenue; ../shared/data/real/kag_conversion/SOURCE.md), on random half-splits of its ads
// (src/backtest/half-split.ts); `npm run bench:kaggle-segments` prints the figures over more
// splits. Skipped, saying so, where the data is not beside the checkout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { SPEC_SETTINGS } from '../src/engine/test-settings.ts';
import { campaignListMethod, halfSplitInterestChoice, optimizerMethod, rawConversionsPerSpend, readKaggleAds, snapshotOfAds, specCampaignTop } from '../src/backtest/half-split.ts';
import { decideDocuments } from '../src/presentation/test-documents.ts';
import { realData } from './helpers/real-data.ts';

const data = realData('kag_conversion/KAG_conversion_data.csv');
const file = data.files[0]!;

describe.skipIf(!data.available)(data.title('interest choice on Kaggle campaign 1178, random half-splits of its ads'), () => {
  const product = loadConfig({}).engine;
  const { segmentPool: _pool, ...v5 } = product;

  it('recommends several interests per ad set, chosen from the whole campaign', async () => {
    const ads = await readKaggleAds(readFileSync(file, 'utf8'), '1178');
    expect(ads).toHaveLength(625);
    const snapshot = snapshotOfAds(ads, '1178');
    // Every ad set of the data targets one interest.
    expect(snapshot.adsets.every((a) => a.segments.length === 1)).toBe(true);
    const decisions = decideDocuments({ snapshot, totalBudgetMinor: 100_000, settings: product });
    expect(decisions.every((d) => d.draft.interests.length === 15)).toBe(true);
    // Engine version 5's choice (the ad set's own rows) kept each ad set on its one interest.
    expect(decideDocuments({ snapshot, totalBudgetMinor: 100_000, settings: v5 }).every((d) => d.draft.interests.length === 1)).toBe(true);
  });

  it('earns more held-out conversions per spend than keeping every interest, and than each ad set\'s own one', async () => {
    const ads = await readKaggleAds(readFileSync(file, 'utf8'), '1178');
    const figures = halfSplitInterestChoice(ads, '1178', [
      optimizerMethod('bayes', product),
      optimizerMethod('bayes v5', v5),
      campaignListMethod('spec top of the campaign', specCampaignTop(SPEC_SETTINGS, 15)),
      campaignListMethod('raw', rawConversionsPerSpend(15)),
    ], 6);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const of = (name: string) => figures.find((f) => f.name === name)!;
    expect(of('bayes').interests.every((n) => n > 1)).toBe(true);
    // Choosing among the campaign's interests earns more per spend on the held-out ads than keeping
    // every interest, and than each ad set's own single interest.
    expect(mean(of('bayes').conversionsPer100)).toBeGreaterThan(mean(of('all interests').conversionsPer100));
    expect(mean(of('bayes').conversionsPer100)).toBeGreaterThan(mean(of('bayes v5').conversionsPer100));
  });
});
