import path from 'node:path';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** Opens the configured database (PostgreSQL when a URL is given, else PGlite in dataDir) and migrates it. */
export async function openDatabase(options: { databaseUrl: string | null; dataDir: string; schema?: string }): Promise<Db> {
  const db = options.databaseUrl
    ? await openPostgres({ url: options.databaseUrl, ...(options.schema ? { schema: options.schema } : {}) })
    : await openPglite({ dataDir: path.join(options.dataDir, 'pglite'), ...(options.schema ? { schema: options.schema } : {}) });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
