// npm run bench — the foundation's performance figures, printed with the machine they ran on.
// Each figure is a median over repeated runs, next to its target and, where one exists,
// a baseline measured in the same run on the same machine.
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { type AppContext, createContext } from '../src/context.ts';
import { emptyMetrics } from '../src/engine/metrics.ts';
import { optimizeCampaign } from '../src/engine/optimizer.ts';
import { createRng, type Rng } from '../src/engine/random.ts';
import { scoresOf, scoreTable } from '../src/engine/scoring.ts';
import { AGE_BUCKETS, type AdSetSnapshot, type CampaignSnapshot, type Metrics, type SegmentHistory } from '../src/engine/types.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { createStubMarket } from '../src/simulation/market.ts';
import { openDatabase } from '../src/store/open.ts';
import { loadCampaignSnapshot } from '../src/store/snapshot.ts';

const WORK = path.resolve('.tmp/bench');
const quick = process.argv.includes('--quick');
// --only=engine,run,import runs those parts alone (all of them by default).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? ['engine', 'run', 'import'];

interface Figure {
  name: string;
  median: number;
  p10: number;
  p90: number;
  unit: string;
  target: string;
  baseline?: { name: string; median: number; ratio: number };
}
const figures: Figure[] = [];

function stats(samples: number[]): { median: number; p10: number; p90: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

async function timeIt(times: number, work: () => unknown | Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await work();
    samples.push(performance.now() - t);
  }
  return samples;
}

function randomMetrics(rng: Rng, impressions: number): Metrics {
  const clicks = rng.binomial(impressions, 0.005 + rng.next() * 0.025);
  const spendMinor = Math.round(clicks * (10 + rng.next() * 90));
  const conversions = rng.binomial(clicks, 0.01 + rng.next() * 0.05);
  return {
    ...emptyMetrics(),
    impressions,
    clicks,
    spendMinor,
    reach: Math.round(impressions / (1.2 + rng.next())),
    impressionsWithReach: impressions,
    conversions,
    clicksWithConversions: clicks,
    revenueMinor: Math.round(conversions * (2000 + rng.next() * 6000)),
    spendWithRevenueMinor: spendMinor,
  };
}

/** Recent days are a quarter of the window at the same rates, except for the 5 % of segments that tire (CTR halves). */
function recentOf(rng: Rng, total: Metrics): Metrics {
  const q = (x: number) => Math.round(x / 4);
  const tired = rng.next() < 0.05 ? 0.5 : 1;
  return { ...total, impressions: q(total.impressions), impressionsWithReach: q(total.impressionsWithReach), reach: q(total.reach), clicks: Math.round(q(total.clicks) * tired), clicksWithConversions: Math.round(q(total.clicksWithConversions) * tired), conversions: q(total.conversions), spendMinor: q(total.spendMinor), spendWithRevenueMinor: q(total.spendWithRevenueMinor), revenueMinor: q(total.revenueMinor) };
}

function segment(rng: Rng, type: 'interest' | 'behavior', i: number): SegmentHistory {
  const size = Math.round(Math.exp(rng.normal(9, 1.5)));
  const total = randomMetrics(rng, size);
  return { segmentType: type, segmentId: String(6003000000000 + i), segmentName: `${type} ${i}`, total, recent: recentOf(rng, total) };
}

/** 30 days of spend around the country's mean, on a saturating curve, so the bayes split can fit it. */
function dailyOf(rng: Rng, total: Metrics): { spendMinor: number; impressions: number }[] {
  const mean = total.spendMinor / 30;
  const saturation = mean * (1 + rng.next());
  const capacity = total.impressions / 30 / (1 - Math.exp(-mean / saturation));
  return Array.from({ length: 30 }, () => {
    const spend = Math.round(mean * Math.exp(rng.normal(0, 0.3)));
    return { spendMinor: spend, impressions: Math.round(capacity * (1 - Math.exp(-spend / saturation))) };
  });
}

