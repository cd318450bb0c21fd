// npm run bench:meta-sync — a LIVE sync of 10 campaigns × 20 ad sets × 30 days, both breakdowns,
// against the fake Graph API on a loopback port, into an embedded database. Prints rows per second,
// the calls made, and the fewest calls the same data needs (every list read in pages of 500 with
// synchronous calls, so no report creation or polling). The client's waits (report polling,
// pacing) are recorded, not slept: they measure Meta's latency, which a fake does not have.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { INTEREST_SIZE_BATCH } from '../src/meta/discovery.ts';
import { metaSync } from '../src/services/meta.ts';
import { migrate } from '../src/store/migrate.ts';
import { createPgliteInstance, openPglite } from '../src/store/pglite.ts';

const CAMPAIGNS = 10;
const ADSETS = 20;
const DAYS = 30;
const PAGE = 500;
const TOKEN = 'bench-token-0123456789abcdefghij';

const fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: CAMPAIGNS, adsetsPerCampaign: ADSETS, days: DAYS, pageSize: PAGE, asyncPolls: 1 });
const origin = await fake.listen();
const db = await openPglite({ instance: await createPgliteInstance(null), schema: 'bench_meta' });
await migrate(db);
const config = loadConfig({ DATA_DIR: '.tmp/bench-meta', LOG_LEVEL: 'silent', META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, META_INSIGHTS_DAYS: String(DAYS) });
let waited = 0;
const ctx = await createContext(config, { db, clock: { now: () => new Date('2026-11-20T08:00:00Z') }, logger: pino({ level: 'silent' }), metaRuntime: { sleep: async (ms) => void (waited += ms) } });

const t0 = performance.now();
let readDone = 0;
const report = await metaSync(ctx, { onProgress: () => void (readDone = performance.now()) });
const seconds = (performance.now() - t0) / 1000;
const rows = report.campaigns.reduce((s, c) => s + c.rows.country + c.rows.demographic + c.rows.segment, 0);
const metaRows = report.campaigns.reduce((s, c) => s + c.rows.country + c.rows.demographic, 0);

// The fewest calls: account, custom audiences, campaigns, then per campaign its ad sets and each
// breakdown's rows in pages of 500, then the audience sizes (interests by id in batches, the behaviors list once).
const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
const sizeCalls = Math.ceil(report.targeted.interests / INTEREST_SIZE_BATCH) + (report.targeted.behaviors > 0 ? 1 : 0);
// Discovery: one suggestion call per campaign, then the distinct suggestions' validity and sizes in batches.
const searches = fake.requests.filter((r) => r.path.endsWith('/search')).map((r) => new URLSearchParams(r.query));
const firstSuggestion = searches.findIndex((q) => q.get('type') === 'adinterestsuggestion');
const suggested = new Set(searches.slice(Math.max(0, firstSuggestion)).filter((q) => q.get('type') === 'adinterestvalid').flatMap((q) => JSON.parse(q.get('interest_fbid_list') ?? '[]') as string[]));
const discoveryCalls = report.campaigns.length + Math.ceil(suggested.size / INTEREST_SIZE_BATCH);
const minimum = 1 + pages(report.audiences) + pages(report.campaigns.length) + report.campaigns.reduce((s, c) => s + pages(c.adsets) + pages(c.rows.country + c.skipped.country) + pages(c.rows.demographic + c.skipped.demographic), 0) + sizeCalls + discoveryCalls;
const byKind = { posts: fake.requests.filter((r) => r.method === 'POST').length, polls: fake.requests.filter((r) => /^\/v\d+\.\d\/\d+$/.test(r.path) && r.method === 'GET' && !report.campaigns.some((c) => r.path.endsWith(`/${c.campaignId}`))).length };

const result = {
  shape: { campaigns: CAMPAIGNS, adsetsPerCampaign: ADSETS, days: DAYS, breakdowns: ['country', 'age,gender'] },
  seconds: Number(seconds.toFixed(2)),
  readingSeconds: Number(((readDone - t0) / 1000).toFixed(2)),
  rowsFromMeta: metaRows,
  rowsWritten: rows,
  rowsPerSecond: Math.round(rows / seconds),
  calls: report.calls.requests,
  minimumCalls: minimum,
  sizeLookups: fake.requests.filter((r) => r.path.endsWith('/search')).length - discoveryCalls,
  discoveryCalls,
  candidates: report.campaigns.reduce((n, c) => n + c.candidates, 0),
  targeted: report.targeted,
  asyncReports: byKind.posts,
  reportPolls: byKind.polls,
  waitedMsNotSlept: waited,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
};
console.log(`meta sync: ${CAMPAIGNS} campaigns × ${ADSETS} ad sets × ${DAYS} days, country and age×gender`);
console.log(`  ${result.seconds} s (${result.readingSeconds} s reading from the fake, the rest writing), ${result.rowsFromMeta.toLocaleString('en')} rows from Meta, ${result.rowsWritten.toLocaleString('en')} rows written (${result.rowsPerSecond.toLocaleString('en')} rows/s)`);
console.log(`  ${result.calls} calls made; the data needs at least ${result.minimumCalls} (the difference: ${result.asyncReports} report creations and ${result.reportPolls} polls of asynchronous reports)`);
console.log(`  audience sizes: ${result.sizeLookups} lookup call(s) for ${report.targeted.interests} interest(s) and ${report.targeted.behaviors} behavior(s); discovery: ${result.discoveryCalls} call(s), ${result.candidates} candidate(s) kept`);
mkdirSync('bench/results', { recursive: true });
const out = `bench/results/meta-sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify(result, null, 2));
console.log(`  written to ${out}`);
await fake.close();
await db.close();
