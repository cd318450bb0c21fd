import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { assertSchemaName, type Db, type SqlValue } from './db.ts';

// node-postgres returns int8 and numeric as strings to protect precision. Every amount we store
// is an integer well under 2^53 (minor units), and queries cast sums to float8 or int8 explicitly,
// so int8 is parsed to a number here once rather than at every call site.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
  return n;
});

/**
 * COPY FROM STDIN on `client`: the text goes to the server in the protocol's CopyData messages,
 * parsed there as PGlite parses its blob. Resolves once the server has taken every row (the
 * stream finishes after its ReadyForQuery); a row the table refuses rejects, as an insert would.
 */
async function copyCsvOn(client: pg.PoolClient, target: string, csv: string): Promise<void> {
  const stream = client.query(copyFromStdin(`copy ${target} from stdin with (format csv)`));
  stream.end(csv);
  await finished(stream);
}

function wrapClient(client: pg.PoolClient): Db {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as T[];
    },
    async copyCsv(target: string, csv: string) {
      await copyCsvOn(client, target, csv);
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
    async copyCsv(target: string, csv: string) {
      const client = await pool.connect();
      try {
        await copyCsvOn(client, target, csv);
      } finally {
        client.release();
      }
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
