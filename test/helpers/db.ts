// Integration tests run on PGlite by default and on the real PostgreSQL when TEST_DATABASE_URL
// is set (CI sets it). Each test file gets its own schema, so files never see each other's rows.
// PGlite takes seconds to initialise, so one in-memory instance is shared by all the files a
// test worker runs (vitest runs them one after another in that worker).
import type { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { type AppContext, createContext } from '../../src/context.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createPgliteInstance, openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { generateStubHistory } from '../../src/services/generate-stub.ts';

let shared: Promise<PGlite> | null = null;

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

export async function openTestDb(): Promise<Db> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let db: Db;
  if (process.env.TEST_DATABASE_URL) {
    db = await openPostgres({ url: process.env.TEST_DATABASE_URL, schema, poolSize: 4 });
  } else {
    shared ??= createPgliteInstance(null);
    db = await openPglite({ instance: await shared, schema });
  }
  await migrate(db);
  return {
    kind: db.kind,
    ...(db.pglite ? { pglite: db.pglite } : {}),
    ...(db.copyCsv ? { copyCsv: (target: string, csv: string) => db.copyCsv!(target, csv) } : {}),
    query: (sql, params) => db.query(sql, params),
    transaction: (work) => db.transaction(work),
    async close() {
      await db.query(`drop schema ${schema} cascade`);
      await db.close();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: '.tmp/test-data', LOG_LEVEL: 'silent', ...env }, process.cwd());
}

export interface TestContext extends AppContext {
  /** Moves the fixed clock. */
  setNow(iso: string): void;
}

export async function openTestContext(env: Record<string, string> = {}, now = '2026-11-20T08:00:00Z'): Promise<TestContext> {
  const db = await openTestDb();
  let current = new Date(now);
  const ctx = await createContext(testConfig(env), { db, clock: { now: () => current }, logger: pino({ level: 'silent' }) });
  return {
    ...ctx,
    async close() {
      await db.close();
    },
    setNow(iso: string) {
      current = new Date(iso);
    },
  };
}

/** A test context holding one stub campaign's history (30 days, seed 11 unless told): the usual start of a run test. */
export async function openStubCampaignContext(options: { seed?: number; days?: number } = {}): Promise<{ ctx: TestContext; campaignId: string }> {
  const ctx = await openTestContext();
  const report = await generateStubHistory(ctx, { campaigns: 1, days: options.days ?? 30, seed: options.seed ?? 11 });
  return { ctx, campaignId: report.campaigns[0]!.campaign_id };
}

/**
 * Two stores of their own: `ctx`, and `other` seen as `readFirst`, a store without COPY (Db.copyCsv),
 * on which a canonical import reads the file whole first and writes the rows after.
 */
export async function openStreamedAndReadFirst(): Promise<{ ctx: TestContext; other: TestContext; readFirst: AppContext }> {
  const ctx = await openTestContext();
  const other = await openTestContext();
  const { copyCsv: _unused, ...db } = other.db;
  return { ctx, other, readFirst: { ...other, db } };
}

/**
 * A database whose queries matching `pattern` fail, inside transactions too: to prove a change and its
 * rows land together. Its COPY (matched as `copy TARGET`) is kept, so an import takes the same path.
 */
export function failingOn(db: Db, pattern: RegExp): Db {
  const injected = () => Promise.reject(new Error('injected failure'));
  const wrap = (inner: Db): Db => ({
    kind: inner.kind,
    close: () => inner.close(),
    query: (sql, params) => (pattern.test(sql) ? injected() : inner.query(sql, params)),
    transaction: (work) => inner.transaction((tx) => work(wrap(tx))),
    ...(inner.copyCsv ? { copyCsv: (target: string, csv: string) => (pattern.test(`copy ${target}`) ? injected() : inner.copyCsv!(target, csv)) } : {}),
  });
  return wrap(db);
}