function bigSnapshot(): CampaignSnapshot {
  const rng = createRng('bench-engine');
  const countries = ['ES', 'MX', 'AR', 'CO', 'CL', 'PE', 'EC', 'VE', 'UY', 'PY', 'BO', 'CR', 'PA', 'DO', 'GT', 'HN', 'SV', 'NI', 'BR', 'PR', 'FR', 'DE', 'IT', 'PT', 'NL', 'BE', 'AT', 'IE', 'PL', 'SE', 'DK', 'FI', 'GR', 'CZ', 'RO', 'HU', 'US', 'GB', 'CA', 'AU'];
  const adset: AdSetSnapshot = {
    adsetId: '120000000000000001',
    segments: [...Array.from({ length: 2000 }, (_, i) => segment(rng, 'interest', i)), ...Array.from({ length: 500 }, (_, i) => segment(rng, 'behavior', 10_000 + i))],
    countries: countries.map((c) => {
      const total = randomMetrics(rng, 50_000 + rng.int(0, 500_000));
      return { countryCode: c, total, daily: dailyOf(rng, total) };
    }),
    demographics: AGE_BUCKETS.flatMap((age) => (['male', 'female', 'unknown'] as const).map((gender) => ({ age, gender, total: randomMetrics(rng, rng.int(1000, 200_000)) }))),
    total: randomMetrics(rng, 5_000_000),
    recent: randomMetrics(rng, 1_000_000),
  };
  return { campaignId: '120000000000000000', currency: 'EUR', windowStart: '2026-08-23', windowEnd: '2026-11-20', adsets: [adset], pixelEvents: [{ eventName: 'Purchase', contentCategory: 'action', count: 500 }, { eventName: 'ViewContent', contentCategory: 'comedy', count: 5000 }] };
}

async function benchEngine(settings: AppContext['config']['engine']): Promise<void> {
  const snapshot = bigSnapshot();
  const input = { snapshot, totalBudgetMinor: 1_000_000, settings: { ...settings, strategy: 'bayes' as const } };
  const seedInput = { ...input, settings: { ...settings, strategy: 'spec' as const } };
  await timeIt(5, () => optimizeCampaign(seedInput));
  const seedRun = stats(await timeIt(quick ? 15 : 60, () => optimizeCampaign(seedInput)));
  await timeIt(5, () => optimizeCampaign(input)); // warm-up: JIT
  const s = stats(await timeIt(quick ? 15 : 60, () => optimizeCampaign(input)));
  figures.push({ name: 'engine (bayes): optimize 1 campaign (2,000 interests, 500 behaviors, 40 countries × 30 days)', ...s, unit: 'ms', target: '< 20 ms median (bayes < 50 ms)', baseline: { name: 'the seed strategy on the same input', median: seedRun.median, ratio: s.median / seedRun.median } });

  // 1,000,000 segment rows, scored as both strategies score an ad set's segments (scoreTable); the
  // baseline is one pass that only sums the same rows, the floor any scoring of them has to pay for
  // touching the memory.
  const rng = createRng('bench-scoring');
  const rows = Array.from({ length: 1_000_000 }, (_, i) => segment(rng, 'interest', i));
  let sink = 0;
  const touch = () => {
    for (const r of rows) sink += r.total.impressions + r.total.clicks + r.recent.impressions;
  };
  await timeIt(2, () => scoreTable(rows, settings, 100));
  const scoring = stats(await timeIt(quick ? 3 : 9, () => scoreTable(rows, settings, 100)));
  const floor = stats(await timeIt(quick ? 3 : 9, touch));
  figures.push({ name: 'scoring: 1,000,000 segment rows', ...scoring, unit: 'ms', target: '< 300 ms median; ≤ 10× the summing pass', baseline: { name: 'one summing pass over the same rows', median: floor.median, ratio: scoring.median / floor.median } });
  // What a strategy adds that reads every score as an object (the bayes strategy values and weighs every segment).
  await timeIt(1, () => scoresOf(scoreTable(rows, settings, 100)));
  const objects = stats(await timeIt(quick ? 3 : 9, () => scoresOf(scoreTable(rows, settings, 100))));
  figures.push({ name: 'scoring 1,000,000 segment rows, then every score as an object', ...objects, unit: 'ms', target: 'none (what reading every score as an object costs)', baseline: { name: 'one summing pass over the same rows', median: floor.median, ratio: objects.median / floor.median } });
  if (sink === -1) console.log(sink);
}

function quietContext(dataDir: string, env: Record<string, string> = {}): Promise<AppContext> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }, process.cwd());
  return createContext(config, { logger: pino({ level: 'silent' }) });
}

