// The API's command-line side: `token` prints only a token that the API accepts, the embedded
// secret is created once (0600) and reused, `apply` calls the same service as the endpoint, and
// startServer listens for real, shuts down gracefully and runs the shutdown callbacks.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { resolveAuthKeys } from '../../src/services/tokens.ts';
import { onShutdown, startServer } from '../../src/api/server.ts';
import { cliActor } from '../../src/context.ts';
import { listAuditEntries } from '../../src/store/audit.ts';
import { runCli } from '../helpers/cli.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { listTargetingHistory } from '../../src/store/history.ts';
import { openTestContext, type TestContext, usingPostgres } from '../helpers/db.ts';
import { auth, NOW } from './helpers.ts';

const cli = (ctx: TestContext, argv: string[], env: Record<string, string>) => runCli(argv, { db: ctx.db, clock: ctx.clock }, env);

describe(`token, apply and serve on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let dataDir: string;
  beforeAll(async () => {
    ctx = await openTestContext({}, NOW);
    dataDir = mkdtempSync(path.join(tmpdir(), 'targeting-api-'));
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('token prints only a token, signed with the embedded secret generated once in DATA_DIR (0600), that the API accepts', async () => {
    const env = { DATA_DIR: dataDir };
    const first = await cli(ctx, ['token', '--role', 'manager', '--sub', 'alice', '--ttl', '8h'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const secretFile = path.join(dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    const second = await cli(ctx, ['token', '--role', 'viewer', '--sub', 'bob'], env);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect(second.stdout).not.toContain(secret.trim());

    const config = { ...ctx.config, dataDir };
    const app = await buildApp({ ...ctx, config }, { keys: await resolveAuthKeys(config.api, dataDir) });
    try {
      const res = await app.inject({ url: '/meta/targeting/history', headers: auth(first.stdout.trim()) });
      expect(res.statusCode).toBe(200);
      const viewerRun = await app.inject({ method: 'POST', url: '/meta/targeting/run', headers: auth(second.stdout.trim()), payload: {} });
      expect(viewerRun.statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('token refuses a bad role, a missing subject, a bad ttl, and signing when only a public key is configured', async () => {
    expect((await cli(ctx, ['token', '--role', 'root', '--sub', 'a'], { DATA_DIR: dataDir })).code).toBe(2);
    expect((await cli(ctx, ['token', '--role', 'admin'], { DATA_DIR: dataDir })).code).toBe(2);
    expect((await cli(ctx, ['token', '--role', 'admin', '--sub', 'a', '--ttl', 'forever'], { DATA_DIR: dataDir })).code).toBe(2);
    const jwks = await cli(ctx, ['token', '--role', 'admin', '--sub', 'a'], { JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' });
    expect(jwks.code).toBe(2);
    expect(jwks.stdout).toBe('');
    expect(jwks.stderr).toContain('identity provider');
  });

  it('token with JWT_SECRET never prints the secret', async () => {
    const secret = 'Zr8q-Lw3N_x5Tb0Kv7Pm2Hs9Dc4Yf6Ja1Ue';
    const out = await cli(ctx, ['token', '--role', 'admin', '--sub', 'ops'], { JWT_SECRET: secret });
    expect(out.code).toBe(0);
    expect(out.stdout + out.stderr).not.toContain(secret);
  });

  it('apply (CLI) calls the same service: JSON output, a history row and an audit row with the cli actor, dry run only audited, LIVE refused with exit 2', async () => {
    const rec = (await runOptimization(ctx, { campaignId: '31337', budget: null, mode: 'stub', generateStub: true })).recommendations[0]!;
    const dry = await cli(ctx, ['apply', rec.recommendation_id, '--dry-run', '--json'], {});
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ recommendation_id: rec.recommendation_id, success: true, dry_run: true });
    const real = await cli(ctx, ['apply', rec.recommendation_id, '--mode', 'stub', '--yes', '--json'], {});
    expect(JSON.parse(real.stdout)).toMatchObject({ dry_run: false, message: 'Applied in STUB mode (simulated)' });
    const rows = await listTargetingHistory(ctx.db, { campaignId: '31337', adsetId: null, limit: 10 });
    // The dry run is answered and audited, never a history row.
    expect(rows.map((r) => r.dry_run)).toEqual([false]);
    const actor = cliActor().id;
    expect(actor).toMatch(/^cli:./);
    expect(rows[0]!.actor).toBe(actor);
    const audit = (await listAuditEntries(ctx.db, 50)).filter((a) => a.route === 'apply');
    expect(audit.map((a) => [a.channel, a.subject, a.method, a.bodySummary.outcome])).toEqual([
      ['cli', actor, 'CLI', 'applied'],
      ['cli', actor, 'CLI', 'dry_run'],
    ]);
    expect(audit[0]!.bodySummary.history_id).toBe(rows[0]!.id);
    // Again: already in force, nothing recorded, and the CLI says so.
    const again = await cli(ctx, ['apply', rec.recommendation_id, '--yes'], {});
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Already in force/);
    expect(await listTargetingHistory(ctx.db, { campaignId: '31337', adsetId: null, limit: 10 })).toHaveLength(1);
    const live = await cli(ctx, ['apply', rec.recommendation_id, '--mode', 'live'], {});
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/LIVE mode is not set up: META_ACCESS_TOKEN/);
    const bad = await cli(ctx, ['apply', 'nope'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('recommendation_id');
  });

  it('startServer listens on HOST:PORT, answers, then closes gracefully and runs the shutdown callbacks in order', async () => {
    const calls: string[] = [];
    const unregister = onShutdown(() => {
      calls.push('registered');
    });
    const server = await startServer(ctx, { host: '127.0.0.1', port: 0, handleSignals: false, keys: { algorithm: 'HS256', key: new Uint8Array(32), signingSecret: null }, onShutdown: [() => void calls.push('option')] });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await server.close();
      await server.close();
      unregister();
    }
    await server.closed;
    expect(calls).toEqual(['registered', 'option']);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
