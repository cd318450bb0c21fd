// Interest choice checked on held-out ads of a real account: the ads are split at random into two
// halves, each ad set's interests are chosen from the first half, and the chosen interests are
// judged by the conversions per spend they earned in the second half (campaign-wide: every ad of
// the interest in that half, whatever its ad set). Repeated over several splits.
//
// Built for the public Kaggle "Sales Conversion Optimization" data (one interest per ad, no
// revenue, no dates, no countries): the data the bench and the test read, not a product feature.
import { scoreSegments } from '../engine/scoring.ts';
import { selectInterests } from '../engine/audience.ts';
import { addMetrics, emptyMetrics } from '../engine/metrics.ts';
import { optimizeCampaign } from '../engine/optimizer.ts';
import { createRng } from '../engine/random.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, Metrics, SegmentHistory } from '../engine/types.ts';
import { readCsvTable } from '../sources/tabular.ts';

/** One ad of the data set, for one interest. */
export interface InterestAd {
  adsetId: string;
  interestId: string;
  impressions: number;
  clicks: number;
  spendMinor: number;
  conversions: number;
}

export interface SplitMethod {
  name: string;
  /** The interests chosen for each ad set of the first half, with the ad set's budget (its weight). */
  choose: (snapshot: CampaignSnapshot) => { interests: string[]; weight: number }[];
}

export interface SplitFigures {
  name: string;
  /** Held-out conversions per 100 major units of spend of the chosen interests, per split (budget-weighted over ad sets). */
  conversionsPer100: number[];
  /** Mean interests per recommendation, per split (budget-weighted). */
  interests: number[];
}

/**
 * The ads of one campaign of KAG_conversion_data.csv (xyz_campaign_id), as the importer maps them
 * (src/sources/kaggle-conversion.ts): ad set = fb_campaign_id, conversions = Approved_Conversion,
 * spend in cents. Not merged: the split is by ad.
 */
export async function readKaggleAds(text: string, campaignId: string): Promise<InterestAd[]> {
  const table = await readCsvTable(text);
  const header = table.header.map((h) => h.replace(/^\ufeff/, '').trim().toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`column ${name} is missing`);
    return i;
  };
  const [campaign, adset, interest, impressions, clicks, spent, approved] = ['xyz_campaign_id', 'fb_campaign_id', 'interest', 'impressions', 'clicks', 'spent', 'approved_conversion'].map(col) as [number, number, number, number, number, number, number];
  return table.records
    .filter(({ cells }) => String(cells[campaign]).trim() === campaignId)
    .map(({ cells }) => ({
      adsetId: String(cells[adset]).trim(),
      interestId: `kag-interest-${String(cells[interest]).trim()}`,
      impressions: Number(cells[impressions]),
      clicks: Number(cells[clicks]),
      spendMinor: Math.round(Number(cells[spent]) * 100),
      conversions: Number(cells[approved]),
    }));
}

const metricsOf = (ad: InterestAd): Metrics => ({
  ...emptyMetrics(),
  impressions: ad.impressions,
  clicks: ad.clicks,
  spendMinor: ad.spendMinor,
  conversions: ad.conversions,
  clicksWithConversions: ad.clicks,
});

/** The first half as the engine sees it: per ad set, one interest row each (summed over its ads). */
export function snapshotOfAds(ads: readonly InterestAd[], campaignId: string): CampaignSnapshot {
  const adsets = new Map<string, Map<string, SegmentHistory>>();
  for (const ad of ads) {
    let a = adsets.get(ad.adsetId);
    if (!a) adsets.set(ad.adsetId, (a = new Map()));
    let h = a.get(ad.interestId);
    if (!h) a.set(ad.interestId, (h = { segmentType: 'interest', segmentId: ad.interestId, segmentName: `Interest ${ad.interestId}`, total: emptyMetrics(), recent: emptyMetrics(), activeDays: 1 }));
    addMetrics(h.total, metricsOf(ad));
  }
  const list: AdSetSnapshot[] = [...adsets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([adsetId, segments]) => {
    const total = emptyMetrics();
    for (const h of segments.values()) addMetrics(total, h.total);
    return { adsetId, segments: [...segments.values()], countries: [], demographics: [], total, recent: emptyMetrics() };
  });
  return { campaignId, currency: 'USD', windowStart: '2017-08-30', windowEnd: '2017-08-30', adsets: list, pixelEvents: [] };
}

