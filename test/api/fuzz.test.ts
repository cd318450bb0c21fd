// Fuzz: at least 1,000 malformed requests from a seeded generator across every endpoint (wrong
// types, huge strings, unknown fields, broken JSON, bad UUIDs, negative and silly limits, wrong
// content types, odd methods and headers). Zero 5xx, each error in the one error shape, and the
// app still answers /health afterwards. The seed makes any failure reproducible.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/engine/random.ts';
import { runOptimization } from '../../src/services/run-optimization.ts';
import { usingPostgres } from '../helpers/db.ts';
import { type ApiHarness, auth, openApi, token } from './helpers.ts';

const SEED = 20261120;
const REQUESTS = 1200;

function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 2 ? 8 : 11)) {
    case 0: return null;
    case 1: return rng.int(-1e9, 1e9);
    case 2: return rng.next() * 1e308 * (rng.next() < 0.5 ? -1 : 1);
    case 3: return rng.next() < 0.5;
    case 4: return '';
    case 5: return 'x'.repeat(rng.int(1, 100_000));
    case 6: return '\u0000\uffff\ud800 \' " ; -- drop table runs;';
    case 7: return rng.pick(['stub', 'live', 'STUB', 'admin', '../../etc/passwd', '%00', '{{7*7}}', '${jndi:x}', '1e400', 'NaN', '-1']);
    case 8: return String(rng.int(-1000, 1000));
    case 9: return Array.from({ length: rng.int(0, 5) }, () => junkValue(rng, depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(['__proto__', 'constructor', 'campaign_id', 'mode', 'a', '']), junkValue(rng, depth + 1)]));
    default: return { nested: junkValue(rng, depth + 1) };
  }
}

const BAD_IDS = ['not-a-uuid', '123', '00000000-0000-0000-0000-00000000000g', '%27%20or%201%3D1', 'x'.repeat(300), '%F0%9F%92%A9', '..%2F..%2Fetc', '-1', '%00', encodeURIComponent('{"a":1}')];
const BAD_LIMITS = ['0', '-1', '501', 'abc', '1.5', '', '1e3', '99999999999999999999', ' 5', '0x10', 'null', '[]', '-0'];

