import { describe, expect, it } from 'vitest';
import { authorize, authorizeLiveApply } from './roles.ts';

describe('authorize', () => {
  it('lets anyone reach public routes', () => {
    expect(authorize(null, 'public')).toEqual({ allowed: true });
  });
  it('needs a token for read and write routes', () => {
    expect(authorize(null, 'read')).toMatchObject({ allowed: false, status: 401 });
    expect(authorize(null, 'write')).toMatchObject({ allowed: false, status: 401 });
  });
  it('lets every role read and only admin and manager write', () => {
    for (const role of ['admin', 'manager', 'viewer'] as const) expect(authorize({ sub: 'a', role }, 'read').allowed).toBe(true);
    expect(authorize({ sub: 'a', role: 'admin' }, 'write').allowed).toBe(true);
    expect(authorize({ sub: 'a', role: 'manager' }, 'write').allowed).toBe(true);
    expect(authorize({ sub: 'a', role: 'viewer' }, 'write')).toMatchObject({ allowed: false, status: 403 });
  });
  it('lets only admin reach admin routes (approvals, rollback)', () => {
    expect(authorize(null, 'admin')).toMatchObject({ allowed: false, status: 401 });
    expect(authorize({ sub: 'a', role: 'admin' }, 'admin').allowed).toBe(true);
    expect(authorize({ sub: 'a', role: 'manager' }, 'admin')).toMatchObject({ allowed: false, status: 403, reason: 'role manager may not do this (admin only)' });
    expect(authorize({ sub: 'a', role: 'viewer' }, 'admin')).toMatchObject({ allowed: false, status: 403 });
  });
  it('allows an unknown role nothing', () => {
    expect(authorize({ sub: 'a', role: 'guest' }, 'read')).toMatchObject({ allowed: false, status: 403 });
    expect(authorize({ sub: 'a', role: 'Admin' }, 'write')).toMatchObject({ allowed: false, status: 403 });
  });
});

describe('authorizeLiveApply', () => {
  it('allows exactly the configured roles', () => {
    expect(authorizeLiveApply({ sub: 'a', role: 'admin' }, ['admin']).allowed).toBe(true);
    expect(authorizeLiveApply({ sub: 'a', role: 'manager' }, ['admin'])).toMatchObject({ allowed: false, status: 403 });
    expect(authorizeLiveApply({ sub: 'a', role: 'viewer' }, [])).toMatchObject({ allowed: false, status: 403 });
  });
});
