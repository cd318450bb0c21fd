// A flood of requests without a token against a real server on the loopback interface: a fixed
// number of requests (no duration, no timing assertion), then what they left behind. Unbounded,
// the same flood wrote one audit row and two log lines per request.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, openApi, testKeys, token } from './helpers.ts';

const REQUESTS = 2000;
const CONCURRENCY = 20;
const LIMIT = 30;

describe(`a flood of unauthenticated requests on ${usingPostgres ? 'PostgreSQL' : 'PGlite'} (loopback)`, () => {
  let h: ApiHarness;
  let server: RunningServer;
  let logLines = 0;
  let logBytes = 0;

  beforeAll(async () => {
    h = await openApi({ LOG_LEVEL: 'info', API_AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT) });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logBytes += chunk.length;
        logLines += chunk.toString().split('\n').filter((l) => l !== '').length;
        done();
      },
    });
    server = await startServer({ ...h.ctx, logger: pino({ level: 'info' }, sink) }, { host: '127.0.0.1', port: 0, handleSignals: false, keys: testKeys(), processMetrics: false });
  });
  afterAll(async () => {
    await server?.close();
    await h.close();
  });

  it(`${REQUESTS} POSTs without a token: ${LIMIT} answered 401, the rest 429; no audit row; a bounded log; valid tokens still served`, { timeout: 120_000 }, async () => {
    const auditBefore = (await h.ctx.db.query<{ n: number }>('select count(*)::int as n from audit_log'))[0]!.n;
    // What the flood writes, not the start-up lines.
    logLines = 0;
    logBytes = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        next += 1;
        const res = await fetch(`${server.url}/meta/targeting/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"campaign_id":"999"}' });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(Object.fromEntries(statuses)).toEqual({ 401: LIMIT, 429: REQUESTS - LIMIT });
    const auditAfter = (await h.ctx.db.query<{ n: number }>('select count(*)::int as n from audit_log'))[0]!.n;
    expect(auditAfter).toBe(auditBefore);
    // Per refused request under the limit: one access-log line (the "token refused" line is at
    // info on the http logger's level, here info too). Over the limit: nothing.
    expect(logLines).toBeLessThanOrEqual(2 * LIMIT);
    expect(logBytes).toBeLessThan(2 * LIMIT * 1024);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`http_auth_failures_total{reason="missing"} ${REQUESTS}`);
    expect(metrics).toContain(`http_unauthenticated_rate_limited_total ${REQUESTS - LIMIT}`);

    // Public routes answer any number of probes without a log line each.
    logLines = 0;
    for (let i = 0; i < 300; i++) expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(logLines).toBe(0);

    // The same address with a valid token is served; public routes answer.
    const ok = await fetch(`${server.url}/meta/targeting/history?limit=1`, { headers: { authorization: `Bearer ${await token('viewer')}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