function buildRequest(rng: Rng, ids: { campaignId: string; recommendationId: string }, tokens: string[]): InjectOptions {
  const headers: Record<string, string> = { ...auth(rng.pick(tokens)) };
  const kind = rng.int(0, 9);
  const bodyOf = (): string | undefined => {
    const r = rng.int(0, 5);
    if (r === 0) return '{"campaign_id": "1", ';
    if (r === 1) return 'null';
    if (r === 2) return '[1,2,3]';
    if (r === 3) return JSON.stringify(junkValue(rng));
    if (r === 4) return JSON.stringify({ campaign_id: junkValue(rng), mode: junkValue(rng), force_refresh: junkValue(rng), recommendation_id: junkValue(rng), dry_run: junkValue(rng), [rng.pick(['extra', 'budget', 'role'])]: junkValue(rng) });
    return undefined;
  };
  const contentType = () => rng.pick(['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', '']);
  switch (kind) {
    case 0:
    case 1: {
      headers['content-type'] = contentType();
      const payload = bodyOf();
      return { method: 'POST', url: '/meta/targeting/run', headers, ...(payload !== undefined ? { payload } : {}) };
    }
    case 2:
    case 3: {
      headers['content-type'] = contentType();
      const id = rng.next() < 0.6 ? rng.pick(BAD_IDS) : ids.recommendationId;
      const payload = rng.next() < 0.5 ? JSON.stringify({ recommendation_id: rng.next() < 0.5 ? id : junkValue(rng), mode: junkValue(rng), dry_run: junkValue(rng) }) : bodyOf();
      return { method: 'POST', url: `/meta/targeting/apply/${id}`, headers, ...(payload !== undefined ? { payload } : {}) };
    }
    case 4:
      return { method: 'GET', url: `/meta/targeting/recommendations/${rng.next() < 0.7 ? rng.pick(BAD_IDS) : ids.campaignId}${rng.next() < 0.3 ? '?x=1' : ''}`, headers };
    case 5:
    case 6: {
      const path = rng.pick(['/meta/targeting/segments', '/meta/targeting/history']);
      const params = [
        rng.next() < 0.7 ? `limit=${encodeURIComponent(rng.pick(BAD_LIMITS))}` : '',
        rng.next() < 0.4 ? `cursor=${encodeURIComponent(rng.pick(['', '!!!', 'eyJ4IjoxfQ', Buffer.from('[1e999,"a","b","c"]').toString('base64url'), Buffer.from('["not-a-date",1]').toString('base64url'), 'A'.repeat(5000)]))}` : '',
        rng.next() < 0.3 ? `segment_type=${encodeURIComponent(String(junkValue(rng)).toWellFormed().slice(0, 200))}` : '',
        rng.next() < 0.3 ? `campaign_id=${encodeURIComponent(String(junkValue(rng)).toWellFormed().slice(0, 300))}` : '',
        rng.next() < 0.2 ? 'limit=1&limit=2' : '',
        rng.next() < 0.2 ? `${rng.pick(['unknown', 'role', '__proto__'])}=1` : '',
      ].filter(Boolean);
      return { method: 'GET', url: `${path}?${params.join('&')}`, headers };
    }
    case 7:
      // Methods the routes do not have, and unknown paths.
      return { method: rng.pick(['PUT', 'DELETE', 'PATCH', 'GET', 'POST'] as const), url: rng.pick(['/meta/targeting/run', '/meta/targeting/apply', '/meta/targeting', '/meta/targeting/recommendations/', '/nope', '/meta/targeting/history/1']), headers };
    case 8:
      // Broken Authorization headers on every kind of route.
      return { method: 'GET', url: rng.pick(['/meta/targeting/segments', '/meta/targeting/history', `/meta/targeting/recommendations/${ids.campaignId}`]), headers: { authorization: rng.pick(['Bearer', 'Bearer ', 'Bearer a.b', `Bearer ${'a'.repeat(20_000)}`, 'bearer x.y.z', 'Token abc', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}..`]) } };
    default: {
      headers['content-type'] = 'application/json';
      return { method: 'POST', url: rng.pick(['/meta/targeting/run', `/meta/targeting/apply/${ids.recommendationId}`]), headers, payload: `{"a":${'['.repeat(rng.int(1, 5000))}` };
    }
  }
}

describe(`fuzz on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let h: ApiHarness;
  let ids: { campaignId: string; recommendationId: string };
  let tokens: string[];

  beforeAll(async () => {
    // No limits: every malformed request must reach its handler, not a 429.
    h = await openApi({ API_RATE_LIMIT_PER_MINUTE: '1000000', API_AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000' });
    const result = await runOptimization(h.ctx, { campaignId: '777000', budget: null, mode: 'stub', generateStub: true });
    ids = { campaignId: '777000', recommendationId: result.recommendations[0]!.recommendation_id };
    tokens = [await token('admin'), await token('manager'), await token('viewer')];
  });
  afterAll(async () => {
    await h.close();
  });

  it(`${REQUESTS} malformed requests: no 5xx (501 aside), every error in the one shape, /health still answers`, async () => {
    const rng = createRng(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const request = buildRequest(rng, ids, tokens);
      const res = await h.app.inject(request);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      // 501 is the deliberate "LIVE mode is not available" answer, not a failure.
      if (res.statusCode >= 500 && res.statusCode !== 501) {
        throw new Error(`request ${i} (seed ${SEED}) → ${res.statusCode}: ${request.method} ${String(request.url).slice(0, 200)} ${String(request.payload ?? '').slice(0, 200)} → ${res.body.slice(0, 300)}`);
      }
      if (res.statusCode >= 400) {
        const body = res.json();
        if (typeof body.error !== 'object') throw new Error(`request ${i} → ${res.statusCode} without the error shape: ${request.method} ${String(request.url).slice(0, 200)} → ${res.body.slice(0, 300)}`);
        expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'requestId']);
        expect(res.body).not.toMatch(/"stack"|\.ts:\d+/);
      }
    }
    // The generator reaches the validation, auth, routing and media-type paths, not just one of them.
    for (const status of [400, 401, 404, 415]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(10);
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(200);
  });
});
