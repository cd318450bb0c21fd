// The only place that listens. SIGTERM/SIGINT close Fastify gracefully (no new connections,
// in-flight requests finish), then the registered shutdown callbacks run in reverse order of
// registration (the scheduler registers its stop here), then startServer's `closed` resolves and
// the caller closes the database.
import type { AppContext } from '../context.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import type { ApiInstance } from './types.ts';

export type ShutdownCallback = () => void | Promise<void>;

const shutdownCallbacks: ShutdownCallback[] = [];

/** Registers work to do on shutdown, after the HTTP server has closed. Returns an unregister function. */
export function onShutdown(callback: ShutdownCallback): () => void {
  shutdownCallbacks.push(callback);
  return () => {
    const i = shutdownCallbacks.indexOf(callback);
    if (i >= 0) shutdownCallbacks.splice(i, 1);
  };
}

export interface RunningServer {
  app: ApiInstance;
  /** http://host:port actually bound (PORT=0 picks a free port). */
  url: string;
  /** Closes the server and runs the shutdown callbacks; safe to call more than once. */
  close(): Promise<void>;
  /** Resolves once the server has closed and every shutdown callback has run. */
  closed: Promise<void>;
}

export interface StartServerOptions extends BuildAppOptions {
  host?: string;
  port?: number;
  /** Install SIGTERM/SIGINT handlers (default true; tests and benchmarks turn them off). */
  handleSignals?: boolean;
  /** Extra shutdown callbacks for this server only (run after the registered ones). */
  onShutdown?: ShutdownCallback[];
}

export async function startServer(ctx: AppContext, options: StartServerOptions = {}): Promise<RunningServer> {
  const app = await buildApp(ctx, { processMetrics: true, ...options });
  const host = options.host ?? ctx.config.api.host;
  const port = options.port ?? ctx.config.api.port;
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | null = null;
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    ctx.logger.warn({ signal }, 'shutting down');
    void close();
  };
  const close = () => {
    closing ??= (async () => {
      if (options.handleSignals ?? true) for (const s of signals) process.off(s, onSignal);
      try {
        await app.close();
      } catch (error) {
        ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'closing the HTTP server failed');
      }
      for (const callback of [...shutdownCallbacks].reverse().concat(options.onShutdown ?? [])) {
        try {
          await callback();
        } catch (error) {
          ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'a shutdown callback failed');
        }
      }
      resolveClosed();
    })();
    return closing;
  };
  if (options.handleSignals ?? true) for (const s of signals) process.on(s, onSignal);
  return { app, url, close, closed };
}
