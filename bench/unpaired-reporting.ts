// npm run bench:unpaired-reporting — segments chosen from rows that report only one of conversions
// and revenue, on real daily data (the public "Online Advertising Digital Marketing Data": display
// banners, 91 days, each row a day of one campaign × audience engagement × banner × placement, with
// post-click conversions and sales; needs ../shared/data/real beside the checkout).
//
// Each campaign's segments are valued on April and May as the `bayes` strategy values them (value
// per unit of spend, priors fitted across the campaign's segments) and the best K are judged on
// June: their sales per unit of spend, as the share of the gap from every segment's to the best K's
// closed. The same history is read as reported in full, with no conversion count on any row, and
// with each row lacking its conversions (40 %) or its sales (20 %) at random (ten draws); the last
// two also as engine version 9 read them (Metrics without the fields of rows that report one of
// the pair: its order value was all revenue over all conversions, and revenue without a
// conversion count said nothing of the conversion rate).
//
// Two judgements of the same choice: the chosen set's June sales over its June spend (`pooled`:
// a segment weighs by what was spent on it in June, so one large segment can decide it) and the
// mean of the chosen segments' own June sales per spend (`alike`: every slot counts alike, as the
// simulated benchmark's interest choice does). The full reading is also valued with value per
// click shrunk as one figure (strength by the method of moments, one click's variance from Poisson
// conversions with exponential order values): a candidate value model, not the engine's.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addMetrics, addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { createRng, deriveSeed } from '../src/engine/random.ts';
import { fitSegmentPriors, ratePriorsByType } from '../src/engine/segment-value.ts';
import type { InsightRow, Metrics, SegmentHistory } from '../src/engine/types.ts';
import { smooth } from '../src/engine/scoring.ts';
import { valuePerImpression, valuePerSpend } from '../src/engine/value-model.ts';
import { readCsvTable } from '../src/sources/tabular.ts';

const file = path.resolve(import.meta.dirname, '../../shared/data/real/online_advertising/online_advertising_performance_data.csv');
if (!existsSync(file)) {
  console.error(`${file} is absent: this benchmark needs the public data set beside the checkout`);
  process.exit(2);
}
const K = 10;
const DRAWS = 10;
const MONTH = { April: '04', May: '05', June: '06' } as Record<string, string>;

interface Row {
  campaign: string;
  segment: string;
  date: string;
  impressions: number;
  clicks: number;
  spendMinor: number;
  conversions: number;
  salesMinor: number;
}