/** Campaign-wide figures per interest. */
function interestTotals(ads: readonly InterestAd[]): Map<string, Metrics> {
  const out = new Map<string, Metrics>();
  for (const ad of ads) out.set(ad.interestId, addMetrics(out.get(ad.interestId) ?? emptyMetrics(), metricsOf(ad)));
  return out;
}

/** The product's optimizer with `settings`: each ad set's recommendation, weighted by its budget. */
export function optimizerMethod(name: string, settings: EngineSettings): SplitMethod {
  return {
    name,
    choose: (snapshot) => optimizeCampaign({ snapshot, totalBudgetMinor: 100_000, settings }).map((d) => ({ interests: d.decision.interests.map((i) => i.segmentId), weight: d.decision.budgetMinor })),
  };
}

/** One campaign-wide list for every ad set (the specification's top interests of a campaign, or raw ratios). */
export function campaignListMethod(name: string, rank: (histories: SegmentHistory[]) => string[]): SplitMethod {
  return {
    name,
    choose: (snapshot) => {
      const totals = new Map<string, SegmentHistory>();
      for (const a of snapshot.adsets) {
        for (const h of a.segments) {
          const t = totals.get(h.segmentId) ?? { ...h, total: emptyMetrics(), recent: emptyMetrics() };
          addMetrics(t.total, h.total);
          totals.set(h.segmentId, t);
        }
      }
      return [{ interests: rank([...totals.values()]), weight: 1 }];
    },
  };
}

/** The specification's composite × confidence over the campaign's interests (its `_get_top_interests(campaign_id)`). */
export const specCampaignTop = (settings: EngineSettings, k: number) => (histories: SegmentHistory[]) => selectInterests(scoreSegments(histories, settings, 100), new Map(), k).selected.map((i) => i.segmentId);

/** Raw conversions per spend over the campaign, unshrunk (interests without spend last). */
export const rawConversionsPerSpend = (k: number) => (histories: SegmentHistory[]) =>
  histories
    .filter((h) => h.total.spendMinor > 0)
    .sort((a, b) => b.total.conversions / b.total.spendMinor - a.total.conversions / a.total.spendMinor || (a.segmentId < b.segmentId ? -1 : 1))
    .slice(0, k)
    .map((h) => h.segmentId);

/**
 * Runs every method on `splits` random half-splits of the ads (seeded: the same splits every time).
 * Also reports the campaign's whole second half ("all interests", what keeping everything earns).
 */
export function halfSplitInterestChoice(ads: readonly InterestAd[], campaignId: string, methods: readonly SplitMethod[], splits: number, seed = 'half-split'): SplitFigures[] {
  const figures: SplitFigures[] = [...methods.map((m) => ({ name: m.name, conversionsPer100: [] as number[], interests: [] as number[] })), { name: 'all interests', conversionsPer100: [], interests: [] }];
  for (let s = 0; s < splits; s++) {
    const rng = createRng(`${seed}:${s}`);
    const order = rng.shuffle(ads.map((_, i) => i));
    const firstHalf = new Set(order.slice(0, Math.floor(ads.length / 2)));
    const train = ads.filter((_, i) => firstHalf.has(i));
    const test = interestTotals(ads.filter((_, i) => !firstHalf.has(i)));
    const per100 = (ids: readonly string[]) => {
      let conversions = 0;
      let spend = 0;
      for (const id of ids) {
        const m = test.get(id);
        if (!m) continue;
        conversions += m.conversions;
        spend += m.spendMinor;
      }
      return spend > 0 ? (conversions / spend) * 10_000 : 0;
    };
    const snapshot = snapshotOfAds(train, campaignId);
    methods.forEach((m, j) => {
      const chosen = m.choose(snapshot);
      const weight = chosen.reduce((a, c) => a + c.weight, 0);
      figures[j]!.conversionsPer100.push(chosen.reduce((a, c) => a + c.weight * per100(c.interests), 0) / weight);
      figures[j]!.interests.push(chosen.reduce((a, c) => a + c.weight * c.interests.length, 0) / weight);
    });
    figures.at(-1)!.conversionsPer100.push(per100([...test.keys()]));
    figures.at(-1)!.interests.push(test.size);
  }
  return figures;
}
