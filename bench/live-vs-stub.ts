// npm run bench:live-quality — a LIVE run against the fake Graph API scored against the hidden
// truth of the fake's market (the STUB simulator), beside a STUB run on the same market.
// Per market seed: the fake serves the market through Meta's shapes (country and age × gender rows
// only; no interest breakdown), `meta sync` reads it and `run --mode live` decides; a second store
// holds the same market as `stub generate` stores it (with its per-interest rows) and
// `run --mode stub` decides. Both runs get the campaign's true daily budget and the product's
// default engine settings. Scored:
//   - geo split: the campaign's countries summed over its ad sets' recommendations, expected revenue
//     on the true curves as a share of the oracle's (src/backtest/closed-loop.ts trueMarkets);
//   - interests: the mean true value per impression of the chosen interests, as the share of the gap
//     between a random choice (the mean of the campaign's interests) and the oracle's (its best k)
//     that the choice closes; discovered interests outside the campaign's market have no true value
//     and are counted apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pino from 'pino';
import { trueInterestValues, trueMarkets } from '../src/backtest/closed-loop.ts';
import { loadConfig } from '../src/config.ts';
import { createContext, type AppContext } from '../src/context.ts';
import { curveValue, waterFill, type Market } from '../src/engine/response-curve.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { NAMED_FAMILIES } from '../src/simulation/families.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization, type RunResult } from '../src/services/run-optimization.ts';
import { migrate } from '../src/store/migrate.ts';
import { createPgliteInstance, openPglite } from '../src/store/pglite.ts';

const SEEDS = Number(process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? 8);
const DAYS = 30;
const ADSETS = 3;
const END = '2026-11-19';
const NOW = new Date('2026-11-20T08:00:00Z');
const TOKEN = 'bench-token-0123456789abcdefghij';
const SPAIN_MIN_PCT = loadConfig({}).engine.spainMinPct;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const revenueOf = (markets: readonly Market[], split: ReadonlyMap<string, number>) => markets.reduce((s, m) => s + curveValue(m.curve, m.valuePerImpression, split.get(m.code) ?? 0), 0);

