// The `worker` command itself: refusals in-process, and a real process on the embedded database
// that stops with exit code 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Db } from '../../src/store/db.ts';
import { openTestDb, usingPostgres } from '../helpers/db.ts';

async function cli(db: Db, argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { env: { LOG_LEVEL: 'silent', ...env }, io: { stdout, stderr, progressTty: false }, overrides: { db } });
  return { code, stderr: err };
}

describe('worker command', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('refuses to run when the scheduler is disabled, naming the variable (exit 2)', async () => {
    const r = await cli(db, ['worker'], { META_TARGETING_ENABLED: 'false' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('META_TARGETING_ENABLED');
  });

  it('takes no arguments (exit 2)', async () => {
    const r = await cli(db, ['worker', '--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/worker takes no arguments/);
  });
});

describe.skipIf(usingPostgres)('worker process on the embedded database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'targeting-worker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, and on SIGTERM stops gracefully with exit code 0', async () => {
    const child = spawn(process.execPath, [path.resolve('bin/targeting-optimizer.ts'), 'worker'], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exit = once(child, 'exit');
    const end = Date.now() + 45_000;
    while (!/ started: database PGlite/.test(stderr)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`worker did not start:\n${stderr}`);
      await sleep(100);
    }
    child.kill('SIGTERM');
    const [code] = await exit;
    expect(code).toBe(0);
    expect(stderr).toMatch(/SIGTERM, finishing running jobs\n.* stopped\n/);
  });
});
