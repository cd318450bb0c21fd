// A LIVE-mode context against a fake Graph API: its own database, an injected clock, a captured
// log and the client's waits recorded instead of slept.
import { Writable } from 'node:stream';
import pino from 'pino';
import { createContext, type AppContext } from '../../src/context.ts';
import type { FakeGraphApi } from '../../src/meta/fake-graph-api.ts';
import type { Db } from '../../src/store/db.ts';
import { openTestDb, testConfig } from './db.ts';

export const TOKEN = 'EAAzzTOKENrecognisable0987654321abcdef';

export interface Harness {
  ctx: AppContext;
  db: Db;
  logs: string[];
  sleeps: number[];
  /** Moves the context's clock. */
  setNow(iso: string): void;
  close(): Promise<void>;
}

export async function harness(fake: FakeGraphApi, origin: string, env: Record<string, string> = {}, now = '2026-11-20T08:00:00Z'): Promise<Harness> {
  const db = await openTestDb();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const sleeps: number[] = [];
  let clock = new Date(now);
  const config = testConfig({ META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN, ...env });
  const ctx = await createContext(config, {
    db,
    clock: { now: () => clock },
    logger: pino({ level: 'debug' }, sink),
    metaRuntime: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
  return { ctx, db, logs, sleeps, setNow: (iso) => void (clock = new Date(iso)), close: () => db.close() };
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await db.query<{ n: number }>(sql, params as never);
  return Number(rows[0]!.n);
}

