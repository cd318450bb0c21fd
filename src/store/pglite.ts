import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { assertSchemaName, type Db, type SqlValue } from './db.ts';

// One PGlite instance is a single connection. Tests share one instance per worker with a schema
// per test file, so the search_path is set whenever the schema in use changes (tracked here per
// instance) instead of once at open.
const currentSchema = new WeakMap<PGlite, string>();

type Queryable = PGlite | Transaction;

async function useSchema(pg: PGlite, q: Queryable, schema: string): Promise<void> {
  if (currentSchema.get(pg) === schema) return;
  await q.query(`set search_path to ${schema}`);
  currentSchema.set(pg, schema);
}

function wrap(pg: PGlite, q: Queryable, schema: string, ownsInstance: boolean): Db {
  return {
    kind: 'pglite',
    pglite: pg,
    async query<T>(sql: string, params: readonly SqlValue[] = []) {
      await useSchema(pg, q, schema);
      const result = await q.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      if (q !== pg) return work(wrap(pg, q, schema, false)); // already inside one: join it
      await useSchema(pg, pg, schema);
      return pg.transaction((tx) => work(wrap(pg, tx, schema, false)));
    },
    async close() {
      if (ownsInstance) await pg.close();
    },
  };
}

export async function createPgliteInstance(dataDir: string | null): Promise<PGlite> {
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir === null ? new PGlite() : new PGlite(dataDir);
  await pg.waitReady;
  return pg;
}

export async function openPglite(options: { dataDir?: string | null; instance?: PGlite; schema?: string }): Promise<Db> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const pg = options.instance ?? (await createPgliteInstance(options.dataDir ?? null));
  await pg.query(`create schema if not exists ${schema}`);
  currentSchema.delete(pg);
  return wrap(pg, pg, schema, options.instance === undefined);
}
