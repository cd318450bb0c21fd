// npm run bench:quality — how much revenue each budget split earns on stub markets whose truth is
// known, as a share of what the oracle (the true curves, the same Spain floor) earns.
//   uniform: equal shares with the Spain floor
//   seed:    the specification's engagement-proportional split (the baseline)
//   bayes:   fitted response curves + shrunk value per impression + equal marginal returns
// Two settings per market seed: a split decided once from 14 days of history, and a 28-day closed
// loop where each day's split is delivered by the market (with noise) and fed back as history.
import { addRow, emptyMetrics } from '../src/engine/metrics.ts';
import { allocateBudget, scoreCountries } from '../src/engine/geo.ts';
import { allocateByResponse, type CountryDaily } from '../src/engine/geo-bayes.ts';
import { rescoreByValue } from '../src/engine/segment-value.ts';
import { selectInterests } from '../src/engine/audience.ts';
import { scoreSegments } from '../src/engine/scoring.ts';
import { SEED_SETTINGS } from '../src/engine/test-settings.ts';
import type { EngineSettings, SegmentHistory } from '../src/engine/types.ts';
import { createRng, type Rng } from '../src/engine/random.ts';
import { curveValue, waterFill, type Market } from '../src/engine/response-curve.ts';
import type { InsightRow, Metrics, Priors } from '../src/engine/types.ts';
import { createStubMarket, getTruth, type StubCampaignTruth } from '../src/sources/stub.ts';

const SEEDS = Number(process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? 20);
const LOOP_DAYS = 28;
const SPAIN_MIN_PCT = 35;
const PRIORS: Priors = { ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 };

type Strategy = 'uniform' | 'seed' | 'bayes';
const STRATEGIES: Strategy[] = ['uniform', 'seed', 'bayes'];

interface CountryRow {
  date: string;
  country: string;
  metrics: Metrics;
}

/** The campaign-level truth: ad set shares cancel out of each country's curve (see stub.ts). */
function trueMarkets(c: StubCampaignTruth, budget: number): Market[] {
  const creative = c.adsets.reduce((s, a) => s + a.budgetShare * a.ctrMultiplier * a.cvrMultiplier, 0);
  const floor = Math.ceil((budget * SPAIN_MIN_PCT) / 100);
  return c.countries.map((k) => ({
    code: k.countryCode,
    curve: { capacity: k.capacityImpressions, saturation: k.saturationSpendMinor },
    valuePerImpression: k.ctr * k.cvr * k.revenuePerConversionMinor * creative,
    minMinor: k.countryCode === 'ES' ? floor : 0,
    maxMinor: budget,
  }));
}

function trueRevenue(markets: readonly Market[], split: ReadonlyMap<string, number>): number {
  return markets.reduce((s, m) => s + curveValue(m.curve, m.valuePerImpression, split.get(m.code) ?? 0), 0);
}

function countryHistory(rows: readonly CountryRow[]): CountryDaily[] {
  const byCountry = new Map<string, { total: Metrics; daily: Map<string, { spendMinor: number; impressions: number }> }>();
  for (const r of rows) {
    let c = byCountry.get(r.country);
    if (!c) byCountry.set(r.country, (c = { total: emptyMetrics(), daily: new Map() }));
    for (const key of Object.keys(r.metrics) as (keyof Metrics)[]) c.total[key] += r.metrics[key];
    const d = c.daily.get(r.date) ?? { spendMinor: 0, impressions: 0 };
    d.spendMinor += r.metrics.spendMinor;
    d.impressions += r.metrics.impressions;
    c.daily.set(r.date, d);
  }
  return [...byCountry].map(([countryCode, c]) => ({ countryCode, total: c.total, daily: [...c.daily.values()] }));
}

