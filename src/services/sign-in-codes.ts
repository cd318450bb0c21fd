// One-time sign-in codes for the dashboard: `start` prints a link carrying one in the URL fragment
// (never sent to the server, so never in an access log); the page exchanges it once for a token
// and removes it from the address bar. A code lives in this process only, for CODE_TTL_MS, and is
// gone after its first use, so a link copied from a terminal's scrollback later signs nobody in.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiRole } from '../config.ts';
import type { Clock } from '../context.ts';

export const CODE_TTL_MS = 15 * 60_000;

interface Pending {
  code: Buffer;
  sub: string;
  role: ApiRole;
  expiresAt: number;
}

const pending: Pending[] = [];

export function issueSignInCode(clock: Clock, who: { sub: string; role: ApiRole }): string {
  const code = randomBytes(32);
  dropExpired(clock.now().getTime());
  pending.push({ code, sub: who.sub, role: who.role, expiresAt: clock.now().getTime() + CODE_TTL_MS });
  return code.toString('base64url');
}

/** Who the code was issued for, once; null for an unknown, used or expired code. */
export function redeemSignInCode(clock: Clock, text: string): { sub: string; role: ApiRole } | null {
  dropExpired(clock.now().getTime());
  const given = Buffer.from(text, 'base64url');
  const i = pending.findIndex((p) => p.code.length === given.length && timingSafeEqual(p.code, given));
  if (i < 0) return null;
  const [found] = pending.splice(i, 1);
  return { sub: found!.sub, role: found!.role };
}

function dropExpired(now: number): void {
  for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.expiresAt <= now) pending.splice(i, 1);
}
