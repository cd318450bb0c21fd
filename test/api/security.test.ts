// Generated security tests (the Unkey habit): for every protected route the same checks, from
// one table. No token, bad signature, expired, alg none, wrong algorithm, garbage → 401 with a
// body that leaks nothing; a role that may not → 403; the right role → neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposeApply } from '../../src/services/apply-proposals.ts';
import { applyRecommendation } from '../../src/services/apply-recommendation.ts';
import { startExperiment } from '../../src/services/holdout-experiment.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, badTokens, openApi, token } from './helpers.ts';
import { ROUTES, type SeedIds } from './routes-table.ts';

const CAMPAIGN = '555000111';

describe(`security of every route on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let ids: SeedIds;
  let bad: Record<string, string>;

  beforeAll(async () => {
    h = await openApi();
    const result = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', generateStub: true });
    // Started on another campaign: a run is in one experiment only, and the table's POST (a dry run) uses CAMPAIGN.
    await runOptimization(h.ctx, { campaignId: `${CAMPAIGN}-x`, budget: null, mode: 'stub', generateStub: true });
    const experiment = await startExperiment(h.ctx, { campaignId: `${CAMPAIGN}-x`, mode: 'stub', holdoutShare: 0.5, dryRun: false });
    const toApprove = await proposeApply(h.ctx, { recommendationId: result.recommendations[0]!.recommendation_id, mode: 'stub' });
    // On a campaign of its own: a proposal whose recommendation was applied since (as `applied` below is) cannot be rejected.
    const rejected = await runOptimization(h.ctx, { campaignId: `${CAMPAIGN}-r`, budget: null, mode: 'stub', generateStub: true });
    const toReject = await proposeApply(h.ctx, { recommendationId: rejected.recommendations[0]!.recommendation_id, mode: 'stub' });
    const applied = await applyRecommendation(h.ctx, { recommendationId: result.recommendations.at(-1)!.recommendation_id, mode: 'stub', dryRun: false });
    ids = { campaignId: CAMPAIGN, recommendationId: result.recommendations[0]!.recommendation_id, experimentId: experiment.experiment_id!, approveProposalId: toApprove.proposal.id, rejectProposalId: toReject.proposal.id, historyId: applied.history_id! };
    bad = await badTokens();
  });
  afterAll(async () => {
    await h.close();
  });

  // Each route's probes come from their own client address: requests without a valid token are
  // limited per address (API_AUTH_FAILURE_LIMIT_PER_MINUTE, 30), and one route's probes must not
  // use up another's allowance.
  const addressOf = (route: (typeof ROUTES)[number], purpose = 1) => `10.${purpose}.0.${ROUTES.indexOf(route) + 1}`;
  const call = (route: (typeof ROUTES)[number], headers: Record<string, string> = {}, remoteAddress = addressOf(route)) =>
    h.app.inject({ method: route.method, url: route.url(ids), headers: { ...(route.contentType ? { 'content-type': route.contentType } : {}), ...headers }, remoteAddress, ...(route.body ? { payload: route.body(ids) as object } : {}) });

  it('the table lists every route the app serves (so none skips these tests)', () => {
    const served = new Set<string>();
    // A route below another one is printed as a child (/meta/targeting/experiments, then
    // "/:experiment_id" indented under it): the full path is the parents' paths joined.
    const parents: string[] = [];
    for (const line of h.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const path = (depth > 0 ? (parents[depth - 1] ?? '') : '') + m[2]!;
      parents[depth] = path;
      parents.length = depth + 1;
      for (const method of (m[3] ?? '').split(', ').filter(Boolean)) if (method !== 'HEAD') served.add(`${method} ${path}`);
    }
    // The documentation UI's own routes (/docs and its static files, printed relative to /docs)
    // are public by construction; every other route must be in the table.
    const apiRoutes = [...served].filter((r) => / \/(meta|health|ready|metrics)/.test(r)).sort();
    expect(apiRoutes).toEqual(ROUTES.map((r) => `${r.method} ${r.route}`).sort());
  });

  for (const route of ROUTES.filter((r) => r.access === 'public')) {
    it(`${route.method} ${route.route} is public`, async () => {
      const res = await call(route);
      expect(res.statusCode).toBe(200);
    });
  }

  for (const route of ROUTES.filter((r) => r.access !== 'public')) {
    describe(`${route.method} ${route.route}`, () => {
      it('no token → 401 with the error shape and a WWW-Authenticate header', async () => {
        const res = await call(route);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        const body = res.json();
        expect(Object.keys(body)).toEqual(['error']);
        expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'requestId']);
        expect(body.error.code).toBe('unauthorized');
        expect(body.error.requestId).toBe(res.headers['x-request-id']);
      });

      it('a non-Bearer Authorization header → 401', async () => {
        const res = await call(route, { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` });
        expect(res.statusCode).toBe(401);
      });

      for (const kind of ['bad signature', 'expired', 'alg none', 'wrong algorithm (HS512)', 'not a JWT']) {
        it(`${kind} → 401 that leaks neither the token nor internals`, async () => {
          const t = bad[kind]!;
          const res = await call(route, auth(t));
          expect(res.statusCode).toBe(401);
          expect(res.json().error.message).toBe('invalid or expired token');
          expect(res.body).not.toContain(t);
          expect(res.body).not.toMatch(/stack|at .*\.ts|JWS|JWT[A-Z]|signature/i);
        });
      }

      it('an unknown role → 403', async () => {
        const res = await call(route, auth(await token('guest')));
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      });

      if (route.access === 'write' || route.access === 'admin') {
        it('viewer (read-only) → 403', async () => {
          const res = await call(route, auth(await token('viewer')));
          expect(res.statusCode).toBe(403);
        });
      } else {
        it('viewer may read', async () => {
          const res = await call(route, auth(await token('viewer')));
          expect(res.statusCode).toBe(200);
        });
      }

      if (route.access === 'admin') {
        it('manager (not an admin) → 403', async () => {
          const res = await call(route, auth(await token('manager')));
          expect(res.statusCode).toBe(403);
          expect(res.json().error.code).toBe('forbidden');
          expect(res.json().error.message).toMatch(/admin only/);
        });
      }

      for (const role of route.access === 'admin' ? (['admin'] as const) : (['admin', 'manager'] as const)) {
        it(`${role} → 2xx`, async () => {
          const res = await call(route, auth(await token(role)));
          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(300);
        });
      }

      it('the Bearer scheme is case-insensitive (bearer, BEARER)', async () => {
        for (const scheme of ['bearer', 'BEARER']) {
          const res = await call(route, { authorization: `${scheme} ${await token('admin', { sub: `case-${scheme}` })}` });
          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(300);
        }
      });

      it('a token in the URL (?access_token=, ?token=) is refused, and the access log never holds it', async () => {
        const t = await token('admin');
        const lines: string[] = [];
        const logged = await openApi({ LOG_LEVEL: 'info' }, (line) => lines.push(line));
        try {
          for (const name of ['access_token', 'token', 'api_key']) {
            const sep = route.url(ids).includes('?') ? '&' : '?';
            const res = await logged.app.inject({ method: route.method, url: `${route.url(ids)}${sep}${name}=${t}`, remoteAddress: addressOf(route, 2), ...(route.body ? { payload: route.body(ids) as object } : {}) });
            expect(res.statusCode).toBe(401);
          }
        } finally {
          await logged.close();
        }
        const access = lines.filter((l) => l.includes('"msg":"request"'));
        expect(access).toHaveLength(3);
        for (const line of access) expect(line).toContain('=[redacted]');
        expect(lines.join('\n')).not.toContain(t);
      });

      it('over API_AUTH_FAILURE_LIMIT_PER_MINUTE from one address → 429 (not logged, not audited); other addresses and valid tokens pass', async () => {
        const from = addressOf(route, 3);
        const statuses: number[] = [];
        for (let i = 0; i < 35; i++) statuses.push((await call(route, i % 2 === 0 ? {} : auth(bad['bad signature']!), from)).statusCode);
        expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
        expect(statuses.slice(30)).toEqual(Array(5).fill(429));
        expect((await call(route, {}, addressOf(route, 4))).statusCode).toBe(401);
        const ok = await call(route, auth(await token('admin')), from);
        expect(ok.statusCode).toBeGreaterThanOrEqual(200);
        expect(ok.statusCode).toBeLessThan(300);
      });

      if (route.access === 'write' || route.access === 'admin') {
        it('an authenticated call is audited exactly once, with its token subject and request id; one without a valid token is not', async () => {
          const ok = await call(route, auth(await token('admin', { sub: `auditor-${ROUTES.indexOf(route)}` })));
          const refused = await call(route, auth(bad['expired']!));
          const rows = await h.ctx.db.query<{ request_id: string; subject: string; role: string; channel: string; status_code: number }>(
            'select request_id, subject, role, channel, status_code from audit_log where request_id = any($1::text[])',
            [[String(ok.headers['x-request-id']), String(refused.headers['x-request-id'])]],
          );
          expect(rows).toEqual([{ request_id: ok.headers['x-request-id'], subject: `auditor-${ROUTES.indexOf(route)}`, role: 'admin', channel: 'api', status_code: ok.statusCode }]);
        });
      }

      it('every answer carries X-Content-Type-Options: nosniff and Cache-Control: no-store', async () => {
        for (const res of [await call(route), await call(route, auth(await token('admin')))]) {
          expect(res.headers['x-content-type-options']).toBe('nosniff');
          expect(res.headers['cache-control']).toBe('no-store');
        }
      });

      if (route.paginated) {
        const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
        const tampered: Record<string, string> = {
          'a number past bigint': b64('[99999999999999999999999,"interest","x","EUR"]'),
          'a huge id': b64('["2026-11-20T08:00:00.000Z",99999999999999999999999]'),
          'a fraction': b64('[1.5,"interest","x","EUR"]'),
          'a fractional id': b64('["2026-11-20T08:00:00.000Z",1.5]'),
          'a NUL character': b64('[5,"interest\u0000","x","EUR"]'),
          'a NUL in a timestamp': b64('["2026-11-20\u0000",1]'),
          'a negative number': b64('[-1,"a","b","c"]'),
          'the wrong shape': b64('{"a":1}'),
          'too few values': b64('[1]'),
          'not JSON': b64('[1,'),
          'not base64url': 'abc+/=',
          'a non-instant timestamp': b64('["2026-13-45T99:00:00.000Z",1]'),
        };
        for (const [what, cursor] of Object.entries(tampered)) {
          it(`a tampered cursor (${what}) → 400 naming cursor, never a 500`, async () => {
            const res = await h.app.inject({ method: 'GET', url: `${route.url(ids)}&cursor=${cursor}`, headers: auth(await token('viewer')) });
            expect(res.statusCode).toBe(400);
            expect(res.json().error.message).toMatch(/cursor/);
          });
        }
      }
    });
  }

  it('requests to no route count against the same per-address limit (scanning is bounded like token guessing)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await h.app.inject({ method: 'GET', url: `/nope/${i}`, remoteAddress: '10.9.9.9' })).statusCode);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(404));
    expect(statuses.slice(30)).toEqual([429, 429]);
    expect((await h.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.9.9.9' })).statusCode).toBe(200);
  });

  it('no audit row for any request without a valid token (they are a metric instead)', async () => {
    const rows = await h.ctx.db.query<{ n: number }>("select count(*)::int as n from audit_log where subject is null or status_code in (401, 429)");
    expect(rows[0]!.n).toBe(0);
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const reason of ['missing', 'malformed', 'invalid', 'expired']) expect(metrics).toMatch(new RegExp(`http_auth_failures_total\\{reason="${reason}"\\} [1-9]`));
    expect(metrics).toMatch(/http_unauthenticated_rate_limited_total [1-9]/);
  });

  it('the documentation UI carries a CSP that allows its own scripts and nothing else', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('LIVE apply is admin-only by default (META_TARGETING_LIVE_APPLY_ROLES unset)', async () => {
    expect(h.ctx.config.api.liveApplyRoles).toEqual(['admin']);
    const body = { recommendation_id: ids.recommendationId, mode: 'live', dry_run: false };
    const manager = await h.app.inject({ method: 'POST', url: `/meta/targeting/apply/${ids.recommendationId}`, headers: auth(await token('manager')), payload: body });
    expect(manager.statusCode).toBe(403);
    const admin = await h.app.inject({ method: 'POST', url: `/meta/targeting/apply/${ids.recommendationId}`, headers: auth(await token('admin')), payload: body });
    expect(admin.statusCode).toBe(501);
  });

  it('LIVE apply is refused (403) for a role outside META_TARGETING_LIVE_APPLY_ROLES', async () => {
    const other = await openApi({ META_TARGETING_LIVE_APPLY_ROLES: 'admin' });
    try {
      const rec = (await runOptimization(other.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub', generateStub: true })).recommendations[0]!;
      const body = { recommendation_id: rec.recommendation_id, mode: 'live', dry_run: false };
      const manager = await other.app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await token('manager')), payload: body });
      expect(manager.statusCode).toBe(403);
      expect(manager.json().error.message).toContain('LIVE');
      // An allowed role reaches the service, which says LIVE needs the Meta client: 501.
      const admin = await other.app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await token('admin')), payload: body });
      expect(admin.statusCode).toBe(501);
      expect(admin.json().error.code).toBe('not_implemented');
      expect(admin.json().error.message).toMatch(/LIVE mode is not set up: META_ACCESS_TOKEN/);
    } finally {
      await other.close();
    }
  });
});
