// npm's `prepare` (runs on `npm ci` and `npm install` in a checkout): builds the dashboard into
// web/dist, which the API serves at /. An install without dev dependencies (no Vite) skips the
// build and says so; the server then answers / with how to build it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('vite/package.json');
} catch {
  console.warn('targeting-optimizer: Vite is not installed (dev dependencies omitted): the dashboard is not built; `npm run build:web` builds it.');
  process.exit(0);
}
const result = spawnSync('npm', ['run', '-s', 'build:web'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
