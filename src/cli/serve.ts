import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { startScheduler } from '../jobs/scheduler.ts';
import { UnavailableError } from '../services/errors.ts';
import { CODE_TTL_MS, issueSignInCode } from '../services/sign-in-codes.ts';
import { type CliIo, printLines } from './io.ts';

export const usage = 'serve';

/**
 * The HTTP API as the CLI sees it. The CLI does not import the API (they are two outlets over the
 * services): the composition root (bin/targeting-optimizer.ts) hands api/server.ts in through
 * main's options.
 */
export interface HttpOutlet {
  start(ctx: AppContext): Promise<{ url: string; closed: Promise<void> }>;
  /** Registers work to run after the HTTP server has closed; returns an unregister function. */
  onShutdown(callback: () => void | Promise<void>): () => void;
}

/** What main hands every command beside its context: outlets composed from outside the CLI. */
export interface Outlets {
  http: HttpOutlet | null;
}

/**
 * Serves the HTTP API on HOST:PORT until SIGTERM or SIGINT, then shuts down gracefully (see
 * api/server.ts); the database is closed by main once this returns.
 */
export async function serveCommand(ctx: AppContext, args: string[], io: CliIo, outlets: Outlets, options: { signInLink?: boolean } = {}): Promise<void> {
  parseArgs({ args, options: {}, strict: true, allowPositionals: false });
  const http = outlets.http;
  if (http === null) throw new UnavailableError('this entry point has no HTTP API: run bin/targeting-optimizer (npx targeting-optimizer serve)');
  // The scheduler (when META_TARGETING_ENABLED) runs in the server process too; on SIGTERM its
  // stop runs after the HTTP server has closed: no new job, the running one finishes.
  const scheduler = await startScheduler(ctx);
  const unregister = http.onShutdown(() => scheduler.stop());
  const server = await http.start(ctx).catch(async (error: unknown) => {
    unregister();
    await scheduler.stop();
    throw error;
  });
  // stdout carries only this line; the per-request JSON log lines go to stderr.
  const lines = [`Targeting optimizer API listening on ${server.url} (dashboard at ${server.url}/, OpenAPI UI at ${server.url}/docs). Stop with Ctrl-C or SIGTERM.`];
  if (options.signInLink === true) {
    // The code rides in the fragment, which browsers never send: it stays out of every access log.
    const code = issueSignInCode(ctx.clock, { sub: 'local-admin', role: 'admin' });
    lines.push(`Dashboard sign-in (admin, works once, for ${CODE_TTL_MS / 60_000} minutes): ${server.url}/#sign-in=${code}`);
  }
  printLines(io, lines);
  await server.closed;
  unregister();
}
