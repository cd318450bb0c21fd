// The signed-in token: in sessionStorage (this tab only, gone when it closes), never in a URL.
import type { Role } from './api-types.ts';

const KEY = 'targeting-optimizer.token';

export interface Session {
  token: string;
  sub: string;
  role: Role | string;
  /** Seconds since the epoch. */
  exp: number;
}

/** Reads the claims for display and for which buttons to show; the server verifies every call. */
export function sessionOf(token: string): Session | null {
  const part = token.split('.')[1];
  if (part === undefined) return null;
  try {
    const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string' || typeof claims.role !== 'string' || typeof claims.exp !== 'number') return null;
    return { token, sub: claims.sub, role: claims.role, exp: claims.exp };
  } catch {
    return null;
  }
}

export function storedSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  const s = token === null ? null : sessionOf(token);
  if (s === null || s.exp * 1000 <= Date.now()) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return s;
}

export function storeSession(s: Session): void {
  sessionStorage.setItem(KEY, s.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export const canWrite = (s: Session) => s.role === 'admin' || s.role === 'manager';
export const isAdmin = (s: Session) => s.role === 'admin';
