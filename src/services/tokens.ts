// API tokens below both outlets: the key material the configuration names (verification in the
// API, signing in the `token` command), the lifetime syntax, and the actor names no token may take.
import { createRemoteJWKSet, importSPKI, type JWTVerifyGetKey, type KeyObject, SignJWT } from 'jose';
import type { ApiConfig, ApiRole } from '../config.ts';
import { loadOrCreateEmbeddedSecret } from './jwt-secret.ts';

type Key = Uint8Array | KeyObject | Awaited<ReturnType<typeof importSPKI>> | JWTVerifyGetKey;

export interface AuthKeys {
  algorithm: 'HS256' | 'RS256';
  key: Key;
  /** The HS256 secret when tokens can be signed here (the `token` command, tests). */
  signingSecret: string | null;
}

/** The key material the configuration names; the embedded secret is created on first use. */
export async function resolveAuthKeys(api: ApiConfig, dataDir: string): Promise<AuthKeys> {
  if (api.jwtPublicKey !== null) return { algorithm: 'RS256', key: await importSPKI(api.jwtPublicKey, 'RS256'), signingSecret: null };
  if (api.jwtJwksUrl !== null) return { algorithm: 'RS256', key: createRemoteJWKSet(new URL(api.jwtJwksUrl)), signingSecret: null };
  const secret = api.jwtSecret ?? loadOrCreateEmbeddedSecret(dataDir);
  return { algorithm: 'HS256', key: new TextEncoder().encode(secret), signingSecret: secret };
}

/** Actor names that only the CLI (cli:<user>) and the scheduler use. */
export function isReservedActor(sub: string): boolean {
  return sub === 'scheduler' || sub.toLowerCase().startsWith('cli:');
}

/** Parses a lifetime such as 30m, 8h, 7d or 3600 (seconds). */
export function parseTtlSeconds(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`--ttl: must look like 30m, 8h, 7d or 3600, got ${JSON.stringify(text)}`);
  const seconds = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[m[2]!]!;
  // A year: longer-lived tokens belong in a secret manager, not a shell history.
  if (seconds < 1 || seconds > 366 * 86_400) throw new Error(`--ttl: must be between 1 second and 366 days, got ${JSON.stringify(text)}`);
  return seconds;
}

export async function signToken(secret: string, claims: { sub: string; role: ApiRole; ttlSeconds: number; issuer: string | null; audience: string | null }, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  let jwt = new SignJWT({ role: claims.role }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(claims.sub).setIssuedAt(iat).setExpirationTime(iat + claims.ttlSeconds);
  if (claims.issuer !== null) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== null) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
