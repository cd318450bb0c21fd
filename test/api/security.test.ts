// Generated security tests (the Unkey habit): for every protected route the same checks, from
// one table. No token, bad signature, expired, alg none, wrong algorithm, garbage → 401 with a
// body that leaks nothing; a role that may not → 403; the right role → neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const result = await runOptimization(h.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub' });
    // Started on another campaign: a run is in one experiment only, and the table's POST (a dry run) uses CAMPAIGN.
    await runOptimization(h.ctx, { campaignId: `${CAMPAIGN}-x`, budget: null, mode: 'stub' });
    const experiment = await startExperiment(h.ctx, { campaignId: `${CAMPAIGN}-x`, mode: 'stub', holdoutShare: 0.5, dryRun: false });
    ids = { campaignId: CAMPAIGN, recommendationId: result.recommendations[0]!.recommendation_id, experimentId: experiment.experiment_id! };
    bad = await badTokens();
  });
  afterAll(async () => {
    await h.close();
  });

  const call = (route: (typeof ROUTES)[number], headers: Record<string, string> = {}) =>
    h.app.inject({ method: route.method, url: route.url(ids), headers, ...(route.body ? { payload: route.body(ids) as object } : {}) });

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

      if (route.access === 'write') {
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

      for (const role of ['admin', 'manager'] as const) {
        it(`${role} → 2xx`, async () => {
          const res = await call(route, auth(await token(role)));
          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(300);
        });
      }
    });
  }

  it('LIVE apply is refused (403) for a role outside META_TARGETING_LIVE_APPLY_ROLES', async () => {
    const other = await openApi({ META_TARGETING_LIVE_APPLY_ROLES: 'admin' });
    try {
      const rec = (await runOptimization(other.ctx, { campaignId: CAMPAIGN, budget: null, mode: 'stub' })).recommendations[0]!;
      const body = { recommendation_id: rec.recommendation_id, mode: 'live', dry_run: false };
      const manager = await other.app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await token('manager')), payload: body });
      expect(manager.statusCode).toBe(403);
      expect(manager.json().error.message).toContain('LIVE');
      // An allowed role reaches the service, which says LIVE needs the Meta client: 501.
      const admin = await other.app.inject({ method: 'POST', url: `/meta/targeting/apply/${rec.recommendation_id}`, headers: auth(await token('admin')), payload: body });
      expect(admin.statusCode).toBe(501);
      expect(admin.json().error.code).toBe('not_implemented');
      expect(admin.json().error.message).toMatch(/Meta Marketing API client/);
    } finally {
      await other.close();
    }
  });
});
