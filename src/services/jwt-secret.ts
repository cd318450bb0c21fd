// The embedded default's signing secret: with no JWT_SECRET and no public key configured, a random
// 256-bit secret is generated once into DATA_DIR/jwt-secret (mode 0600) and reused, so tokens made
// by `targeting-optimizer token` keep working across restarts without any configuration.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function embeddedSecretPath(dataDir: string): string {
  return path.join(dataDir, 'jwt-secret');
}

export function loadOrCreateEmbeddedSecret(dataDir: string): string {
  const file = embeddedSecretPath(dataDir);
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' fails if another process created the file meanwhile; then that one's secret wins.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret (under 32 characters); delete it to generate a new one`);
  return secret;
}