async function readRows(): Promise<Row[]> {
  const table = await readCsvTable(await readFile(file, 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  const c = Object.fromEntries(['month', 'day', 'campaign_number', 'user_engagement', 'banner', 'placement', 'displays', 'clicks', 'cost', 'post_click_conversions', 'post_click_sales_amount'].map((n) => [n, col(n)]));
  return table.records.map(({ cells }) => ({
    campaign: String(cells[c.campaign_number!]),
    segment: `${String(cells[c.user_engagement!])} | ${String(cells[c.banner!])} | ${String(cells[c.placement!])}`,
    date: `2020-${MONTH[String(cells[c.month!])]!}-${String(cells[c.day!]).padStart(2, '0')}`,
    impressions: Number(cells[c.displays!]),
    clicks: Number(cells[c.clicks!]),
    spendMinor: Math.round(Number(cells[c.cost!]) * 100),
    conversions: Number(cells[c.post_click_conversions!]),
    salesMinor: Math.round(Number(cells[c.post_click_sales_amount!]) * 100),
  }));
}

type Reporting = 'complete' | 'revenue-only' | 'patchy';

function reported(r: Row, reporting: Reporting, draw: number): InsightRow {
  let conversions: number | null = r.conversions;
  let revenue: number | null = r.salesMinor;
  if (reporting === 'revenue-only') conversions = null;
  if (reporting === 'patchy') {
    const rng = createRng(deriveSeed('unpaired-reporting', draw, r.campaign, r.segment, r.date));
    if (rng.next() < 0.4) conversions = null;
    if (rng.next() < 0.2) revenue = null;
  }
  return {
    date: r.date, campaignId: r.campaign, adsetId: '', segmentType: 'interest', segmentId: r.segment, segmentName: r.segment, country: '', age: '', gender: '',
    impressions: r.impressions, reach: null, clicks: r.clicks, conversions, spendMinor: r.spendMinor, revenueMinor: revenue, currency: 'EUR',
  };
}

/** What engine version 9 saw of the same rows: no fields for the rows that report one of the pair. */
function asVersion9(m: Metrics): Metrics {
  const { conversionsWithoutRevenue: _a, revenueWithoutConversionsMinor: _b, clicksWithRevenueOnly: _c, ...rest } = m;
  return rest;
}

/** Value per click shrunk as one figure: the pool's mean and its strength in clicks (method of moments); null where the units differ no more than noise. */
function valuePerClickPrior(histories: readonly SegmentHistory[]): { mean: number; strength: number } | null {
  const units = histories.map((h) => h.total).filter((m) => m.clicks > 0);
  const clicks = units.reduce((a, m) => a + m.clicks, 0);
  const revenue = units.reduce((a, m) => a + m.revenueMinor, 0);
  const conversions = units.reduce((a, m) => a + m.conversions, 0);
  const mean = revenue / clicks;
  const order = revenue / conversions;
  const perClickVariance = (conversions / clicks) * 2 * order * order;
  const deviations = units.reduce((a, m) => a + m.clicks * (m.revenueMinor / m.clicks - mean) ** 2, 0);
  const spread = (deviations - (units.length - 1) * perClickVariance) / (clicks - units.reduce((a, m) => a + m.clicks ** 2, 0) / clicks);
  return spread > 0 ? { mean, strength: perClickVariance / spread } : null;
}

/** The K segments of highest value per unit of spend under the `bayes` value model (or with value per click shrunk as one figure). */
function choose(histories: readonly SegmentHistory[], perClick = false): string[] {
  const priors = ratePriorsByType(histories, fitSegmentPriors(histories));
  const prior = priors.get('interest')!;
  const joint = perClick ? valuePerClickPrior(histories) : null;
  if (perClick && joint === null) throw new Error('value per click: the segments differ no more than noise');
  const valueOf = (m: Metrics) => {
    if (joint === null) return valuePerImpression(m, prior);
    const ctr = smooth(prior.ctr, prior.strengths.ctr, m.impressions > 0 ? m.clicks / m.impressions : 0, m.impressions);
    return ctr * smooth(joint.mean, joint.strength, m.clicks > 0 ? m.revenueMinor / m.clicks : 0, m.clicks);
  };
  return histories
    .map((h) => ({ id: h.segmentId, value: valuePerSpend(valueOf(h.total), h.total, prior), tie: deriveSeed('tie', h.segmentId) }))
    // Ties in an order unrelated to the names (which start with the engagement level).
    .sort((a, b) => b.value - a.value || a.tie - b.tie)
    .slice(0, K)
    .map((s) => s.id);
}

const rows = await readRows();
const campaigns = [...new Set(rows.map((r) => r.campaign))].sort();
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
type Judgement = 'pooled' | 'alike';
const JUDGEMENTS: readonly Judgement[] = ['pooled', 'alike'];
const results: Record<Judgement, Record<string, number[]>> = { pooled: {}, alike: {} };

for (const campaign of campaigns) {
  const own = rows.filter((r) => r.campaign === campaign);
  const heldOut = new Map<string, { spend: number; sales: number }>();
  for (const r of own) {
    if (r.date < '2020-06-01') continue;
    const h = heldOut.get(r.segment) ?? { spend: 0, sales: 0 };
    h.spend += r.spendMinor;
    h.sales += r.salesMinor;
    heldOut.set(r.segment, h);
  }
  const returnOf = (id: string) => {
    const h = heldOut.get(id);
    return h && h.spend > 0 ? h.sales / h.spend : 0;
  };
  const judgedBy: Record<Judgement, (ids: readonly string[]) => number> = {
    pooled: (ids) => {
      const t = ids.reduce((acc, id) => {
        const h = heldOut.get(id);
        return h ? { spend: acc.spend + h.spend, sales: acc.sales + h.sales } : acc;
      }, { spend: 0, sales: 0 });
      return t.spend > 0 ? t.sales / t.spend : 0;
    },
    alike: (ids) => ids.reduce((a, id) => a + returnOf(id), 0) / ids.length,
  };
  // Candidates: segments with spend in both periods, so that the choice can be judged.
  const training = own.filter((r) => r.date < '2020-06-01' && (heldOut.get(r.segment)?.spend ?? 0) > 0);
  const ids = [...new Set(training.map((r) => r.segment))];
  const bounds = Object.fromEntries(JUDGEMENTS.map((j) => {
    const judged = judgedBy[j];
    return [j, { all: judged(ids), best: judged([...ids].sort((a, b) => returnOf(b) - returnOf(a)).slice(0, K)) }];
  })) as Record<Judgement, { all: number; best: number }>;
  if (!(bounds.pooled.best > bounds.pooled.all)) {
    console.log(`${campaign}: left out, no sales in June to tell its segments apart`);
    continue;
  }
  const add = (name: string, chosen: readonly (readonly string[])[]) => {
    for (const j of JUDGEMENTS) {
      const { all, best } = bounds[j];
      (results[j][name] ??= []).push(median(chosen.map((c) => (judgedBy[j](c) - all) / (best - all))));
    }
  };
  const historiesOf = (reporting: Reporting, draw: number, read: (m: Metrics) => Metrics = (m) => m): SegmentHistory[] => {
    const totals = new Map<string, Metrics>();
    for (const r of training) addRow(totals.get(r.segment) ?? totals.set(r.segment, emptyMetrics()).get(r.segment)!, reported(r, reporting, draw));
    return [...totals].map(([id, m]) => ({ segmentType: 'interest', segmentId: id, segmentName: id, total: read(m), recent: emptyMetrics() }));
  };
  const draws = Array.from({ length: DRAWS }, (_, d) => d);
  add('complete', [choose(historiesOf('complete', 0))]);
  add('complete, value per click as one figure', [choose(historiesOf('complete', 0), true)]);
  add('revenue-only', [choose(historiesOf('revenue-only', 0))]);
  add('revenue-only, read as version 9', [choose(historiesOf('revenue-only', 0, asVersion9))]);
  add('patchy (median of draws)', draws.map((d) => choose(historiesOf('patchy', d))));
  add('patchy, read as version 9 (median of draws)', draws.map((d) => choose(historiesOf('patchy', d, asVersion9))));
  const pooled = training.reduce((acc, r) => addMetrics(acc, addRow(emptyMetrics(), reported(r, 'complete', 0))), emptyMetrics());
  console.log(`${campaign}: ${ids.length} segments, June sales per spend: all ${bounds.pooled.all.toFixed(2)}, best ${K} ${bounds.pooled.best.toFixed(2)} (April–May: ${pooled.conversions} conversions)`);
}
const HEADINGS: Record<Judgement, string> = {
  pooled: `the chosen set's June sales over its June spend (a segment weighs by its June spend)`,
  alike: `the mean of the chosen segments' own June sales per spend (every slot alike)`,
};
for (const j of JUDGEMENTS) {
  const named = Object.entries(results[j]);
  console.log(`\nShare of the gap from every segment's to the best ${K}'s closed by the ${K} chosen on April–May, judged by ${HEADINGS[j]} (${named[0]?.[1].length ?? 0} campaigns):`);
  for (const [name, xs] of named) console.log(`  ${name.padEnd(46)} median ${pct(median(xs))}; per campaign ${xs.map(pct).join(', ')}`);
}
