// The composition root: everything the services need, built once from the configuration. Tests
// pass overrides (a database on their own schema, a fixed clock) instead of mocking modules.
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import type { MetaRuntime } from './meta/client.ts';
import type { Db } from './store/db.ts';
import { openDatabase } from './store/open.ts';

export interface Clock {
  now(): Date;
}

export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  newId(): string;
  logger: Logger;
  /** Sleep, randomness and fetch of the Meta client: tests make retries instant and deterministic. */
  metaRuntime?: Partial<MetaRuntime>;
  close(): Promise<void>;
}

export interface ContextOverrides {
  db?: Db;
  clock?: Clock;
  newId?: () => string;
  logger?: Logger;
  metaRuntime?: Partial<MetaRuntime>;
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
    ...(overrides.metaRuntime ? { metaRuntime: overrides.metaRuntime } : {}),
    async close() {
      if (!overrides.db) await db.close();
    },
  };
}
