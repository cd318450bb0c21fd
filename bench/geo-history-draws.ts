// The first geo split on the same market with other draws of its history: how often a market's
// split lands below uniform because of what its days happened to show, for `bayes` and for the
// first-step ceilings (geo-ceiling.ts), which know the true curves and, before the rows, the
// countries' values as a set ('set'), how the market draws each country's values around its
// centre ('country-draws'), or the same draws without knowing which country's centre
// ('any-country-draws'). Draw 0 is the market's own history, as `npm run bench:quality` sees it;
// the others keep the market's truth and redraw the noise of its rows (createStubMarket's
// historySeed).
//
//   npm run bench:geo-draws                                   # seed 3014, every family, 20 draws
//   npm run bench:geo-draws -- --market-seeds=3000-3019 --draws=40 --family=small-budget
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniformSplit } from '../src/backtest/closed-loop.ts';
import { segmentSizeMap, snapshotFromRows } from '../src/backtest/snapshot-from-rows.ts';
import { loadConfig } from '../src/config.ts';
import { addCalendarDays as addDays } from '../src/engine/calendar.ts';
import { optimizeCampaign } from '../src/engine/optimizer.ts';
import { deriveSeed } from '../src/engine/random.ts';
import type { InsightRow, Strategy } from '../src/engine/types.ts';
import { NAMED_FAMILIES, parseFamily, type MarketFamily } from '../src/simulation/families.ts';
import { createStubMarket, getTruth, valueScaleAtEnd } from '../src/simulation/market.ts';
import { oracleSplit, revenueOfSplit } from '../src/simulation/response.ts';
import { ceilingSplit, countryTotals, firstStepBounds, geoCeilingApplies, historySplit, VALUE_PRIORS, type ValuePrior } from './geo-ceiling.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const DRAWS = Number(arg('draws') ?? 20);
// A list of seeds and ranges: 3014 or 3000-3019 or 3007,3014.
const MARKET_SEEDS = (arg('market-seeds') ?? '3014').split(',').flatMap((part) => {
  const [from, to] = part.split('-').map(Number);
  return to === undefined ? [from!] : Array.from({ length: Math.max(0, to - from! + 1) }, (_, i) => from! + i);
});
if (!Number.isInteger(DRAWS) || DRAWS < 1 || DRAWS > 1000) throw new RangeError('--draws must be a whole number from 1 to 1000');
if (MARKET_SEEDS.length === 0 || MARKET_SEEDS.some((s) => !Number.isInteger(s))) throw new RangeError('--market-seeds must be whole numbers or ranges (3000-3019) separated by commas');
const FAMILIES: [string, MarketFamily][] = arg('family') === undefined ? Object.entries(NAMED_FAMILIES) : [[arg('family')!, parseFamily(arg('family')!)]];
const HISTORY_DAYS = 21;
const DECISION_DAY = '2026-11-10';
const CONFIG = loadConfig({});
const SETTINGS = CONFIG.engine;

interface DrawFigures {
  bayes: number;
  spec: number;
  uniform: number;
  history: number;
  bestWithinStep: number;
  /** Per prior of the ceiling; empty where the ceiling's likelihood is not the family's. */
  ceilings: Partial<Record<ValuePrior, number>>;
}

