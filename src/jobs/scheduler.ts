// The autonomous loop: a pg-boss cron schedule ticks every META_TARGETING_INTERVAL_HOURS, each
// tick enqueues one optimize job per active campaign, and workers (this process and any number
// of `worker` processes on the same database) run them. See docs/operations.md.
import type { JobResult, PgBoss, Queue } from 'pg-boss';
import { type AppContext, SCHEDULER_ACTOR } from '../context.ts';
import { createBoss, type BossOptions } from './boss.ts';
import { cronForInterval, isDueTick } from './cron.ts';
import { optimizeCampaignJob, parseOptimizeCampaignData, type OptimizeCampaignData } from './optimize-campaign.ts';
import { missedTickSince, tickJob } from './tick.ts';

export const TICK_QUEUE = 'targeting-tick';
export const OPTIMIZE_QUEUE = 'optimize-campaign';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  /** First retry delay; each next one doubles (with jitter), up to maxDelaySeconds. */
  delaySeconds: number;
  maxDelaySeconds: number;
}

// 4 retries from 60 s, doubling with jitter (pg-boss: 1-2, 2-4, 4-8, then 8-15 minutes with the
// 15-minute cap), so a database restart or a rate limit clears before the job gives up, and the
// last retry (at most ~30 minutes in) is inside the shortest interval (1 h), after which the next
// tick brings the campaign back anyway.
export const DEFAULT_RETRY: RetryPolicy = { limit: 4, delaySeconds: 60, maxDelaySeconds: 900 };

export interface JobTiming {
  /** How often a running job's worker tells the queue it is alive; a job unheard of for this long is failed and retried. */
  heartbeatSeconds: number;
  /** The longest a job may run: past it, the job is failed and retried, and its signal stops the handler. */
  expireInSeconds: number;
}

// A STUB run takes seconds, but a LIVE run first reads the campaign from Meta, which may wait out a
// throttle (up to 15 minutes at a time) and poll asynchronous reports: its length is not bounded
// by the work. A process that died is told by its missing heartbeat instead, within a minute or two;
// the expiry only bounds a handler that hangs.
export const DEFAULT_JOB_TIMING: JobTiming = { heartbeatSeconds: 60, expireInSeconds: 3 * 3600 };

/**
 * `stately`: per singletonKey (the campaign id) at most one job queued and one active, enforced by
 * pg-boss's unique index on (queue, state, key) in the database, so no two processes can run the
 * same campaign at once, and a tick that finds a campaign's job still waiting adds no second
 * one. (`singleton` alone would also keep one active, but queue every duplicate behind it.)
 */
export function queueOptions(retry: RetryPolicy, timing: JobTiming = DEFAULT_JOB_TIMING): Omit<Queue, 'name'> {
  // notify: a new job wakes the idle workers of every process at once (LISTEN/NOTIFY) instead of
  // the first one whose 2-second poll comes round taking the whole tick alone.
  return { policy: 'stately', retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: true, retryDelayMax: retry.maxDelaySeconds, expireInSeconds: timing.expireInSeconds, heartbeatSeconds: timing.heartbeatSeconds, notify: true };
}

export interface SchedulerOptions extends Omit<BossOptions, 'schedule'> {
  /** Optimize jobs this process claims and runs at once. Default 2: one runs the engine while another waits on the database. */
  concurrency?: number;
  /** How often idle workers look for jobs (and retries whose delay ran out). Default 2 s, 30 s while LISTEN/NOTIFY works. */
  pollingIntervalSeconds?: number;
  retry?: RetryPolicy;
  timing?: JobTiming;
  /** How long stop() lets a running job finish before failing it back to the queue. Default 30 s. */
  stopTimeoutMs?: number;
  /** Register the cron schedule and run pg-boss's cron pass in this process. Default true. */
  schedule?: boolean;
  /** Enqueue a tick at start when a tick was missed (see missedTickSince). Default true. */
  catchUp?: boolean;
  /** Replaces the optimize handler: tests instrument it. `signal` aborts when the queue has failed the job (expired, or its claim lost). */
  optimize?: (data: OptimizeCampaignData, signal: AbortSignal) => Promise<unknown>;
}

export interface Scheduler {
  /** False when META_TARGETING_ENABLED=false: nothing was started and stop() does nothing. */
  readonly enabled: boolean;
  /** The cron expression (UTC) of the tick, when enabled. */
  readonly cron: string | null;
  /** The running PgBoss, when enabled (tests read queues through it). */
  readonly boss: PgBoss | null;
  /** Enqueues a tick now. Null when a tick is already waiting. */
  tick(reason?: string): Promise<string | null>;
  /** Stops fetching, lets the running jobs finish (up to stopTimeoutMs), then stops pg-boss. */
  stop(): Promise<void>;
}

const DISABLED: Scheduler = { enabled: false, cron: null, boss: null, tick: async () => null, stop: async () => {} };

