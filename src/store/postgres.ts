import pg from 'pg';
import { assertSchemaName, type Db, type SqlValue } from './db.ts';

// node-postgres returns int8 and numeric as strings to protect precision. Every amount we store
// is an integer well under 2^53 (minor units), and queries cast sums to float8 or int8 explicitly,
// so int8 is parsed to a number here once rather than at every call site.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
  return n;
});

function wrapClient(client: pg.PoolClient): Db {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as T[];
    },
    async transaction<T>(work: (tx: Db) => Promise<T>) {
      return work(this); // nested: join the outer transaction
    },
    async close() {},
  };
}

export async function openPostgres(options: { url: string; schema?: string; poolSize?: number }): Promise<Db> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  await pool.query(`create schema if not exists ${schema}`);
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: readonly SqlValue[] = []) {
      const result = await pool.query(sql, params as unknown[]);
      return result.rows as T[];
    },
    async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(wrapClient(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