function decide(strategy: Strategy, budget: number, history: readonly CountryRow[], countries: readonly string[]): Map<string, number> {
  if (strategy === 'uniform') {
    const floor = Math.ceil((budget * SPAIN_MIN_PCT) / 100);
    const spain = Math.max(floor, Math.floor(budget / countries.length));
    const others = countries.filter((c) => c !== 'ES');
    const each = Math.floor((budget - spain) / others.length);
    const split = new Map(others.map((c) => [c, each]));
    split.set('ES', budget - each * others.length);
    return split;
  }
  const hist = countryHistory(history);
  if (strategy === 'bayes') {
    const result = allocateByResponse(budget, hist, SPAIN_MIN_PCT);
    if (result) return new Map(result.allocations.map((a) => [a.countryCode, a.amountMinor]));
  }
  const { allocations } = allocateBudget(budget, scoreCountries(hist, PRIORS, 100), SPAIN_MIN_PCT);
  return new Map(allocations.map((a) => [a.countryCode, a.amountMinor]));
}

/** One day of delivery of a split by the true market, with the stub's kinds of noise. */
function deliver(rng: Rng, c: StubCampaignTruth, markets: readonly Market[], split: ReadonlyMap<string, number>, date: string): CountryRow[] {
  const creative = c.adsets.reduce((s, a) => s + a.budgetShare * a.ctrMultiplier * a.cvrMultiplier, 0);
  return c.countries.map((k, i) => {
    const spend = split.get(k.countryCode) ?? 0;
    const m = markets[i]!;
    const impressions = Math.round(m.curve.capacity * (1 - Math.exp(-spend / m.curve.saturation)) * Math.exp(rng.normal(0, 0.05)));
    const clicks = rng.binomial(impressions, Math.min(0.5, k.ctr));
    const conversions = rng.binomial(clicks, Math.min(0.9, k.cvr * creative));
    const revenue = conversions > 0 ? Math.round(rng.gamma(conversions * 4, k.revenuePerConversionMinor / 4)) : 0;
    const metrics: Metrics = { ...emptyMetrics(), impressions, clicks, spendMinor: spend, conversions, clicksWithConversions: clicks, revenueMinor: revenue, spendWithRevenueMinor: spend };
    return { date, country: k.countryCode, metrics };
  });
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const once: Record<Strategy, number[]> = { uniform: [], seed: [], bayes: [] };
const loop: Record<Strategy, number[]> = { uniform: [], seed: [], bayes: [] };
const loopVsSeed: number[] = [];
const regretLastWeekVsFirst: Record<Strategy, number[]> = { uniform: [], seed: [], bayes: [] };

for (let s = 0; s < SEEDS; s++) {
  const endDate = '2026-11-10';
  const market = createStubMarket({ seed: 1000 + s, campaigns: 1, days: 14, endDate, interestsPerCampaign: 20, behaviorsPerCampaign: 5 });
  const c = getTruth(market).campaigns[0]!;
  const budget = c.dailyBudgetMinor;
  const markets = trueMarkets(c, budget);
  const oracle = waterFill(markets, budget);
  const oracleSplit = new Map(markets.map((m, i) => [m.code, oracle.spends[i]!]));
  const oracleRevenue = trueRevenue(markets, oracleSplit);

  const history: CountryRow[] = [];
  const byKey = new Map<string, CountryRow>();
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (r.country === '') continue;
    const key = `${r.date}|${r.country}`;
    let row = byKey.get(key);
    if (!row) {
      row = { date: r.date, country: r.country, metrics: emptyMetrics() };
      byKey.set(key, row);
      history.push(row);
    }
    addRow(row.metrics, r);
  }
  const countries = markets.map((m) => m.code);
  for (const strategy of STRATEGIES) once[strategy].push(trueRevenue(markets, decide(strategy, budget, history, countries)) / oracleRevenue);

  const cumulative: Record<Strategy, number> = { uniform: 0, seed: 0, bayes: 0 };
  for (const strategy of STRATEGIES) {
    const rng = createRng(`loop:${s}`); // the same noise stream for every strategy
    const own = [...history];
    const regret: number[] = [];
    for (let d = 1; d <= LOOP_DAYS; d++) {
      const split = decide(strategy, budget, own, countries);
      const expected = trueRevenue(markets, split);
      cumulative[strategy] += expected;
      regret.push(oracleRevenue - expected);
      own.push(...deliver(rng, c, markets, split, addDays(endDate, d)));
    }
    loop[strategy].push(cumulative[strategy] / (oracleRevenue * LOOP_DAYS));
    const firstWeek = regret.slice(0, 7).reduce((a, b) => a + b, 0);
    const lastWeek = regret.slice(-7).reduce((a, b) => a + b, 0);
    regretLastWeekVsFirst[strategy].push(firstWeek > 0 ? lastWeek / firstWeek : 1);
  }
  loopVsSeed.push(cumulative.bayes / cumulative.seed - 1);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(`Budget split quality over ${SEEDS} stub market seeds (median; share of the oracle's expected revenue)`);
console.log('strategy   decided once on 14 days   28-day closed loop   last-week/first-week regret');
for (const strategy of STRATEGIES) {
  console.log(`${strategy.padEnd(10)} ${pct(median(once[strategy])).padStart(22)}   ${pct(median(loop[strategy])).padStart(18)}   ${median(regretLastWeekVsFirst[strategy]).toFixed(2).padStart(10)}`);
}
console.log(`bayes vs seed, cumulative 28-day revenue: median ${pct(median(loopVsSeed))}, worst seed ${pct(Math.min(...loopVsSeed))}, best ${pct(Math.max(...loopVsSeed))}`);

// ---- Interest choice: which 15 interests, judged by their true revenue per impression ----
// Segment sample sizes differ by 100x and more in the stub market. Gap closed =
// (chosen − random) / (oracle − random), in true value of the 15 chosen.
const SETTINGS: EngineSettings = { ...SEED_SETTINGS, priors: PRIORS };
const gap: Record<'seed' | 'raw' | 'bayes', number[]> = { seed: [], raw: [], bayes: [] };
for (let s = 0; s < SEEDS; s++) {
  const market = createStubMarket({ seed: 2000 + s, campaigns: 1, days: 30, endDate: '2026-11-10', interestsPerCampaign: 120, behaviorsPerCampaign: 5 });
  const truth = getTruth(market).campaigns[0]!;
  // The truth at decision time: a fatigued segment's CTR has fallen by its fatigue depth by the window's last day.
  const trueValue = new Map(truth.segments.filter((g) => g.segmentType === 'interest').map((g) => [g.segmentId, g.ctr * (1 - g.fatigueDepth) * g.cvr * g.revenuePerConversionMinor]));
  const histories = new Map<string, SegmentHistory>();
  for (const r of market.rows() as Iterable<InsightRow>) {
    if (r.segmentType !== 'interest') continue;
    let h = histories.get(r.segmentId);
    if (!h) histories.set(r.segmentId, (h = { segmentType: 'interest', segmentId: r.segmentId, segmentName: r.segmentName, total: emptyMetrics(), recent: emptyMetrics() }));
    addRow(h.total, r);
    if (r.date > '2026-11-03') addRow(h.recent, r);
  }
  const list = [...histories.values()];
  const values = [...trueValue.values()];
  const k = 15;
  const random = (values.reduce((a, b) => a + b, 0) / values.length) * k;
  const oracle = [...values].sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0);
  const worth = (ids: string[]) => ids.reduce((acc, id) => acc + (trueValue.get(id) ?? 0), 0);
  const closed = (ids: string[]) => (worth(ids) - random) / (oracle - random);
  const scores = scoreSegments(list, SETTINGS, 100);
  gap.seed.push(closed(selectInterests(scores, new Map(), k).selected.map((i) => i.interest_id)));
  const raw = list.filter((h) => h.total.impressions > 0).sort((a, b) => b.total.revenueMinor / b.total.impressions - a.total.revenueMinor / a.total.impressions);
  gap.raw.push(closed(raw.slice(0, k).map((h) => h.segmentId)));
  gap.bayes.push(closed(selectInterests(rescoreByValue(scores, list), new Map(), k).selected.map((i) => i.interest_id)));
}
console.log(`\nInterest choice over ${SEEDS} seeds, 15 of 120 interests, gap closed between random and oracle (median):`);
console.log(`  seed (composite × confidence) ${pct(median(gap.seed))}; raw revenue per impression ${pct(median(gap.raw))}; bayes (shrunk value per impression) ${pct(median(gap.bayes))}`);
