// Who may do what, as one pure function of the caller and what the route declares: tested on its
// own (roles.test.ts) and used by the app's auth hook. Routes declare their access level in their
// config; nothing else in the app decides on roles.
import type { ApiRole } from '../config.ts';

/** public: no token; read: any known role (GETs); write: admin and manager (state changes); admin: admin only (undoing changes). */
export type Access = 'public' | 'read' | 'write' | 'admin';

export interface Principal {
  sub: string;
  /** As the token says: a role this service does not know is allowed nothing (403), not an invalid token. */
  role: ApiRole | (string & {});
}

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

const WRITERS: readonly string[] = ['admin', 'manager'] satisfies ApiRole[];
const READERS: readonly string[] = ['admin', 'manager', 'viewer'] satisfies ApiRole[];
const ADMINS: readonly string[] = ['admin'] satisfies ApiRole[];

export function authorize(principal: Principal | null, access: Access): Decision {
  if (access === 'public') return { allowed: true };
  if (principal === null) return { allowed: false, status: 401, reason: 'a Bearer token is required' };
  const allowed = access === 'read' ? READERS : access === 'admin' ? ADMINS : WRITERS;
  if (!allowed.includes(principal.role)) {
    const what = access === 'admin' ? 'do this (admin only)' : access === 'write' ? 'change anything (read-only role)' : 'read this';
    return { allowed: false, status: 403, reason: `role ${principal.role} may not ${what}` };
  }
  return { allowed: true };
}

/** LIVE apply changes real ad sets, so only the configured roles may ask for it. */
export function authorizeLiveApply(principal: Principal, liveApplyRoles: readonly ApiRole[]): Decision {
  if ((liveApplyRoles as readonly string[]).includes(principal.role)) return { allowed: true };
  return { allowed: false, status: 403, reason: `role ${principal.role} may not apply in LIVE mode (allowed: ${liveApplyRoles.join(', ') || 'nobody'})` };
}
