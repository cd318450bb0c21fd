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
   * Loads `csv` (COPY's CSV format, no header line) into `target`, a table and its column list such
   * as `insights (date, campaign_id)`, by COPY. Each driver writes the statement its own way: PGlite
   * reads the text as an in-process blob, node-postgres sends it as COPY FROM STDIN on its connection
   * (inside a transaction, the transaction's). Wrappers that intercept queries (tests) may leave it
   * out; callers then keep a plain SQL path.
   */
  copyCsv?(target: string, csv: string): Promise<void>;
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
