import { parseArgs } from 'node:util';
import { onShutdown, startServer } from '../api/server.ts';
import type { AppContext } from '../context.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { type CliIo, printLines } from './io.ts';

export const usage = 'serve';

/**
 * Serves the HTTP API on HOST:PORT until SIGTERM or SIGINT, then shuts down gracefully (see
 * api/server.ts); the database is closed by main once this returns.
 */
export async function serveCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  parseArgs({ args, options: {}, strict: true, allowPositionals: false });
  // The scheduler (when META_TARGETING_ENABLED) runs in the server process too; on SIGTERM its
  // stop runs after the HTTP server has closed: no new job, the running one finishes.
  const scheduler = await startScheduler(ctx);
  const unregister = onShutdown(() => scheduler.stop());
  const server = await startServer(ctx).catch(async (error: unknown) => {
    unregister();
    await scheduler.stop();
    throw error;
  });
  // stdout carries only this line; the per-request JSON log lines go to stderr.
  printLines(io, [`Targeting optimizer API listening on ${server.url} (OpenAPI UI at ${server.url}/docs). Stop with Ctrl-C or SIGTERM.`]);
  await server.closed;
  unregister();
}
