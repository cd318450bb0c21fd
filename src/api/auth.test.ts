import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createTokenVerifier } from './auth.ts';
import { parseTtlSeconds, resolveAuthKeys, signToken } from '../services/tokens.ts';

const now = new Date('2026-11-20T08:00:00Z');
const clock = { now: () => now };
const none = { jwtIssuer: null, jwtAudience: null };
const secret = 'k7Qz-2mXp9Lr_4vTb8Nw1Hc6Ys3Jd5Fg0Ae';

describe('token verification', () => {
  it('accepts an HS256 token of ours and reads sub and role', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    const jwt = await signToken(secret, { sub: 'alice', role: 'manager', ttlSeconds: 60, issuer: null, audience: null }, now);
    expect(await createTokenVerifier(keys, none, clock).verify(`Bearer ${jwt}`)).toEqual({ ok: true, principal: { sub: 'alice', role: 'manager' } });
  });

  it('refuses a token past its expiry (beyond 5 s of skew) and one without exp', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    const jwt = await signToken(secret, { sub: 'alice', role: 'admin', ttlSeconds: 60, issuer: null, audience: null }, now);
    const later = createTokenVerifier(keys, none, { now: () => new Date(now.getTime() + 66_000) });
    expect((await later.verify(`Bearer ${jwt}`)).ok).toBe(false);
    const noExp = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(new TextEncoder().encode(secret));
    expect((await createTokenVerifier(keys, none, clock).verify(`Bearer ${noExp}`)).ok).toBe(false);
  });

  it('remembers a verified token but never past its exp', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    let t = now.getTime();
    const verifier = createTokenVerifier(keys, none, { now: () => new Date(t) });
    const jwt = await signToken(secret, { sub: 'alice', role: 'admin', ttlSeconds: 30, issuer: null, audience: null }, now);
    expect((await verifier.verify(`Bearer ${jwt}`)).ok).toBe(true);
    t += 20_000;
    expect((await verifier.verify(`Bearer ${jwt}`)).ok).toBe(true);
    t += 16_000; // 36 s: past exp (30 s) and its 5 s of tolerance
    expect((await verifier.verify(`Bearer ${jwt}`)).ok).toBe(false);
  });

  it('enforces JWT_ISSUER and JWT_AUDIENCE when set', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    const verifier = createTokenVerifier(keys, { jwtIssuer: 'https://id.example', jwtAudience: 'targeting' }, clock);
    const plain = await signToken(secret, { sub: 'a', role: 'admin', ttlSeconds: 60, issuer: null, audience: null }, now);
    const right = await signToken(secret, { sub: 'a', role: 'admin', ttlSeconds: 60, issuer: 'https://id.example', audience: 'targeting' }, now);
    expect((await verifier.verify(`Bearer ${plain}`)).ok).toBe(false);
    expect((await verifier.verify(`Bearer ${right}`)).ok).toBe(true);
  });

  it('verifies RS256 with a PEM public key and refuses an HS256 token signed with that public key (algorithm confusion)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const keys = await resolveAuthKeys(loadConfig({ JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n') }).api, '/nonexistent');
    expect(keys.algorithm).toBe('RS256');
    expect(keys.signingSecret).toBeNull();
    const verifier = createTokenVerifier(keys, none, clock);
    const iat = Math.floor(now.getTime() / 1000);
    const good = await new SignJWT({ role: 'viewer' }).setProtectedHeader({ alg: 'RS256' }).setSubject('svc').setIssuedAt(iat).setExpirationTime(iat + 60).sign(privateKey);
    expect(await verifier.verify(`Bearer ${good}`)).toEqual({ ok: true, principal: { sub: 'svc', role: 'viewer' } });
    const confused = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuedAt(iat).setExpirationTime(iat + 60).sign(new TextEncoder().encode(pem));
    expect((await verifier.verify(`Bearer ${confused}`)).ok).toBe(false);
  });

  it('refuses tokens without a role claim or a subject', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    const iat = Math.floor(now.getTime() / 1000);
    const noRole = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime(iat + 60).sign(new TextEncoder().encode(secret));
    const noSub = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(iat + 60).sign(new TextEncoder().encode(secret));
    const verifier = createTokenVerifier(keys, none, clock);
    expect((await verifier.verify(`Bearer ${noRole}`)).ok).toBe(false);
    expect((await verifier.verify(`Bearer ${noSub}`)).ok).toBe(false);
  });
});

describe('parseTtlSeconds', () => {
  it('reads s, m, h, d and plain seconds within a year', () => {
    expect(parseTtlSeconds('8h')).toBe(28_800);
    expect(parseTtlSeconds('30m')).toBe(1_800);
    expect(parseTtlSeconds('7d')).toBe(604_800);
    expect(parseTtlSeconds('3600')).toBe(3_600);
    for (const bad of ['0', '8x', '-1h', '400d', '']) expect(() => parseTtlSeconds(bad)).toThrow(/--ttl/);
  });
});

