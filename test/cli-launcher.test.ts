// The installed command (bin/targeting-optimizer.mjs) run as a user runs it: from another directory,
// by the system's Node (often 20, which cannot load TypeScript), with a `.env` in that directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usingPostgres } from './helpers/db.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const launcher = path.join(repo, 'bin', 'targeting-optimizer.mjs');

/** A Node older than 24 on this machine (the case the launcher exists for), or null. */
function olderNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)/.exec(version)?.[1]) < 24) return candidate;
  }
  return null;
}
const oldNode = olderNode();
if (oldNode === null) console.log('cli-launcher: no Node older than 24 at /usr/bin, /usr/local/bin or /bin; the launcher runs on this Node 24 only');
const nodes = [process.execPath, ...(oldNode ? [oldNode] : [])];

const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.trim().split('.')[1]!, 'base64url').toString('utf8')) as { iss?: string; sub?: string };
const cleanEnv = (extra: Record<string, string> = {}) => {
  // The test runner's own variables must not leak into the child's configuration.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'silent' };
  return { ...env, ...extra };
};

// On the embedded database whatever TEST_DATABASE_URL says: the PostgreSQL pass would only repeat it.
describe.skipIf(usingPostgres)('the targeting-optimizer command', () => {
  for (const node of nodes) {
    const label = `${path.basename(path.dirname(path.dirname(node)))}/${path.basename(node)} ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`;

    it(`runs from another directory on ${label}, forwarding arguments, output and exit code`, () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'launcher-'));
      const help = spawnSync(node, [launcher, '--help'], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(help.stderr).toBe('');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage: targeting-optimizer <command>/);
      const bad = spawnSync(node, [launcher, 'no-such-command'], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('unknown command "no-such-command"');
    });

    it(`reads .env from the working directory on ${label}, and the environment wins over it`, () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'launcher-env-'));
      writeFileSync(path.join(cwd, '.env'), `JWT_SECRET=${randomBytes(32).toString('base64url')}\nJWT_ISSUER=from-dotenv\n`);
      const fromFile = spawnSync(node, [launcher, 'token', '--role', 'viewer', '--sub', 'ana'], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(fromFile.stderr).toBe('');
      expect(payload(fromFile.stdout)).toMatchObject({ iss: 'from-dotenv', sub: 'ana' });
      const fromEnv = spawnSync(node, [launcher, 'token', '--role', 'viewer', '--sub', 'ana'], { cwd, env: cleanEnv({ JWT_ISSUER: 'from-env' }), encoding: 'utf8', timeout: 60_000 });
      expect(payload(fromEnv.stdout).iss).toBe('from-env');
    });
  }

  it.skipIf(oldNode === null)('names the Node it needs when the pinned Node is not installed', () => {
    // A copy of the launcher outside the checkout: no node_modules/node to find.
    const dir = mkdtempSync(path.join(tmpdir(), 'launcher-bare-'));
    mkdirSync(path.join(dir, 'bin'));
    copyFileSync(launcher, path.join(dir, 'bin', 'targeting-optimizer.mjs'));
    const res = spawnSync(oldNode!, [path.join(dir, 'bin', 'targeting-optimizer.mjs'), '--help'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/needs Node\.js 24 or later/);
    expect(res.stderr).toContain('npm ci');
  });
});
