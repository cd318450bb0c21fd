// The store's database port: the three things every query module needs. PGlite (embedded,
// the default) and node-postgres (DATABASE_URL) both sit behind it, so one schema and one set
// of queries serve both, as in pg-boss's executeSql port.

import type { PGlite } from '@electric-sql/pglite';

export type SqlValue = string | number | boolean | null | Date | readonly (string | number | boolean | null)[] | Record<string, unknown>;

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs `work` in one transaction: all its writes land together or none do. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
  /** The embedded instance behind a `pglite` Db: pg-boss runs its job tables on the same one (fromPglite). */
  readonly pglite?: PGlite;
  /**
   * Runs a `COPY … FROM '/dev/blob'` statement with `data` as its input. Only the embedded driver
   * has it (PGlite reads the blob in-process); callers keep a plain SQL path for the other.
   */
  copyFrom?(sql: string, data: string): Promise<void>;
}

/** Schema names are interpolated into SQL, so they are restricted to plain identifiers. */
export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  return schema;
}

/** The database of a command that needs none (token, backtest): any use is a defect, said plainly. */
export function noDatabase(): Db {
  const refuse = (): never => {
    throw new Error('this command does not use the database');
  };
  return { kind: 'pglite', query: async () => refuse(), transaction: async () => refuse(), close: async () => {} };
}
