// Shared set-up of the API tests: an app on a test database (PGlite, or PostgreSQL when
// TEST_DATABASE_URL is set), known HS256 keys, and tokens of every kind the security tests need.
import { Writable } from 'node:stream';
import { SignJWT, UnsecuredJWT } from 'jose';
import pino from 'pino';
import { buildApp } from '../../src/api/app.ts';
import type { AuthKeys } from '../../src/services/tokens.ts';
import type { ApiInstance } from '../../src/api/types.ts';
import type { ApiRole } from '../../src/config.ts';
import { openTestContext, type TestContext } from '../helpers/db.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const NOW = '2026-11-20T08:00:00Z';

export function testKeys(secret = TEST_SECRET): AuthKeys {
  return { algorithm: 'HS256', key: new TextEncoder().encode(secret), signingSecret: secret };
}

export interface ApiHarness {
  ctx: TestContext;
  app: ApiInstance;
  close(): Promise<void>;
}

/** An app on a fresh test database; `onLog` receives every log line (JSON) when given. */
export async function openApi(env: Record<string, string> = {}, onLog?: (line: string) => void): Promise<ApiHarness> {
  const ctx = await openTestContext(env, NOW);
  if (onLog !== undefined) {
    ctx.logger = pino({ level: ctx.config.logLevel }, new Writable({ write(chunk: Buffer, _enc, done) { for (const line of chunk.toString().split('\n')) if (line !== '') onLog(line); done(); } }));
  }
  const app = await buildApp(ctx, { keys: testKeys(), docsUi: true });
  await app.ready();
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

const nowSeconds = () => Math.floor(new Date(NOW).getTime() / 1000);

export async function token(role: ApiRole | string = 'manager', options: { sub?: string; secret?: string; expiresIn?: number; alg?: 'HS256' | 'HS512' } = {}): Promise<string> {
  const iat = nowSeconds();
  return new SignJWT({ role })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject(options.sub ?? `user-${role}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** The kinds of bad credentials every protected route must refuse with 401. */
export async function badTokens(): Promise<Record<string, string>> {
  const iat = nowSeconds();
  return {
    'bad signature': await token('admin', { secret: 'another-secret-0123456789abcdefghijklmnop' }),
    expired: await token('admin', { expiresIn: -3600 }),
    'alg none': new UnsecuredJWT({ role: 'admin' }).setSubject('mallory').setIssuedAt(iat).setExpirationTime(iat + 3600).encode(),
    'wrong algorithm (HS512)': await token('admin', { alg: 'HS512' }),
    'not a JWT': 'abc.def.ghi',
  };
}

export const auth = (t: string) => ({ authorization: `Bearer ${t}` });