async function benchFullRun(): Promise<void> {
  const dir = path.join(WORK, 'run');
  rmSync(dir, { recursive: true, force: true });
  const ctx = await quietContext(dir, { TARGETING_WINDOW_DAYS: '90' });
  try {
    const t = performance.now();
    const report = await generateStubHistory(ctx, { campaigns: 1, days: 90, seed: 'bench', endDate: '2026-11-20', interestsPerCampaign: 2000, behaviorsPerCampaign: 500, adsetsPerCampaign: 1 });
    const generateMs = performance.now() - t;
    console.error(`  generated ${report.rows.toLocaleString('en')} rows of history in ${(generateMs / 1000).toFixed(1)} s`);
    const id = report.campaigns[0]!.campaign_id;
    await runOptimization(ctx, { campaignId: id, budget: '1000', mode: 'stub' });
    const run = stats(await timeIt(quick ? 3 : 7, () => runOptimization(ctx, { campaignId: id, budget: '1000', mode: 'stub' })));
    const window = { start: '2026-08-23', end: '2026-11-20', recentStart: '2026-11-14' };
    const read = stats(await timeIt(quick ? 3 : 7, () => loadCampaignSnapshot(ctx.db, id, 'EUR', window)));
    figures.push({
      name: `full run on PGlite: 1 campaign, 90 days × 2,500 segments (${report.rows.toLocaleString('en')} rows)`,
      ...run,
      unit: 'ms',
      target: '< 1000 ms median',
      baseline: { name: 'reading the snapshot alone (SQL)', median: read.median, ratio: run.median / read.median },
    });
  } finally {
    await ctx.close();
  }
}

/** Writes the canonical CSV, and beside it (copyFile) the same rows as COPY input in the insights table's columns. */
async function writeCanonicalCsv(file: string, copyFile: string, rowsWanted: number): Promise<number> {
  const market = createStubMarket({ seed: 'bench-import', campaigns: 4, days: 60, endDate: '2026-11-20', interestsPerCampaign: 300, behaviorsPerCampaign: 60 });
  const out = createWriteStream(file);
  const copy = createWriteStream(copyFile);
  out.write('date,campaign_id,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency\n');
  let n = 0;
  for (const r of market.rows()) {
    if (n === rowsWanted) break;
    const money = (m: number | null) => (m === null ? '' : (m / 100).toFixed(2));
    const line = `${r.date},${r.campaignId},${r.adsetId},${r.segmentType},${r.segmentId},"${r.segmentName.replace(/"/g, '""')}",${r.country},${r.age},${r.gender},${r.impressions},${r.reach ?? ''},${r.clicks},${r.conversions ?? ''},${money(r.spendMinor)},${money(r.revenueMinor)},${r.currency}\n`;
    if (!out.write(line)) await once(out, 'drain');
    // Text quoted (an empty string is not NULL), unknowns as empty fields.
    const t = (x: string) => `"${x.replace(/"/g, '""')}"`;
    const copyLine = `${r.date},${t(r.campaignId)},${t(r.adsetId)},${t(r.segmentType)},${t(r.segmentId)},${t(r.segmentName)},${t(r.country)},${t(r.age)},${t(r.gender)},${r.impressions},${r.reach ?? ''},${r.clicks},${r.conversions ?? ''},${r.spendMinor},${r.revenueMinor ?? ''},${t(r.currency)},csv\n`;
    if (!copy.write(copyLine)) await once(copy, 'drain');
    n++;
  }
  out.end();
  copy.end();
  await Promise.all([once(out, 'finish'), once(copy, 'finish')]);
  return n;
}