const instance = await createPgliteInstance(null);
let ids = 0;
async function context(schema: string, env: Record<string, string>): Promise<AppContext> {
  const db = await openPglite({ instance, schema });
  await migrate(db);
  const config = loadConfig({ DATA_DIR: '.tmp/bench-live', LOG_LEVEL: 'silent', ...env });
  // Run ids seed the exploration: numbered, so a rerun explores the same way.
  return createContext(config, { db, clock: { now: () => NOW }, logger: pino({ level: 'silent' }), newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`, metaRuntime: { sleep: async () => {} } });
}

interface Score {
  geo: number;
  interests: number;
  /**
   * The same gap measured among the interests the run had evidence on only (LIVE: those in the ad
   * sets' targeting; STUB: all of the market's): how well it chose among what it could see. Null
   * when it chose as many as it saw (nothing was left to choose).
   */
  amongVisible: number | null;
  /** Interests chosen that the market does not hold (discovered elsewhere in the catalogue): no true value. */
  unscored: number;
  chosen: number;
  exploredCandidates: number;
}

function gapClosed(picked: readonly string[], values: readonly number[], trueValue: ReadonlyMap<string, number>): number | null {
  if (picked.length === 0 || picked.length >= values.length) return null;
  const random = values.reduce((a, b) => a + b, 0) / values.length;
  const oracle = [...values].sort((a, b) => b - a).slice(0, picked.length).reduce((a, b) => a + b, 0) / picked.length;
  const mean = picked.reduce((a, id) => a + trueValue.get(id)!, 0) / picked.length;
  return (mean - random) / (oracle - random);
}

function score(result: RunResult, markets: readonly Market[], oracleRevenue: number, trueValue: ReadonlyMap<string, number>, visible: ReadonlySet<string>): Score {
  const split = new Map<string, number>();
  for (const r of result.recommendations) for (const g of r.geo_allocations) split.set(g.country_code, (split.get(g.country_code) ?? 0) + Math.round(g.budget_amount * 100));
  const gaps: number[] = [];
  const visibleGaps: number[] = [];
  let unscored = 0;
  let chosen = 0;
  let exploredCandidates = 0;
  const values = [...trueValue.values()];
  for (const r of result.recommendations) {
    const picked = r.interests.map((i) => i.interest_id);
    chosen += picked.length;
    exploredCandidates += r.reasoning.trace.filter((t) => t.step === 'interests.explore' && t.numbers.discovered === true).length;
    const known = picked.filter((id) => trueValue.has(id));
    unscored += picked.length - known.length;
    const all = gapClosed(known, values, trueValue);
    if (all !== null) gaps.push(all);
    const seen = known.filter((id) => visible.has(id));
    const amongVisible = gapClosed(seen, [...visible].map((id) => trueValue.get(id)!), trueValue);
    if (amongVisible !== null) visibleGaps.push(amongVisible);
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { geo: revenueOf(markets, split) / oracleRevenue, interests: mean(gaps) ?? 0, amongVisible: mean(visibleGaps), unscored, chosen, exploredCandidates };
}

const MAX_INTERESTS = [15, 6];
// 'stub': the original market, whose ad sets' delivery does not depend on the interests the fake
// targets with them. 'shared-adsets': ad sets that each target several of the market's segments,
// their delivery the blend of those segments' (as a real account's): what LIVE's crediting assumes.
const FAMILIES = ['stub', 'shared-adsets'];
const cases = FAMILIES.flatMap((family) => MAX_INTERESTS.map((k) => ({ family, k, key: `${family}/${k}` })));
const live = new Map<string, Score[]>(cases.map((c) => [c.key, []]));
const stub = new Map<string, Score[]>(cases.map((c) => [c.key, []]));
const t0 = performance.now();
for (let s = 0; s < SEEDS; s++) for (const familyName of FAMILIES) {
  const seed = `live-quality-${s}`;
  const family = NAMED_FAMILIES[familyName]!;
  const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: END, seed, campaigns: 1, adsetsPerCampaign: ADSETS, days: DAYS, pageSize: 500, pausedAdsetIds: [], family });
  const origin = await fake.listen();
  const truth = fake.truth.campaigns[0]!;
  const campaignId = truth.campaignId;
  const budgetMinor = truth.dailyBudgetMinor;
  const budget = (budgetMinor / 100).toFixed(2);
  const markets = trueMarkets(truth, budgetMinor, SPAIN_MIN_PCT);
  const oracle = waterFill(markets, budgetMinor);
  const oracleRevenue = revenueOf(markets, new Map(markets.map((m, i) => [m.code, oracle.spends[i]!])));
  const trueValue = trueInterestValues(truth);
  for (const k of MAX_INTERESTS) {
    const key = `${familyName}/${k}`;
    const engine = { TARGETING_MAX_INTERESTS: String(k) };
    const liveCtx = await context(`live_${s}_${familyName.replace('-', '_')}_${k}`, { ...engine, META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, META_INSIGHTS_DAYS: String(DAYS) });
    const liveRun = await runOptimization(liveCtx, { campaignId, budget, mode: 'live' });
    // What LIVE can see: the interests in the ad sets' targeting (credited rows), not the market's others.
    const targeted = new Set((await liveCtx.db.query<{ id: string }>(`select distinct segment_id as id from insights where segment_type = 'interest'`)).map((r) => r.id));
    live.get(key)!.push(score(liveRun, markets, oracleRevenue, trueValue, targeted));

    const stubCtx = await context(`stub_${s}_${familyName.replace('-', '_')}_${k}`, engine);
    // The same market as the fake's (same seed and shape), stored as `stub generate` stores it.
    await generateStubHistory(stubCtx, { campaigns: 1, days: DAYS, seed, endDate: END, adsetsPerCampaign: ADSETS, interestsPerCampaign: 24, behaviorsPerCampaign: 6, family });
    const stored = await stubCtx.db.query<{ campaign_id: string }>('select campaign_id from campaigns');
    if (stored.length !== 1 || stored[0]!.campaign_id !== campaignId) throw new Error(`the STUB store holds another market (${stored.map((r) => r.campaign_id).join(', ')}, not ${campaignId})`);
    const stubRun = await runOptimization(stubCtx, { campaignId, budget, mode: 'stub' });
    stub.get(key)!.push(score(stubRun, markets, oracleRevenue, trueValue, new Set(trueValue.keys())));
    const l = live.get(key)!.at(-1)!;
    const t = stub.get(key)!.at(-1)!;
    process.stderr.write(`seed ${s}, ${familyName}, ${k} interests: LIVE geo ${pct(l.geo)} interests ${pct(l.interests)} (among the ${targeted.size} it sees ${l.amongVisible === null ? '-' : pct(l.amongVisible)}); STUB geo ${pct(t.geo)} interests ${pct(t.interests)}\n`);
  }
  await fake.close();
}

const summary = (xs: Score[]) => ({
  geoShareOfOracle: { median: Number(median(xs.map((x) => x.geo)).toFixed(4)), worst: Number(Math.min(...xs.map((x) => x.geo)).toFixed(4)) },
  interestGapClosed: { median: Number(median(xs.map((x) => x.interests)).toFixed(4)), worst: Number(Math.min(...xs.map((x) => x.interests)).toFixed(4)) },
  amongVisibleGapClosed: xs.some((x) => x.amongVisible !== null) ? Number(median(xs.flatMap((x) => (x.amongVisible === null ? [] : [x.amongVisible]))).toFixed(4)) : null,
  interestsChosen: xs.reduce((a, x) => a + x.chosen, 0),
  interestsWithoutTrueValue: xs.reduce((a, x) => a + x.unscored, 0),
  discoveredCandidatesExplored: xs.reduce((a, x) => a + x.exploredCandidates, 0),
});
const result = {
  shape: { seeds: SEEDS, campaigns: 1, adsetsPerCampaign: ADSETS, days: DAYS, interestsInMarket: 24, families: FAMILIES },
  cases: cases.map((c) => ({ family: c.family, maxInterests: c.k, live: summary(live.get(c.key)!), stub: summary(stub.get(c.key)!) })),
  seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
};
console.log(`LIVE against the fake vs STUB on the same market, ${SEEDS} seeds (median, worst):`);
for (const r of result.cases) {
  console.log(`  family ${r.family}, TARGETING_MAX_INTERESTS=${r.maxInterests}:`);
  console.log(`    geo split, share of the oracle's expected revenue: LIVE ${pct(r.live.geoShareOfOracle.median)} (${pct(r.live.geoShareOfOracle.worst)}), STUB ${pct(r.stub.geoShareOfOracle.median)} (${pct(r.stub.geoShareOfOracle.worst)})`);
  console.log(`    interests, gap closed between random and oracle: LIVE ${pct(r.live.interestGapClosed.median)} (${pct(r.live.interestGapClosed.worst)}), STUB ${pct(r.stub.interestGapClosed.median)} (${pct(r.stub.interestGapClosed.worst)}); LIVE among the interests it sees: ${r.live.amongVisibleGapClosed === null ? 'n/a (it keeps them all)' : pct(r.live.amongVisibleGapClosed)}`);
  console.log(`    LIVE chose ${r.live.interestsChosen} interests, ${r.live.interestsWithoutTrueValue} of them outside the market (discovered, no true value); ${r.live.discoveredCandidatesExplored} discovered candidates explored`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/live-vs-stub.json', `${JSON.stringify(result, null, 2)}\n`);
await instance.close();
