// Scaling out, shown: two `worker` PROCESSES on the real PostgreSQL share one tick's 50 campaigns,
// and every campaign is optimized exactly once. Skipped without TEST_DATABASE_URL (PGlite is one
// process by nature).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/context.ts';
import { createBoss, jobSchemaFor } from '../../src/jobs/boss.ts';
import { ensureQueues, OPTIMIZE_QUEUE, TICK_QUEUE } from '../../src/jobs/scheduler.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { openDatabase } from '../../src/store/open.ts';
import { testConfig } from '../helpers/db.ts';

const url = process.env.TEST_DATABASE_URL;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CAMPAIGNS = 50;

interface Worker {
  child: ChildProcess;
  stderr: string;
  exit: Promise<number | null>;
}

function startWorker(schema: string): Worker {
  const child = spawn(process.execPath, ['bin/targeting-optimizer.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info', META_TARGETING_ENABLED: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const worker: Worker = { child, stderr: '', exit: once(child, 'exit').then(([code]) => code as number | null) };
  child.stderr!.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
  return worker;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Campaign ids of the runs each worker's JSON log says it completed. */
function completedBy(worker: Worker): string[] {
  return worker.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; campaignId?: string })
    .filter((entry) => entry.msg === 'run completed')
    .map((entry) => entry.campaignId!);
}

describe.skipIf(!url)('two worker processes on PostgreSQL', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let ctx: AppContext;
  let boss: PgBoss;
  let campaignIds: string[];
  const workers: Worker[] = [];

  beforeAll(async () => {
    const config = testConfig({ DATABASE_URL: url!, DATABASE_SCHEMA: schema });
    ctx = await createContext(config, { db: await openDatabase({ databaseUrl: url!, dataDir: '', schema }), logger: pino({ level: 'silent' }) });
    const report = await generateStubHistory(ctx, { campaigns: CAMPAIGNS, days: 7, seed: 'two-workers' });
    campaignIds = report.campaigns.map((c) => c.campaign_id).sort();
    // The job tables exist before the workers race to create them (pg-boss would serialise that
    // with an advisory lock anyway); this process only sends the tick.
    boss = createBoss(ctx, { schedule: false });
    await boss.start();
    await ensureQueues(boss);
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await boss?.stop({ graceful: false });
    if (ctx) {
      await ctx.db.query(`drop schema if exists ${jobSchemaFor(ctx.config)} cascade`);
      await ctx.db.query(`drop schema if exists ${schema} cascade`);
      await ctx.db.close();
    }
  });

  it('one tick: 50 campaigns each optimized exactly once across both processes, which then stop cleanly on SIGTERM', async () => {
    const t0 = performance.now();
    workers.push(startWorker(schema), startWorker(schema));
    await waitFor('both workers started', () => workers.every((w) => / started: /.test(w.stderr)), 20_000);
    const started = performance.now();

    expect(await boss.send(TICK_QUEUE, { reason: 'integration test' })).not.toBeNull();
    const completedJobs = async () => (await boss.findJobs(OPTIMIZE_QUEUE)).filter((j) => j.state === 'completed').length;
    await waitFor('50 optimize jobs completed', async () => (await completedJobs()) >= CAMPAIGNS, 40_000);
    const optimized = performance.now();

    const jobs = await boss.findJobs<{ campaignId: string }>(OPTIMIZE_QUEUE);
    expect(jobs).toHaveLength(CAMPAIGNS);
    expect(jobs.every((j) => j.state === 'completed' && j.retryCount === 0)).toBe(true);

    const runs = await ctx.db.query<{ campaign: string; status: string }>('select campaign_ids[1] as campaign, status from runs order by 1');
    expect(runs.filter((r) => r.status !== 'completed')).toEqual([]);
    expect(runs.map((r) => r.campaign)).toEqual(campaignIds);

    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exit));
    expect(codes).toEqual([0, 0]);
    for (const w of workers) expect(w.stderr).toMatch(/ stopped\n/);

    // Both processes took part, and together they logged each campaign once.
    const [first, second] = workers.map(completedBy);
    expect(first!.length).toBeGreaterThan(0);
    expect(second!.length).toBeGreaterThan(0);
    expect([...first!, ...second!].sort()).toEqual(campaignIds);
    console.log(
      `two workers: start ${Math.round(started - t0)} ms, 50 campaigns optimized in ${Math.round(optimized - started)} ms ` +
        `(${first!.length} + ${second!.length}), stopped in ${Math.round(performance.now() - optimized)} ms`,
    );
  });
});
