// npm run bench:segments — the interest choice on every market family (src/simulation/families.ts):
// 15 of 120 interests after 30 days of history, judged by the interests' true value per impression
// on the decision day. For each ad set's recommendation, the gap it closes between a random choice
// and the oracle's (the 15 truly best): (mean true value of the chosen − mean of all) / (mean of the
// 15 best − mean of all); per market, the ad sets' figures weighted by their budget (their spend in
// the window, as the optimizer splits it). Medians over the markets, and the worst market.
//   bayes        the product's default settings (the campaign segment pool, sizes only from a real source)
//   bayes v5     the same settings without segmentPool: engine version 5, the ad set's own rows
//                weighed by size inferred from delivery
//   seed         the specification's formulas as the product runs them (the ad set's own rows)
//   spec pool    the specification's composite ranking over the campaign's segments (its
//                _get_top_interests(campaign_id)): the seed's scores of the campaign-wide rows
//   raw          campaign-wide revenue per impression, unshrunk
//   ceiling      bench/interest-ceiling.ts on the campaign-wide rows: the most any estimator
//                knowing the market's true parameters as a set could close (exact in the union
//                family; in the others the rows are not each segment's own delivery, or their
//                orders not gamma, so only a guide)
import { loadConfig } from '../src/config.ts';
import { addCalendarDays } from '../src/engine/calendar.ts';
import { addMetrics, addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { optimizeCampaign } from '../src/engine/optimizer.ts';
import { scoreSegments } from '../src/engine/scoring.ts';
import { selectInterests } from '../src/engine/audience.ts';
import { SPEC_SETTINGS } from '../src/engine/test-settings.ts';
import type { AdSetSnapshot, CampaignSnapshot, EngineSettings, InsightRow, SegmentDay, SegmentHistory } from '../src/engine/types.ts';
import { trueInterestValues } from '../src/backtest/closed-loop.ts';
import { FAMILY_NAMES, NAMED_FAMILIES } from '../src/simulation/families.ts';
import { createStubMarket, getTruth } from '../src/simulation/market.ts';
import { ceilingRanking } from './interest-ceiling.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SEEDS = Number(arg('seeds') ?? 20);
const FAMILIES = arg('families')?.split(',') ?? FAMILY_NAMES;
const DAYS = 30;
const K = 15;
const DECISION_DAY = '2026-11-10';
const PRODUCT: EngineSettings = { ...loadConfig({}).engine, maxInterests: K };
const { segmentPool: _pool, ...V5 } = PRODUCT;
const SEED: EngineSettings = { ...SPEC_SETTINGS, maxInterests: K };

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`.padStart(8);

/** The campaign's snapshot from the market's rows: segment rows per ad set (the interest choice reads nothing else). */
function snapshotOf(rows: Iterable<InsightRow>, campaignId: string, start: string, end: string, recentStart: string): CampaignSnapshot {
  const adsets = new Map<string, { snapshot: AdSetSnapshot; segments: Map<string, SegmentHistory & { days: Map<string, SegmentDay> }> }>();
  for (const r of rows) {
    if (r.campaignId !== campaignId || (r.segmentType !== 'interest' && r.segmentType !== 'behavior')) continue;
    let a = adsets.get(r.adsetId);
    if (!a) {
      a = { snapshot: { adsetId: r.adsetId, segments: [], countries: [], demographics: [], total: emptyMetrics(), recent: emptyMetrics() }, segments: new Map() };
      adsets.set(r.adsetId, a);
    }
    const key = `${r.segmentType}:${r.segmentId}`;
    let h = a.segments.get(key);
    if (!h) {
      h = { segmentType: r.segmentType, segmentId: r.segmentId, segmentName: r.segmentName, total: emptyMetrics(), recent: emptyMetrics(), days: new Map() };
      a.segments.set(key, h);
    }
    addRow(h.total, r);
    if (r.date >= recentStart) addRow(h.recent, r);
    const d = h.days.get(r.date) ?? { date: r.date, impressions: 0, clicks: 0, reach: 0 };
    d.impressions += r.impressions;
    d.clicks += r.clicks;
    d.reach += r.reach ?? 0;
    h.days.set(r.date, d);
  }
  const list = [...adsets.values()].map(({ snapshot, segments }) => {
    for (const { days, ...h } of segments.values()) {
      const daily = [...days.values()].sort((x, y) => (x.date < y.date ? -1 : 1));
      snapshot.segments.push({ ...h, daily, activeDays: daily.filter((d) => d.impressions > 0).length });
    }
    // Segments overlap in the union family, so the ad set's total is its interest rows' sum: only its spend (the budget split) is read here.
    for (const s of snapshot.segments) if (s.segmentType === 'interest') addMetrics(snapshot.total, s.total);
    return snapshot;
  });
  list.sort((a, b) => ((a.adsetId ?? '') < (b.adsetId ?? '') ? -1 : 1));
  return { campaignId, currency: 'EUR', windowStart: start, windowEnd: end, adsets: list, pixelEvents: [] };
}

/** Campaign-wide interest histories: every ad set's rows of an interest summed. */
function campaignInterests(snapshot: CampaignSnapshot): SegmentHistory[] {
  const out = new Map<string, SegmentHistory>();
  for (const a of snapshot.adsets) {
    for (const h of a.segments) {
      if (h.segmentType !== 'interest') continue;
      const c = out.get(h.segmentId) ?? { segmentType: 'interest', segmentId: h.segmentId, segmentName: h.segmentName, total: emptyMetrics(), recent: emptyMetrics() };
      addMetrics(c.total, h.total);
      addMetrics(c.recent, h.recent);
      out.set(h.segmentId, c);
    }
  }
  return [...out.values()];
}

type Method = 'bayes' | 'bayes v5' | 'seed' | 'spec pool' | 'raw' | 'ceiling';
const METHODS: readonly Method[] = ['bayes', 'bayes v5', 'seed', 'spec pool', 'raw', 'ceiling'];

console.log(`Interest choice per market family: ${K} of 120 interests after ${DAYS} days, ${SEEDS} markets a family; gap closed between a random choice and the oracle's by true value per impression (median, worst market); mean interests per recommendation.`);
console.log(`${'family'.padEnd(26)}${METHODS.map((m) => m.padStart(20)).join('')}`);
const worstFamily: Record<Method, number> = Object.fromEntries(METHODS.map((m) => [m, Infinity])) as Record<Method, number>;
for (const name of FAMILIES) {
  const family = NAMED_FAMILIES[name];
  if (family === undefined) throw new RangeError(`unknown family ${name}: one of ${FAMILY_NAMES.join(', ')}`);
  const gaps: Record<Method, number[]> = Object.fromEntries(METHODS.map((m) => [m, []])) as unknown as Record<Method, number[]>;
  const counts: Record<Method, number[]> = Object.fromEntries(METHODS.map((m) => [m, []])) as unknown as Record<Method, number[]>;
  for (let s = 0; s < SEEDS; s++) {
    const market = createStubMarket({ seed: 2000 + s, campaigns: 1, days: DAYS, endDate: DECISION_DAY, interestsPerCampaign: 120, behaviorsPerCampaign: 5, family });
    const truth = getTruth(market).campaigns[0]!;
    const trueValue = trueInterestValues(truth);
    const values = [...trueValue.values()];
    const all = values.reduce((a, b) => a + b, 0) / values.length;
    const best = [...values].sort((a, b) => b - a).slice(0, K).reduce((a, b) => a + b, 0) / K;
    const closed = (ids: readonly string[]) => (ids.length === 0 ? 0 : (ids.reduce((a, id) => a + (trueValue.get(id) ?? 0), 0) / ids.length - all) / (best - all));
    const snapshot = snapshotOf(market.rows(), truth.campaignId, addCalendarDays(DECISION_DAY, -(DAYS - 1)), DECISION_DAY, addCalendarDays(DECISION_DAY, -6));
    const perAdset = (settings: EngineSettings, method: Method) => {
      const decisions = optimizeCampaign({ snapshot, totalBudgetMinor: 100_000, settings });
      const weight = decisions.reduce((a, d) => a + d.decision.budgetMinor, 0);
      gaps[method].push(decisions.reduce((a, d) => a + d.decision.budgetMinor * closed(d.decision.interests.map((i) => i.segmentId)), 0) / weight);
      counts[method].push(decisions.reduce((a, d) => a + d.decision.budgetMinor * d.decision.interests.length, 0) / weight);
    };
    perAdset(PRODUCT, 'bayes');
    perAdset(V5, 'bayes v5');
    perAdset(SEED, 'seed');
    const pooled = campaignInterests(snapshot);
    const whole = (method: Method, ids: string[]) => {
      gaps[method].push(closed(ids));
      counts[method].push(ids.length);
    };
    whole('spec pool', selectInterests(scoreSegments(pooled, SEED, 100), new Map(), K).selected.map((i) => i.segmentId));
    whole('raw', pooled.filter((h) => h.total.impressions > 0).sort((a, b) => b.total.revenueMinor / b.total.impressions - a.total.revenueMinor / a.total.impressions || (a.segmentId < b.segmentId ? -1 : 1)).slice(0, K).map((h) => h.segmentId));
    whole('ceiling', ceilingRanking(truth, pooled, trueValue).slice(0, K));
  }
  for (const m of METHODS) worstFamily[m] = Math.min(worstFamily[m], median(gaps[m]));
  console.log(`${name.padEnd(26)}${METHODS.map((m) => `${pct(median(gaps[m]))} ${pct(Math.min(...gaps[m]))} ${median(counts[m]).toFixed(0).padStart(2)}`).join('')}`);
}
console.log(`${'worst family (median)'.padEnd(26)}${METHODS.map((m) => `${pct(worstFamily[m])}${' '.repeat(12)}`).join('')}`);