/** Every strategy's first split on one draw of the market's history, each as a share of the oracle's revenue. */
function oneDraw(family: MarketFamily, marketSeed: number, draw: number): DrawFigures {
  const market = createStubMarket({ seed: marketSeed, campaigns: 1, days: HISTORY_DAYS, endDate: DECISION_DAY, interestsPerCampaign: 120, behaviorsPerCampaign: 20, family, ...(draw === 0 ? {} : { historySeed: `${marketSeed}:history-draw:${draw}` }) });
  const truth = getTruth(market);
  const c = truth.campaigns[0]!;
  const rows = [...market.rows()] as InsightRow[];
  const window = { start: addDays(DECISION_DAY, -(Math.min(CONFIG.windowDays, HISTORY_DAYS) - 1)), end: DECISION_DAY, recentStart: addDays(DECISION_DAY, -(SETTINGS.recentDays - 1)) };
  const snapshot = snapshotFromRows(c.campaignId, truth.currency, rows, window, market.pixelEvents(c.campaignId), segmentSizeMap(market.audienceSizes(c.campaignId), 'meta'));
  const budget = c.dailyBudgetMinor;
  const scale = valueScaleAtEnd(c);
  const best = revenueOfSplit(c.countries, oracleSplit(c.countries, budget, SETTINGS.spainMinPct, scale), scale);
  const share = (split: ReadonlyMap<string, number>) => revenueOfSplit(c.countries, split, scale) / best;
  const decided = (strategy: Strategy) => {
    const split = new Map<string, number>();
    for (const d of optimizeCampaign({ snapshot, totalBudgetMinor: budget, settings: { ...SETTINGS, strategy }, randomSeed: deriveSeed('bench-quality', marketSeed, strategy) })) {
      for (const k of d.decision.countries) split.set(k.countryCode, (split.get(k.countryCode) ?? 0) + k.amountMinor);
    }
    return split;
  };
  const history = historySplit(countryTotals(rows), budget);
  const bounds = firstStepBounds(history, budget, SETTINGS);
  return {
    bayes: share(decided('bayes')),
    spec: share(decided('spec')),
    uniform: share(uniformSplit(budget, c.countries.map((k) => k.countryCode), SETTINGS.spainMinPct)),
    history: share(history),
    bestWithinStep: share(oracleSplit(c.countries, budget, SETTINGS.spainMinPct, scale, bounds)),
    ceilings: geoCeilingApplies(family) ? Object.fromEntries(VALUE_PRIORS.map((values) => [values, share(ceilingSplit(c, rows, budget, SETTINGS.spainMinPct, bounds, { values, currency: truth.currency }))])) : {},
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const started = performance.now();
const results: Record<string, unknown>[] = [];
console.log(`The first geo split on ${DRAWS} draws of each market's history (draw 0 its own), machine: ${process.arch}, Node ${process.version}`);
console.log(`family | market | uniform | bayes: own history, mean of draws, draws below uniform | ceilings (${VALUE_PRIORS.join(', ')}): the same | bayes mean − uniform`);
for (const [name, family] of FAMILIES) {
  for (const marketSeed of MARKET_SEEDS) {
    const draws = Array.from({ length: DRAWS }, (_, i) => oneDraw(family, marketSeed, i));
    const uniform = draws[0]!.uniform;
    const below = (pick: (d: DrawFigures) => number) => draws.filter((d) => pick(d) < d.uniform - 1e-9).length;
    const always = (pick: (d: DrawFigures) => number) => ({ own: pick(draws[0]!), mean: mean(draws.map(pick)), belowUniform: below(pick) });
    const ceiling = (prior: ValuePrior) => (draws[0]!.ceilings[prior] === undefined ? null : always((d) => d.ceilings[prior] ?? Number.NaN));
    const row = {
      family: name,
      marketSeed,
      uniform,
      bayes: always((d) => d.bayes),
      spec: always((d) => d.spec),
      history: always((d) => d.history),
      bestWithinStep: always((d) => d.bestWithinStep),
      ceilings: Object.fromEntries(VALUE_PRIORS.map((prior) => [prior, ceiling(prior)])),
      draws: draws.length,
    };
    results.push(row);
    const shown = (x: { own: number; mean: number; belowUniform: number } | null) => (x === null ? 'no ceiling' : `${pct(x.own)}, ${pct(x.mean)}, ${x.belowUniform}/${DRAWS}`);
    console.log(`${name} | ${marketSeed} | ${pct(uniform)} | ${shown(row.bayes)} | ${VALUE_PRIORS.map((prior) => shown(row.ceilings[prior] ?? null)).join(' | ')} | ${((row.bayes.mean - uniform) * 100).toFixed(2)} points`);
  }
}
const seconds = Math.round((performance.now() - started) / 1000);
const full = arg('family') === undefined && arg('market-seeds') === undefined && DRAWS === 20;
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, full ? 'geo-history-draws.json' : 'geo-history-draws-partial.json');
writeFileSync(file, `${JSON.stringify({ command: `npm run bench:geo-draws -- ${process.argv.slice(2).join(' ')}`.trim(), draws: DRAWS, marketSeeds: MARKET_SEEDS, results, seconds }, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v), 2)}\n`);
console.log(`${seconds} s; written to ${path.relative(process.cwd(), file)}`);
