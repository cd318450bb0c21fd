// Bearer JWT verification (jose). One key source, from the configuration: an HS256 secret
// (JWT_SECRET, or the embedded default's generated secret), an RS256 PEM public key, or a JWKS URL.
// Only the expected algorithm is accepted, so `alg: none` and algorithm-confusion tokens fail.
// Every failure is the same short 401 message: which check failed is logged, never answered.
// Key resolution and signing live in services/tokens.ts, which the `token` command uses too.
import { jwtVerify } from 'jose';
import type { ApiConfig } from '../config.ts';
import type { Clock } from '../context.ts';
import { type AuthKeys, isReservedActor } from '../services/tokens.ts';
import type { Principal } from './roles.ts';


export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: string };

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<VerifyResult>;
}

// 8 KiB: far above any real token (ours are ~200 bytes), small enough that a huge header is cheap to refuse.
const MAX_TOKEN_LENGTH = 8192;

// A verified token is remembered for at most 60 s (and never past its exp), keyed by its full text:
// verifying an HS256 token costs ~50 us, a tenth of a cached read request's time. 60 s bounds how
// long a key removed from a JWKS keeps accepting tokens already seen. 10,000 entries ~ 3 MB.
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

export function createTokenVerifier(keys: AuthKeys, api: Pick<ApiConfig, 'jwtIssuer' | 'jwtAudience'>, clock: Clock): TokenVerifier {
  const verified = new Map<string, { principal: Principal; until: number }>();
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization === '') return { ok: false, reason: 'missing' };
      // The scheme is case-insensitive (RFC 9110 section 11.1): "bearer" and "BEARER" are Bearer.
      const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization);
      if (!match || match[1]!.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'not a Bearer token' };
      const now = clock.now().getTime();
      const known = verified.get(match[1]!);
      if (known !== undefined && now < known.until) return { ok: true, principal: known.principal };
      if (known !== undefined) verified.delete(match[1]!);
      try {
        const options = {
          algorithms: [keys.algorithm],
          currentDate: clock.now(),
          requiredClaims: ['sub', 'exp'],
          // A few seconds of clock skew between the issuer and this server.
          clockTolerance: 5,
          ...(api.jwtIssuer !== null ? { issuer: api.jwtIssuer } : {}),
          ...(api.jwtAudience !== null ? { audience: api.jwtAudience } : {}),
        };
        const { payload } = typeof keys.key === 'function' ? await jwtVerify(match[1]!, keys.key, options) : await jwtVerify(match[1]!, keys.key, options);
        const role = payload.role;
        if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 256) return { ok: false, reason: 'bad sub claim' };
        // The actors of the CLI and the scheduler are reserved: no token may pass for them in the audit trail.
        if (isReservedActor(payload.sub)) return { ok: false, reason: 'reserved sub claim' };
        // A missing role is a malformed token (401); an unknown one is a valid token allowed nothing (403, roles.ts).
        if (typeof role !== 'string' || role.length > 64) return { ok: false, reason: 'bad role claim' };
        const principal: Principal = { sub: payload.sub, role };
        if (verified.size >= VERIFIED_MAX) verified.clear();
        verified.set(match[1]!, { principal, until: Math.min(now + VERIFIED_TTL_MS, (payload.exp ?? 0) * 1000) });
        return { ok: true, principal };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? (error as Error & { code?: string }).code ?? error.name : 'invalid' };
      }
    },
  };
}