async function benchImport(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, 'insights.csv');
  const copyFile = path.join(WORK, 'insights-copy.csv');
  const rows = await writeCanonicalCsv(file, copyFile, quick ? 50_000 : 200_000);
  const rates: number[] = [];
  const again: number[] = [];
  const copyRates: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    // Baseline: the database's own bulk load of the same rows (already in the table's columns,
    // no parsing or checking in JavaScript) into a new store, the ceiling any import can reach.
    const copyDir = path.join(WORK, `copy-${i}`);
    rmSync(copyDir, { recursive: true, force: true });
    const copyDb = await openDatabase({ databaseUrl: null, dataDir: copyDir });
    try {
      const t = performance.now();
      await copyDb.copyCsv!('insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender, impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source)', readFileSync(copyFile, 'utf8'));
      copyRates.push(rows / ((performance.now() - t) / 1000));
    } finally {
      await copyDb.close();
    }

    const dir = path.join(WORK, `import-${i}`);
    rmSync(dir, { recursive: true, force: true });
    const ctx = await quietContext(dir);
    try {
      const report = await importInsightsFile(ctx, file);
      rates.push(report.imported / (report.durationMs / 1000));
      // The same file again: every row conflicts and replaces the stored one.
      const second = await importInsightsFile(ctx, file);
      again.push(second.imported / (second.durationMs / 1000));
    } finally {
      await ctx.close();
    }
  }
  const r = stats(again);
  figures.push({ name: `re-import of the same ${rows.toLocaleString('en')} rows (every row replaces a stored one)`, ...r, unit: 'rows/s', target: 'none (idempotence, reported for honesty)' });
  // Baseline: one INSERT statement per row, in one transaction, on 2,000 rows of the same shape.
  const dir = path.join(WORK, 'import-naive');
  rmSync(dir, { recursive: true, force: true });
  const db = await openDatabase({ databaseUrl: null, dataDir: dir });
  const market = createStubMarket({ seed: 'bench-import', campaigns: 1, days: 2, endDate: '2026-11-20' });
  const sample = [...market.rows()].slice(0, 2000);
  const t = performance.now();
  await db.transaction(async (tx) => {
    for (const r of sample) {
      await tx.query(
        `insert into insights (date, campaign_id, adset_id, segment_type, segment_id, segment_name, country, age, gender, impressions, reach, clicks, conversions, spend_minor, revenue_minor, currency, source)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,'bench') on conflict do nothing`,
        [r.date, r.campaignId, r.adsetId, r.segmentType, r.segmentId, r.segmentName, r.country, r.age, r.gender, r.impressions, r.reach, r.clicks, r.conversions, r.spendMinor, r.revenueMinor, r.currency],
      );
    }
  });
  const naive = sample.length / ((performance.now() - t) / 1000);
  await db.close();
  const s = stats(rates);
  figures.push({ name: `import: canonical CSV into a new PGlite (${rows.toLocaleString('en')} rows, parse + validate + write + segment table)`, ...s, unit: 'rows/s', target: '≥ 50,000 rows/s', baseline: { name: 'one INSERT per row', median: naive, ratio: s.median / naive } });
  const copyRate = stats(copyRates).median;
  figures.push({ name: `import: canonical CSV into a new PGlite, against the database's own bulk load`, ...s, unit: 'rows/s', target: '≥ 60 % of a raw COPY (ratio ≥ 0.60×)', baseline: { name: `raw COPY of the same ${rows.toLocaleString('en')} rows into insights (file read + COPY)`, median: copyRate, ratio: s.median / copyRate } });
}

const config = loadConfig({ LOG_LEVEL: 'silent' });
const cpus = os.cpus();
console.log(`Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
console.log(quick ? 'Quick mode: fewer repetitions.\n' : '');
if (only.includes('engine')) {
  console.error('engine …');
  await benchEngine(config.engine);
}
if (only.includes('run')) {
  console.error('full run …');
  await benchFullRun();
}
if (only.includes('import')) {
  console.error('import …');
  await benchImport();
}

const fmt = (x: number, unit: string) => (unit === 'rows/s' ? Math.round(x).toLocaleString('en') : x.toFixed(1));
for (const f of figures) {
  console.log(`${f.name}\n  median ${fmt(f.median, f.unit)} ${f.unit} (p10 ${fmt(f.p10, f.unit)}, p90 ${fmt(f.p90, f.unit)}) — target ${f.target}`);
  if (f.baseline) console.log(`  baseline, ${f.baseline.name}: ${fmt(f.baseline.median, f.unit)} ${f.unit}; ratio ${f.baseline.ratio.toFixed(2)}×`);
}
mkdirSync('bench/results', { recursive: true });
const out = `bench/results/foundation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify({ machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version }, figures }, null, 2));
console.log(`\nWritten to ${out}`);
rmSync(WORK, { recursive: true, force: true });
