import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteInstance, DatabaseInUseError, openPglite } from '../src/store/pglite.ts';
import { usingPostgres } from './helpers/db.ts';

// On the embedded database whatever TEST_DATABASE_URL says: the PostgreSQL pass would only repeat it.
describe.skipIf(usingPostgres)('the embedded database is used by one process at a time', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'pglite-lock-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses to open a folder that a live process holds, naming the process', async () => {
    const dir = path.join(root, 'held');
    writeFileSync(`${dir}.lock`, String(process.ppid));
    const error = await createPgliteInstance(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseInUseError);
    expect(String(error)).toContain(`process ${process.ppid}`);
    expect(String(error)).toContain('DATABASE_URL');
  });

  it('takes over the lock of a process that is gone, and releases it on close', async () => {
    const dir = path.join(root, 'stale');
    writeFileSync(`${dir}.lock`, '2147483646'); // no such process
    const db = await openPglite({ dataDir: dir });
    expect((await db.query<{ one: number }>('select 1 as one'))[0]!.one).toBe(1);
    await db.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
