// npm run bench:dashboard — the dashboard's first load in Chromium against a local server: the
// compressed JavaScript it transfers (budget 300 KB) and the time from navigation to the
// recommendation page shown and answering (target under 1 s), over cold loads (a new browser
// context each: empty cache). Writes bench/results/dashboard.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { browserAvailable, CHROMIUM, launchChromium, measureRecommendationLoad, serveDashboard, tokenFor } from '../test/e2e/harness.ts';

const LOADS = Number(process.env.BENCH_LOADS ?? 7);
const CAMPAIGN = '777000111';

if (!browserAvailable) {
  console.error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  process.exit(2);
}
const db = await openPglite({});
await migrate(db);
const ctx = await createContext(loadConfig({ DATA_DIR: '.tmp/bench-dashboard', LOG_LEVEL: 'silent' }, process.cwd()), { db, logger: pino({ level: 'silent' }) });
await runOptimization(ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', generateStub: true });
const server = await serveDashboard(ctx);
const browser = await launchChromium();
try {
  const token = await tokenFor('admin', 'bench');
  // One load to warm the server (its first queries plan and cache); the browser side stays cold.
  await measureRecommendationLoad(browser, server.url, token, CAMPAIGN);
  const loads = [];
  for (let i = 0; i < LOADS; i++) loads.push(await measureRecommendationLoad(browser, server.url, token, CAMPAIGN));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = {
    measured_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, chromium: browser.version(), load_average: os.loadavg().map((x) => Number(x.toFixed(2))) },
    loads: LOADS,
    budget: { js_compressed_bytes: 300 * 1024, recommendation_interactive_ms: 1000 },
    js_compressed_bytes: loads[0]!.jsBytesCompressed,
    js_decoded_bytes: loads[0]!.jsBytesDecoded,
    recommendation_shown_ms: { median: median(loads.map((l) => l.recommendationShownMs)), min: Math.min(...loads.map((l) => l.recommendationShownMs)), max: Math.max(...loads.map((l) => l.recommendationShownMs)) },
    recommendation_complete_ms: { median: median(loads.map((l) => l.recommendationCompleteMs)), min: Math.min(...loads.map((l) => l.recommendationCompleteMs)), max: Math.max(...loads.map((l) => l.recommendationCompleteMs)) },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/dashboard.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await server.close();
  await ctx.close();
}