/** Creates the two queues (idempotent) and brings their retry settings up to date. */
export async function ensureQueues(boss: PgBoss, retry: RetryPolicy = DEFAULT_RETRY, timing: JobTiming = DEFAULT_JOB_TIMING): Promise<void> {
  const options = queueOptions(retry, timing);
  for (const name of [TICK_QUEUE, OPTIMIZE_QUEUE]) {
    await boss.createQueue(name, options);
    // createQueue keeps an existing queue as it was; the policy cannot change, the rest can.
    const { policy: _policy, ...updatable } = options;
    await boss.updateQueue(name, updatable);
  }
}

export async function startScheduler(serverCtx: AppContext, options: SchedulerOptions = {}): Promise<Scheduler> {
  // Whatever process runs it, the scheduler's changes are the scheduler's.
  const ctx: AppContext = { ...serverCtx, actor: SCHEDULER_ACTOR, request: null };
  if (!ctx.config.targetingEnabled) {
    ctx.logger.info('scheduler disabled (META_TARGETING_ENABLED=false)');
    return DISABLED;
  }
  const retry = options.retry ?? DEFAULT_RETRY;
  const cron = cronForInterval(ctx.config.intervalHours, ctx.config.scheduleAnchorMs);
  const schedule = options.schedule ?? true;
  const boss = createBoss(ctx, { ...options, schedule });
  await boss.start();
  try {
    await ensureQueues(boss, retry, options.timing);
    if (schedule) {
      // Upserted by name: every process registers the same row. `missed: 'once'` makes pg-boss's
      // cron pass send one tick for occurrences that came due while no process was running.
      await boss.schedule(TICK_QUEUE, cron, { reason: 'cron' }, { tz: 'UTC', missed: 'once' });
    }
    const enqueue = async (campaignId: string) => (await boss.send(OPTIMIZE_QUEUE, { campaignId, mode: ctx.config.meta.targetingMode } satisfies OptimizeCampaignData, { singletonKey: campaignId })) !== null;
    const optimize = options.optimize ?? ((data: OptimizeCampaignData, signal: AbortSignal) => optimizeCampaignJob({ ...ctx, signal }, data));
    // With LISTEN/NOTIFY up, new jobs wake the workers and the poll is only a backstop for what
    // no notification announces (a retry whose delay ran out): every 30 s unless told otherwise.
    const polling = options.pollingIntervalSeconds
      ? { pollingIntervalSeconds: options.pollingIntervalSeconds, notifyPollingIntervalSeconds: options.pollingIntervalSeconds }
      : { pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 30 };
    await boss.work(TICK_QUEUE, polling, async (jobs) => {
      // An interval that does not divide a day ticks the cron hourly; only the hours of its series run.
      const reason = (jobs[0]?.data as { reason?: unknown } | undefined)?.reason;
      if (reason === 'cron' && !isDueTick(ctx.clock.now(), ctx.config.intervalHours, ctx.config.scheduleAnchorMs)) return { skipped: 'not a scheduled hour' };
      return tickJob(ctx, enqueue);
    });
    // One fetch claims up to `concurrency` jobs (the stately queue hands out distinct campaigns) and
    // runs them side by side; a full batch fetches again at once instead of after the polling
    // interval, which with one job per fetch capped a process at one job per 2 s per slot
    // (measured: 50 campaigns took 26 s on two processes, now a few seconds).
    const concurrency = options.concurrency ?? 2;
    await boss.work(OPTIMIZE_QUEUE, { ...polling, batchSize: concurrency, burstWhenBatchFull: true, perJobResults: true }, async (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          try {
            return { id: job.id, status: 'completed', output: await optimize(parseOptimizeCampaignData(job.data), job.signal) };
          } catch (error) {
            // Failed, not thrown: the batch's other jobs keep their own outcome; pg-boss retries this one.
            const message = error instanceof Error ? error.message : String(error);
            ctx.logger.warn({ jobId: job.id, retryCount: job.retryCount, err: message }, 'optimize job failed');
            return { id: job.id, status: 'failed', output: { message } };
          }
        }),
      ),
    );

    const tick = (reason = 'manual') => boss.send(TICK_QUEUE, { reason });
    if (options.catchUp ?? true) {
      const stalest = await missedTickSince(ctx);
      if (stalest !== null) {
        ctx.logger.info({ stalest: stalest.toISOString(), intervalHours: ctx.config.intervalHours }, 'missed tick: catching up');
        await tick('catch-up');
      }
    }
    ctx.logger.info({ cron, tz: 'UTC', intervalHours: ctx.config.intervalHours }, 'scheduler started');

    let stopping: Promise<void> | null = null;
    return {
      enabled: true,
      cron,
      boss,
      tick,
      stop() {
        stopping ??= boss.stop({ graceful: true, timeout: options.stopTimeoutMs ?? 30_000, close: true });
        return stopping;
      },
    };
  } catch (error) {
    await boss.stop({ graceful: false, close: true }).catch(() => {});
    throw error;
  }
}
