import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.ts';
import { listMigrations, migrate } from '../src/store/migrate.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';

describe(`store on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies migrations once and is idempotent on the next start', async () => {
    const versions = (await db.query<{ version: number }>('select version from schema_migrations order by version')).map((r) => r.version);
    expect(versions).toEqual(listMigrations().map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
  });

  it('rolls back every write of a failed transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into campaigns (campaign_id, currency, source) values ('rollback-me', 'EUR', 'test')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query(`select * from campaigns where campaign_id = 'rollback-me'`)).toEqual([]);
  });

  it('returns int8 sums as numbers', async () => {
    const rows = await db.query<{ n: number }>('select 9007199254740991::int8 as n');
    expect(rows[0]!.n).toBe(9007199254740991);
  });
});
