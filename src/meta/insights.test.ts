import { describe, expect, it } from 'vitest';
import { MetaClient } from './client.ts';
import { MetaAsyncJobError } from './errors.ts';
import { readInsights } from './insights.ts';

function client(answer: (method: string, url: URL) => { status?: number; body: unknown }) {
  const calls: string[] = [];
  const sleeps: number[] = [];
  const c = new MetaClient({
    graphUrl: 'http://127.0.0.1:9',
    apiVersion: 'v26.0',
    accessToken: 'EAAtestTOKEN0123456789',
    runtime: {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0,
      fetch: (async (input: URL | string, init?: RequestInit) => {
        const url = new URL(String(input));
        calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
        const a = answer(init?.method ?? 'GET', url);
        return new Response(JSON.stringify(a.body), { status: a.status ?? 200 });
      }) as typeof fetch,
    },
  });
  return { c, calls, sleeps };
}

const row = { date_start: '2026-11-01', date_stop: '2026-11-01', adset_id: '9', impressions: '10', inline_link_clicks: '1', spend: '1.00', country: 'ES' };
const request = { campaignId: '5', breakdown: 'country' as const, currency: 'EUR', purchaseActionType: 'offsite_conversion.fb_pixel_purchase' };

describe('readInsights', () => {
  it('reads a short range synchronously', async () => {
    const h = client(() => ({ body: { data: [row] } }));
    expect(await readInsights(h.c, { ...request, since: '2026-11-01', until: '2026-11-07' })).toHaveLength(1);
    expect(h.calls).toEqual(['GET /v26.0/5/insights']);
  });

  it('falls back to an asynchronous report when Meta says the synchronous call is too slow, and polls with a growing interval', async () => {
    let polls = 0;
    const h = client((method, url) => {
      if (method === 'GET' && url.pathname === '/v26.0/5/insights') return { status: 400, body: { error: { message: 'Please reduce the amount of data', code: 100, error_subcode: 1504018 } } };
      if (method === 'POST') return { body: { report_run_id: '77' } };
      if (url.pathname === '/v26.0/77') return { body: { id: '77', async_status: ++polls < 3 ? 'Job Running' : 'Job Completed' } };
      return { body: { data: [row, row] } };
    });
    expect(await readInsights(h.c, { ...request, since: '2026-11-01', until: '2026-11-02', pollMs: 1000 })).toHaveLength(2);
    expect(h.calls).toEqual(['GET /v26.0/5/insights', 'POST /v26.0/5/insights', 'GET /v26.0/77', 'GET /v26.0/77', 'GET /v26.0/77', 'GET /v26.0/77/insights']);
    expect(h.sleeps).toEqual([1000, 2000]);
  });

  it('goes to an asynchronous report at once when the synchronous call timed out (2/1504038), without retrying it', async () => {
    const h = client((method, url) => {
      if (method === 'GET' && url.pathname === '/v26.0/5/insights') return { status: 500, body: { error: { message: 'Service temporarily unavailable', code: 2, error_subcode: 1504038 } } };
      if (method === 'POST') return { body: { report_run_id: '79' } };
      if (url.pathname === '/v26.0/79') return { body: { id: '79', async_status: 'Job Completed' } };
      return { body: { data: [row] } };
    });
    expect(await readInsights(h.c, { ...request, since: '2026-11-01', until: '2026-11-02' })).toHaveLength(1);
    expect(h.calls).toEqual(['GET /v26.0/5/insights', 'POST /v26.0/5/insights', 'GET /v26.0/79', 'GET /v26.0/79/insights']);
    expect(h.sleeps).toEqual([]);
  });

  it('fails on "Job Skipped" with what Meta said, without reading rows', async () => {
    const h = client((method, url) => {
      if (method === 'POST') return { body: { report_run_id: '78' } };
      if (url.pathname === '/v26.0/78') return { body: { id: '78', async_status: 'Job Skipped', error_code: 4, error_subcode: 1504022, error_user_msg: 'Too many API requests' } };
      return { body: { data: [] } };
    });
    const error = await readInsights(h.c, { ...request, since: '2026-10-01', until: '2026-10-30' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaAsyncJobError);
    expect(error).toMatchObject({ status: 'Job Skipped', code: 4, subcode: 1504022 });
    expect((error as Error).message).toMatch(/"Job Skipped": Too many API requests \(code 4, subcode 1504022\)/);
    expect(h.calls.some((c) => c.endsWith('/78/insights'))).toBe(false);
  });

  it('does not fall back on other errors', async () => {
    const h = client(() => ({ status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } }));
    await expect(readInsights(h.c, { ...request, since: '2026-11-01', until: '2026-11-02' })).rejects.toThrow(/Invalid parameter/);
    expect(h.calls).toHaveLength(1);
  });
});
