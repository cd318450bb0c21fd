import { once } from 'node:events';
import type { AppContext } from '../context.ts';
import { nextRunAt } from '../jobs/cron.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { InputError } from '../services/errors.ts';
import { type CliIo, UsageError } from './io.ts';

export const usage = 'worker';

/**
 * Runs the scheduler's workers (and its idempotent cron registration) without the HTTP server,
 * until SIGTERM or SIGINT, then stops gracefully: no new job is taken, the running ones finish.
 * Scaling out is more of these processes against the same PostgreSQL.
 */
export async function workerCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  if (args.length > 0) throw new UsageError(`worker takes no arguments, got ${JSON.stringify(args.join(' '))}`);
  if (!ctx.config.targetingEnabled) throw new InputError('META_TARGETING_ENABLED', 'is false, so there is nothing for a worker to do');
  // Listened for before starting, so a signal during start-up also ends in a graceful stop.
  const signal = Promise.race([once(process, 'SIGTERM').then(() => 'SIGTERM'), once(process, 'SIGINT').then(() => 'SIGINT')]);
  const scheduler = await startScheduler(ctx);
  const where = ctx.config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${ctx.config.dataDir} (one process only: use PostgreSQL to run several)`;
  io.stderr.write(`worker ${process.pid} started: database ${where}, tick "${scheduler.cron}" UTC every ${ctx.config.intervalHours} h, next run ${nextRunAt(ctx.clock.now(), ctx.config.intervalHours, ctx.config.scheduleAnchorMs).toISOString()}\n`);
  io.stderr.write(`worker ${process.pid}: ${await signal}, finishing running jobs\n`);
  await scheduler.stop();
  io.stderr.write(`worker ${process.pid} stopped\n`);
}