describe('API configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}, '/srv').api).toEqual({
      host: '127.0.0.1', port: 8080, jwtSecret: null, jwtPublicKey: null, jwtJwksUrl: null, jwtIssuer: null, jwtAudience: null,
      liveApplyRoles: ['admin'], rateLimitPerMinute: 60, bodyLimitBytes: 65_536, authFailureLimitPerMinute: 30, trustProxy: false,
    });
  });

  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (e) {
      return (e as { problems: string[] }).problems;
    }
  };

  it('refuses a JWT_SECRET that is long enough but guessable, naming the variable', () => {
    for (const weak of ['a'.repeat(32), 'ab'.repeat(20), 'abcabcabcabcabcabcabcabcabcabcabc', '0123456789'.repeat(4).slice(0, 32), 'passwordpasswordpasswordpassword']) {
      const problems = problemsOf({ JWT_SECRET: weak });
      expect(problems, weak).toHaveLength(1);
      expect(problems[0]).toMatch(/^JWT_SECRET: (uses only \d+ distinct|too predictable)/);
      expect(problems[0]).not.toContain(weak);
    }
    // What `openssl rand -base64 32` and `openssl rand -hex 32` print.
    expect(problemsOf({ JWT_SECRET: 'q8Yt0xVb3uJrL2nE6sWz9KpM4cHd1aFg7iOl5TyRxQ0=' })).toEqual([]);
    expect(problemsOf({ JWT_SECRET: '3f9c2a7b18e4d6059c1f2e3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e' })).toEqual([]);
  });

  it('JWT_JWKS_URL must be https; plain http only for a loopback host', () => {
    expect(problemsOf({ JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' })).toEqual([]);
    for (const loopback of ['http://127.0.0.1:8081/jwks.json', 'http://localhost/jwks', 'http://[::1]:9000/jwks']) expect(problemsOf({ JWT_JWKS_URL: loopback }), loopback).toEqual([]);
    for (const bad of ['http://id.example.com/jwks.json', 'http://10.0.0.5/jwks', 'ftp://x', 'not a url', 'http://127.0.0.1.evil.com/jwks']) {
      const problems = problemsOf({ JWT_JWKS_URL: bad });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0]).toMatch(/^JWT_JWKS_URL=.*must be (an )?https/);
    }
  });

  it('API_TRUST_PROXY: proxies by address or network, or a hop count; never every peer', () => {
    expect(loadConfig({ API_TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1' }).api.trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', '::1']);
    expect(loadConfig({ API_TRUST_PROXY: '2' }).api.trustProxy).toBe(2);
    expect(loadConfig({ API_TRUST_PROXY: 'false' }).api.trustProxy).toBe(false);
    expect(problemsOf({ API_TRUST_PROXY: 'true' })[0]).toMatch(/^API_TRUST_PROXY="true": name the proxies/);
    expect(problemsOf({ API_TRUST_PROXY: '10.0.0.5,proxy.local,10.0.0.0/33' })).toEqual(['API_TRUST_PROXY="10.0.0.5,proxy.local,10.0.0.0/33": not an IP address or network: proxy.local, 10.0.0.0/33']);
    expect(problemsOf({ API_TRUST_PROXY: '0' })).toEqual(['API_TRUST_PROXY="0": a hop count must be 1 to 10']);
  });

  it('refuses a token whose subject is reserved for the CLI or the scheduler', async () => {
    const keys = await resolveAuthKeys(loadConfig({ JWT_SECRET: secret }).api, '/nonexistent');
    const verifier = createTokenVerifier(keys, { jwtIssuer: null, jwtAudience: null }, clock);
    for (const sub of ['scheduler', 'cli:root', 'CLI:alice']) {
      const t = await signToken(secret, { sub, role: 'admin', ttlSeconds: 600, issuer: null, audience: null }, clock.now());
      expect(await verifier.verify(`Bearer ${t}`)).toEqual({ ok: false, reason: 'reserved sub claim' });
    }
  });

  it('names every bad API variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({ PORT: '70000', JWT_SECRET: 'short', JWT_JWKS_URL: 'ftp://x', META_TARGETING_LIVE_APPLY_ROLES: 'admin,root', API_RATE_LIMIT_PER_MINUTE: '0', API_BODY_LIMIT_BYTES: '10', JWT_PUBLIC_KEY: 'nope' });
    } catch (e) {
      problems = (e as { problems: string[] }).problems;
    }
    for (const name of ['PORT', 'JWT_SECRET', 'JWT_JWKS_URL', 'META_TARGETING_LIVE_APPLY_ROLES', 'API_RATE_LIMIT_PER_MINUTE', 'API_BODY_LIMIT_BYTES', 'JWT_PUBLIC_KEY']) {
      expect(problems.some((p) => p.startsWith(name)), name).toBe(true);
    }
  });
});
