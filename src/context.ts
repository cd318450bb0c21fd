// The composition root: everything the services need, built once from the configuration. Tests
// pass overrides (a database on their own schema, a fixed clock) instead of mocking modules.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import type { MetaRuntime } from './meta/client.ts';
import type { Db } from './store/db.ts';
import { openDatabase } from './store/open.ts';

export interface Clock {
  now(): Date;
}

/** Where a change came from: the HTTP API (a verified token), the CLI, or the scheduler. */
export type Channel = 'api' | 'cli' | 'scheduler';

/** Who acts: recorded on every run, targeting change and audit row. */
export interface Actor {
  /** The token subject (api), cli:<os user> (cli) or scheduler. */
  id: string;
  /** The token's role (api); null otherwise. */
  role: string | null;
  channel: Channel;
}

/** The API request being served, so that a service writes its audit row inside the change's transaction. */
export interface AuditedRequest {
  requestId: string;
  method: string;
  route: string;
  params: Record<string, unknown>;
  bodySummary: Record<string, unknown>;
  /** Set once a service has written the request's audit row; the API then writes no second one. */
  audited: boolean;
}

export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  newId(): string;
  logger: Logger;
  actor: Actor;
  /** Only in the API's per-request context. */
  request?: AuditedRequest | null;
  /** Sleep, randomness and fetch of the Meta client: tests make retries instant and deterministic. */
  metaRuntime?: Partial<MetaRuntime>;
  /** The end of the work this context serves (a scheduled job's): Meta calls stop when it aborts, and no run starts. */
  signal?: AbortSignal;
  close(): Promise<void>;
}

export interface ContextOverrides {
  db?: Db;
  clock?: Clock;
  newId?: () => string;
  logger?: Logger;
  actor?: Actor;
  metaRuntime?: Partial<MetaRuntime>;
}

export const SCHEDULER_ACTOR: Actor = { id: 'scheduler', role: null, channel: 'scheduler' };

/** The CLI's actor: cli:<the operating-system user running it>. */
export function cliActor(): Actor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the uid still says who.
    name = process.env.USER ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { id: `cli:${name.slice(0, 120)}`, role: null, channel: 'cli' };
}

export function createLogger(config: Config): Logger {
  // Logs go to stderr so that stdout carries only the command's own output (--json documents).
  return pino({ level: config.logLevel, base: undefined, redact: { paths: ['*.access_token', '*.accessToken', '*.authorization', '*.token'], censor: '[redacted]' } }, pino.destination(2));
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const db = overrides.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) }));
  return {
    config,
    db,
    clock: overrides.clock ?? { now: () => new Date() },
    newId: overrides.newId ?? randomUUID,
    logger: overrides.logger ?? createLogger(config),
    actor: overrides.actor ?? cliActor(),
    ...(overrides.metaRuntime ? { metaRuntime: overrides.metaRuntime } : {}),
    async close() {
      if (!overrides.db) await db.close();
    },
  };
}
