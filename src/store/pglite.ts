import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    async copyCsv(target: string, csv: string) {
      await useSchema(pg, q, schema);
      await q.query(`copy ${target} from '/dev/blob' with (format csv)`, [], { blob: new Blob([csv]) });
    },
    async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      if (q !== pg) return work(wrap(pg, q, schema, false)); // already inside one: join it
      await useSchema(pg, pg, schema);
      return pg.transaction((tx) => work(wrap(pg, tx, schema, false)));
    },
    async close() {
      if (ownsInstance) await closeInstance(pg);
    },
  };
}

/** Another live process has the embedded database open. */
export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid} (a running \`npm start\`, \`serve\` or \`worker\`); ` +
        'stop it first, or use PostgreSQL (DATABASE_URL) to run several processes on one database',
    );
    this.name = 'DatabaseInUseError';
  }
}

// PGlite is one Postgres backend inside this process: two processes opening the same folder would
// each write its files without knowing of the other and corrupt it. A lock file with the owner's
// pid keeps the folder to one process; a lock whose process is gone (a crash) is taken over.
const locks = new WeakMap<PGlite, string>();

function acquireLock(dataDir: string): string {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new DatabaseInUseError(dataDir, owner);
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function createPgliteInstance(dataDir: string | null): Promise<PGlite> {
  if (dataDir === null) {
    const pg = new PGlite();
    await pg.waitReady;
    return pg;
  }
  mkdirSync(dataDir, { recursive: true });
  const lockFile = acquireLock(dataDir);
  try {
    const pg = new PGlite(dataDir);
    await pg.waitReady;
    locks.set(pg, lockFile);
    return pg;
  } catch (error) {
    rmSync(lockFile, { force: true });
    throw error;
  }
}

async function closeInstance(pg: PGlite): Promise<void> {
  await pg.close();
  const lockFile = locks.get(pg);
  if (lockFile) rmSync(lockFile, { force: true });
}

export async function openPglite(options: { dataDir?: string | null; instance?: PGlite; schema?: string }): Promise<Db> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const pg = options.instance ?? (await createPgliteInstance(options.dataDir ?? null));
  await pg.query(`create schema if not exists ${schema}`);
  currentSchema.delete(pg);
  return wrap(pg, pg, schema, options.instance === undefined);
}
