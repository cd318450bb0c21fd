// npm run bench:api — load on GET /meta/targeting/recommendations/{campaign_id} against a real
// server listening on 127.0.0.1 (ephemeral port), with autocannon in a worker thread so that the
// load generator does not share the server's event loop. PGlite always; PostgreSQL as well when
// TEST_DATABASE_URL or DATABASE_URL is set. Target: >= 2,000 requests/s, p99 < 50 ms.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import pino from 'pino';
import { signToken } from '../src/services/tokens.ts';
import { startServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { generateStubHistory } from '../src/services/generate-stub.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { openPostgres } from '../src/store/postgres.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;
const SECRET = randomBytes(32).toString('base64url');

async function openDb(kind: 'pglite' | 'postgres', url: string | null): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite({});
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const schema = `bench_api_${randomBytes(4).toString('hex')}`;
  const db = await openPostgres({ url: url!, schema });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.query(`drop schema ${schema} cascade`);
      await db.close();
    },
  };
}

async function measure(kind: 'pglite' | 'postgres', url: string | null) {
  const { db, drop } = await openDb(kind, url);
  // The access log stays on (as in production: one JSON line per request), written to /dev/null.
  const config = loadConfig({ JWT_SECRET: SECRET, LOG_LEVEL: 'warn' });
  const ctx = await createContext(config, { db, logger: pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: false })) });
  const campaignId = '987654321';
  await generateStubHistory(ctx, { campaigns: 1, days: 30, seed: 42, campaignIds: [campaignId] });
  const run = await runOptimization(ctx, { campaignId, budget: null, mode: 'stub' });
  const server = await startServer(ctx, { host: '127.0.0.1', port: 0, handleSignals: false, docsUi: false });
  try {
    const token = await signToken(SECRET, { sub: 'bench', role: 'viewer', ttlSeconds: 3600, issuer: null, audience: null }, new Date());
    const target = `${server.url}/meta/targeting/recommendations/${campaignId}`;
    const probe = await fetch(target, { headers: { authorization: `Bearer ${token}` } });
    const bytes = (await probe.arrayBuffer()).byteLength;
    if (probe.status !== 200) throw new Error(`probe answered ${probe.status}`);
    // A short warm-up (JIT, connection pool) that is not counted.
    await autocannon({ url: target, connections: CONNECTIONS, duration: 2, workers: 1, headers: { authorization: `Bearer ${token}` } });
    const r = await autocannon({ url: target, connections: CONNECTIONS, duration: DURATION_S, workers: 1, headers: { authorization: `Bearer ${token}` } });
    return { kind, recommendations: run.recommendations.length, bytes, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, total: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
  } finally {
    await server.close();
    await drop();
  }
}

const cpus = os.cpus();
console.log(`machine: ${cpus.length} CPU(s), ${cpus[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
console.log(`load: GET /meta/targeting/recommendations/{campaign_id}, ${CONNECTIONS} connections, ${DURATION_S} s, autocannon in a worker thread, target >= 2,000 req/s and p99 < 50 ms`);
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
const kinds: ('pglite' | 'postgres')[] = pgUrl ? ['pglite', 'postgres'] : ['pglite'];
let failed = false;
for (const kind of kinds) {
  const m = await measure(kind, pgUrl);
  const met = m.rps >= 2000 && m.p99 < 50 && m.non2xx === 0 && m.errors === 0;
  failed ||= !met;
  console.log(
    `${kind.padEnd(8)} ${Math.round(m.rps).toLocaleString('en')} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  max ${m.max} ms  ` +
      `(${m.total.toLocaleString('en')} requests, ${m.non2xx} non-2xx, ${m.errors} errors; response ${m.bytes.toLocaleString('en')} bytes, ${m.recommendations} recommendations)  ${met ? 'target met' : 'TARGET MISSED'}`,
  );
}
if (!pgUrl) console.log('postgres: skipped (set TEST_DATABASE_URL or DATABASE_URL to measure it)');
process.exitCode = failed ? 1 : 0;
