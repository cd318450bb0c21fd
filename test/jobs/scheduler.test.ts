// The scheduler on the real queue (pg-boss on this file's database: PGlite by default,
// PostgreSQL with TEST_DATABASE_URL); each test gets its own pg-boss schema.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBoss } from '../../src/jobs/boss.ts';
import type { OptimizeCampaignData } from '../../src/jobs/optimize-campaign.ts';
import { ensureQueues, OPTIMIZE_QUEUE, type Scheduler, type SchedulerOptions, startScheduler, TICK_QUEUE } from '../../src/jobs/scheduler.ts';
import { nextRunAt } from '../../src/jobs/cron.ts';
import { missedTickSince, tickJob } from '../../src/jobs/tick.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { openTestContext, type TestContext, usingPostgres } from '../helpers/db.ts';

const FAST_RETRY = { limit: 2, delaySeconds: 1, maxDelaySeconds: 1 };

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe(`scheduler on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  let campaigns: string[];
  const schemas: string[] = [];
  const running: Scheduler[] = [];

  /** A pg-boss schema of the test's own, dropped at the end. */
  function jobSchema(): string {
    const schema = `pgb_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  }

  async function start(options: SchedulerOptions = {}, schema = jobSchema()): Promise<Scheduler> {
    const scheduler = await startScheduler(ctx, { schema, databaseUrl: process.env.TEST_DATABASE_URL ?? null, pollingIntervalSeconds: 0.5, retry: FAST_RETRY, catchUp: false, ...options });
    running.push(scheduler);
    return scheduler;
  }

  beforeAll(async () => {
    ctx = await openTestContext();
    const report = await generateStubHistory(ctx, { campaigns: 3, days: 10, seed: 11, endDate: '2026-11-19' });
    campaigns = report.campaigns.map((c) => c.campaign_id).sort();
    await ctx.db.query('update campaigns set active = false where campaign_id = $1', [campaigns[2]!]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    for (const schema of schemas) await ctx.db.query(`drop schema if exists ${schema} cascade`);
    await ctx.close();
  });

  it('the tick enqueues one job per active campaign, skips inactive ones, and never queues a campaign twice', async () => {
    const activeIds = campaigns.slice(0, 2);
    const seen: string[] = [];
    const report = await tickJob(ctx, async (id) => (seen.push(id), true));
    expect(seen).toEqual(activeIds);
    expect(report).toEqual({ campaigns: 2, enqueued: 2, alreadyQueued: 0, auditRowsPruned: 0 });

    // Through the real queue, with no worker running: the second tick finds both jobs waiting.
    const boss = createBoss(ctx, { schema: jobSchema(), databaseUrl: process.env.TEST_DATABASE_URL ?? null, schedule: false });
    await boss.start();
    try {
      // As an earlier version made it: ensureQueues brings it up to date.
      await boss.createQueue(OPTIMIZE_QUEUE, { policy: 'stately', expireInSeconds: 600 });
      await ensureQueues(boss);
      const enqueue = async (id: string) => (await boss.send(OPTIMIZE_QUEUE, { campaignId: id, mode: 'stub' }, { singletonKey: id })) !== null;
      expect(await tickJob(ctx, enqueue)).toEqual({ campaigns: 2, enqueued: 2, alreadyQueued: 0, auditRowsPruned: 0 });
      expect(await tickJob(ctx, enqueue)).toEqual({ campaigns: 2, enqueued: 0, alreadyQueued: 2, auditRowsPruned: 0 });
      const jobs = await boss.findJobs<OptimizeCampaignData>(OPTIMIZE_QUEUE);
      expect(jobs.map((j) => j.data.campaignId).sort()).toEqual(activeIds);
      expect(jobs.map((j) => j.singletonKey).sort()).toEqual(activeIds);
      const queue = await boss.getQueue(OPTIMIZE_QUEUE);
      expect(queue).toMatchObject({ policy: 'stately', retryLimit: 4, retryDelay: 60, retryBackoff: true, heartbeatSeconds: 60, expireInSeconds: 10_800 });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it('a started scheduler registers the cron tick (UTC, catching up once after downtime) and its tick reaches the worker', async () => {
    const handled: string[] = [];
    const scheduler = await start({ optimize: async (d) => handled.push(d.campaignId) });
    expect(scheduler.cron).toBe('0 3 * * *');
    const schedules = await scheduler.boss!.getSchedules(TICK_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ cron: '0 3 * * *', timezone: 'UTC', options: { missed: 'once' } });
    await scheduler.tick();
    await waitFor('both active campaigns handled', () => handled.length >= 2);
    await sleep(1_200); // two more polls: nothing else arrives
    expect(handled.sort()).toEqual(campaigns.slice(0, 2));
  });

  it('one campaign never runs twice at once, even with two processes polling four slots each', async () => {
    const schema = jobSchema();
    const active = new Map<string, number>();
    let overlapPerCampaign = 0;
    let maxTotal = 0;
    const handledPerCampaign = new Map<string, number>();
    const optimize = async (d: OptimizeCampaignData) => {
      const now = (active.get(d.campaignId) ?? 0) + 1;
      active.set(d.campaignId, now);
      overlapPerCampaign = Math.max(overlapPerCampaign, now);
      maxTotal = Math.max(maxTotal, [...active.values()].reduce((a, b) => a + b, 0));
      await sleep(300);
      active.set(d.campaignId, active.get(d.campaignId)! - 1);
      handledPerCampaign.set(d.campaignId, (handledPerCampaign.get(d.campaignId) ?? 0) + 1);
    };
    const first = await start({ optimize, concurrency: 4 }, schema);
    await start({ optimize, concurrency: 4, schedule: false }, schema);
    const boss = first.boss!;
    const ids = ['camp-a', 'camp-b', 'camp-c'];
    let accepted = 0;
    for (let i = 0; i < 12; i += 1) {
      for (const id of ids) if ((await boss.send(OPTIMIZE_QUEUE, { campaignId: id, mode: 'stub' }, { singletonKey: id })) !== null) accepted += 1;
      await sleep(100);
    }
    await waitFor('every accepted job handled', () => [...handledPerCampaign.values()].reduce((a, b) => a + b, 0) >= accepted);
    expect(overlapPerCampaign).toBe(1);
    // The test could fail: different campaigns did run side by side, and each campaign ran more than once.
    expect(maxTotal).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(handledPerCampaign.get(id)).toBeGreaterThanOrEqual(2);
    // Sends while a campaign's job was already waiting were refused, not queued behind it.
    expect(accepted).toBeLessThan(36);
  });

  it('a failed job is retried with backoff and then succeeds', async () => {
    const attempts: number[] = [];
    const scheduler = await start({
      optimize: async () => {
        attempts.push(Date.now());
        if (attempts.length === 1) throw new Error('database went away');
      },
    });
    const id = await scheduler.boss!.send(OPTIMIZE_QUEUE, { campaignId: 'camp-retry', mode: 'stub' }, { singletonKey: 'camp-retry' });
    expect(id).not.toBeNull();
    await waitFor('the job completed', async () => (await scheduler.boss!.findJobs(OPTIMIZE_QUEUE, { id: id! }))[0]?.state === 'completed');
    const [job] = await scheduler.boss!.findJobs(OPTIMIZE_QUEUE, { id: id! });
    expect(attempts).toHaveLength(2);
    expect(job).toMatchObject({ state: 'completed', retryCount: 1, retryBackoff: true });
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900); // retryDelay 1 s
  });

  it('an interval that does not divide a day ticks the cron hourly and runs only in the hours of its series', async () => {
    const fiveHours: TestContext = { ...ctx, config: { ...ctx.config, intervalHours: 5 } };
    const handled: string[] = [];
    const scheduler = await startScheduler(fiveHours, { schema: jobSchema(), databaseUrl: process.env.TEST_DATABASE_URL ?? null, pollingIntervalSeconds: 0.5, retry: FAST_RETRY, catchUp: false, optimize: async (d) => handled.push(d.campaignId) });
    running.push(scheduler);
    expect(scheduler.cron).toBe('0 * * * *');
    const due = nextRunAt(new Date('2026-11-20T08:00:00Z'), 5, ctx.config.scheduleAnchorMs);
    // An hour after a due one is not in the series: the cron's tick does nothing.
    ctx.setNow(new Date(due.getTime() + 3_600_000).toISOString());
    await scheduler.boss!.send(TICK_QUEUE, { reason: 'cron' });
    await sleep(1_500);
    expect(handled).toEqual([]);
    ctx.setNow(new Date(due.getTime() + 5_000).toISOString());
    await scheduler.boss!.send(TICK_QUEUE, { reason: 'cron' });
    await waitFor('the due tick ran', () => handled.length >= 2);
    expect(handled.sort()).toEqual(campaigns.slice(0, 2));
    ctx.setNow('2026-11-20T08:00:00Z');
  });

  it('on start, a tick missed while down (last run older than the interval) is caught up', async () => {
    ctx.setNow('2026-11-20T08:00:00Z');
    for (const campaignId of campaigns.slice(0, 2)) await runOptimization(ctx, { campaignId, budget: null, mode: 'stub' });
    ctx.setNow('2026-11-21T07:00:00Z'); // 23 h later: the next tick is not due yet
    expect(await missedTickSince(ctx)).toBeNull();
    const quiet: string[] = [];
    await start({ catchUp: true, optimize: async (d) => quiet.push(d.campaignId) });
    await sleep(1_200);
    expect(quiet).toEqual([]);

    ctx.setNow('2026-11-21T09:00:00Z'); // 25 h later: a tick was missed
    expect((await missedTickSince(ctx))?.toISOString()).toBe('2026-11-20T08:00:00.000Z');
    const handled: string[] = [];
    await start({ catchUp: true, optimize: async (d) => handled.push(d.campaignId) });
    await waitFor('the catch-up tick ran', () => handled.length >= 2);
    expect(handled.sort()).toEqual(campaigns.slice(0, 2));
  });

  it("pg-boss's own cron pass sends one tick for the occurrences missed while every process was down (missed: 'once')", async () => {
    const schema = jobSchema();
    const first = await start({}, schema);
    await first.stop();
    // Two days of downtime: the last cron pass and the schedule row both date from before it, so
    // the 03:00 UTC occurrences in between were missed. (pg-boss reads these two timestamps.)
    await ctx.db.query(`update ${schema}.version set cron_on = now() - interval '2 days'`);
    await ctx.db.query(`update ${schema}.schedule set created_on = now() - interval '3 days'`);
    const handled: string[] = [];
    const scheduler = await start({ optimize: async (d) => handled.push(d.campaignId) }, schema);
    await waitFor('the caught-up tick ran', () => handled.length >= 2, 20_000);
    await sleep(1_000);
    expect(handled.sort()).toEqual(campaigns.slice(0, 2)); // one tick, not one per missed day
    const ticks = await scheduler.boss!.findJobs(TICK_QUEUE);
    expect(ticks).toHaveLength(1);
  });

  it('a job past its expiry has its signal aborted, so the handler stops, and the job is retried', async () => {
    const attempts: { aborted: boolean }[] = [];
    const scheduler = await start({
      timing: { heartbeatSeconds: 10, expireInSeconds: 1 },
      optimize: async (_data, signal) => {
        if (attempts.length > 0) return void attempts.push({ aborted: signal.aborted });
        // The first attempt hangs until the queue gives up on it (or 15 s, which fails the test).
        const stopped = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 15_000);
          signal.addEventListener('abort', () => { clearTimeout(timer); resolve(true); }, { once: true });
        });
        attempts.push({ aborted: stopped });
      },
    });
    const id = await scheduler.boss!.send(OPTIMIZE_QUEUE, { campaignId: 'camp-hung', mode: 'stub' }, { singletonKey: 'camp-hung' });
    await waitFor('the retry completed', async () => (await scheduler.boss!.findJobs(OPTIMIZE_QUEUE, { id: id! }))[0]?.state === 'completed', 30_000);
    expect(attempts).toEqual([{ aborted: true }, { aborted: false }]);
    const [job] = await scheduler.boss!.findJobs(OPTIMIZE_QUEUE, { id: id! });
    expect(job).toMatchObject({ state: 'completed', retryCount: 1, heartbeatSeconds: 10, expireInSeconds: 1 });
  });

  it('stop() lets the running job finish, and the job is completed, not failed back to the queue', async () => {
    let started = false;
    let finished = false;
    const schema = jobSchema();
    const scheduler = await start(
      {
        optimize: async () => {
          started = true;
          await sleep(1_500);
          finished = true;
        },
      },
      schema,
    );
    const id = await scheduler.boss!.send(OPTIMIZE_QUEUE, { campaignId: 'camp-stop', mode: 'stub' }, { singletonKey: 'camp-stop' });
    await waitFor('the job started', () => started);
    await scheduler.stop();
    expect(finished).toBe(true);
    const reader = createBoss(ctx, { schema, databaseUrl: process.env.TEST_DATABASE_URL ?? null, schedule: false });
    await reader.start();
    try {
      const [job] = await reader.findJobs(OPTIMIZE_QUEUE, { id: id! });
      expect(job?.state).toBe('completed');
    } finally {
      await reader.stop({ graceful: false });
    }
  });

  it('with the real handler, a tick optimizes every active campaign into completed runs, each recorded and audited as the scheduler\'s', async () => {
    ctx.setNow('2026-11-23T09:00:00Z');
    const before = await ctx.db.query<{ n: number }>("select count(*)::int as n from runs where started_at = '2026-11-23T09:00:00Z'");
    expect(before[0]!.n).toBe(0);
    const scheduler = await start();
    await scheduler.tick('test');
    const count = async () => (await ctx.db.query<{ n: number }>("select count(*)::int as n from runs where status = 'completed' and started_at = '2026-11-23T09:00:00Z'"))[0]!.n;
    await waitFor('two completed runs', async () => (await count()) >= 2, 30_000);
    const runs = await ctx.db.query<{ campaign: string; actor: string; run_id: string }>("select campaign_ids[1] as campaign, actor, run_id::text as run_id from runs where started_at = '2026-11-23T09:00:00Z' order by 1");
    expect(runs.map((r) => r.campaign)).toEqual(campaigns.slice(0, 2));
    expect(runs.map((r) => r.actor)).toEqual(['scheduler', 'scheduler']);
    const audit = await ctx.db.query<{ subject: string; channel: string; method: string; run_id: string }>("select subject, channel, method, body_summary->>'run_id' as run_id from audit_log where route = 'run' and at = '2026-11-23T09:00:00Z' order by 4");
    expect(audit).toEqual(runs.map((r) => ({ subject: 'scheduler', channel: 'scheduler', method: 'JOB', run_id: r.run_id })).sort((a, b) => a.run_id.localeCompare(b.run_id)));
  });
});

describe('scheduler when META_TARGETING_ENABLED=false', () => {
  it('starts nothing and stops at once', async () => {
    const ctx = await openTestContext({ META_TARGETING_ENABLED: 'false' });
    try {
      const scheduler = await startScheduler(ctx);
      expect(scheduler).toMatchObject({ enabled: false, boss: null, cron: null });
      expect(await scheduler.tick()).toBeNull();
      await scheduler.stop();
    } finally {
      await ctx.close();
    }
  });
});
