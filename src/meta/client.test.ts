import { describe, expect, it } from 'vitest';
import { MetaClient, type MetaRuntime } from './client.ts';
import { MetaApiError, MetaCallsStoppedError, MetaTimeoutError } from './errors.ts';
import { paceDelayMs, readUsage } from './usage.ts';

const TOKEN = 'EAAtestTOKEN0123456789secret';

interface Scripted {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  hang?: boolean;
}

function harness(script: Scripted[], options: { signal?: AbortSignal; sleep?: (ms: number) => Promise<void> } = {}) {
  const requests: { url: string; method: string; auth: string | null; body: string | null }[] = [];
  const sleeps: number[] = [];
  const runtime: MetaRuntime = {
    sleep: async (ms) => {
      sleeps.push(ms);
      await options.sleep?.(ms);
    },
    random: () => 0.5,
    fetch: (async (input: URL | string, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      requests.push({ url: String(input), method: init?.method ?? 'GET', auth: headers.get('authorization'), body: typeof init?.body === 'string' ? init.body : null });
      const step = script.shift() ?? { body: { ok: true } };
      if (step.hang) {
        return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      }
      return new Response(JSON.stringify(step.body ?? {}), { status: step.status ?? 200, headers: { 'content-type': 'application/json', ...step.headers } });
    }) as typeof fetch,
  };
  const logs: { obj: object; msg: string }[] = [];
  const logger = { info: (obj: object, msg: string) => logs.push({ obj, msg }), warn: (obj: object, msg: string) => logs.push({ obj, msg }), debug: () => {} };
  const client = new MetaClient({ graphUrl: 'http://127.0.0.1:9', apiVersion: 'v26.0', accessToken: TOKEN, runtime, logger, timeoutMs: 50, baseBackoffMs: 1000, ...(options.signal ? { signal: options.signal } : {}) });
  return { client, requests, sleeps, logs };
}

const metaError = (code: number, subcode?: number, message = 'boom') => ({ error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'AbCdEf123' } });

describe('MetaClient', () => {
  it('sends the token only in the Authorization header and builds versioned URLs', async () => {
    const h = harness([{ body: { id: 'act_1', currency: 'EUR' } }]);
    await h.client.get('act_1', { fields: 'id,currency', time_range: { since: '2026-11-01', until: '2026-11-02' } });
    expect(h.requests[0]!.url).toBe('http://127.0.0.1:9/v26.0/act_1?fields=id%2Ccurrency&time_range=%7B%22since%22%3A%222026-11-01%22%2C%22until%22%3A%222026-11-02%22%7D');
    expect(h.requests[0]!.url).not.toContain(TOKEN);
    expect(h.requests[0]!.auth).toBe(`Bearer ${TOKEN}`);
    await expect(h.client.get('me', { access_token: 'x' })).rejects.toThrow(/never as a parameter/);
  });

  it('reports a throttle (code 17) on a write at once, without retrying it; a read or a report creation is retried', async () => {
    const throttle = { status: 400, body: metaError(17, 2446079, 'User request limit reached') };
    const write = harness([throttle, { body: { success: true } }]);
    const error = await write.client.post('23850000001', { daily_budget: 1200 }, { write: 'repeatable' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaApiError);
    expect((error as MetaApiError).code).toBe(17);
    expect(write.client.stats).toMatchObject({ requests: 1, retries: 0 });
    expect(write.sleeps).toEqual([]);
    const report = harness([throttle, { body: { report_run_id: '1' } }]);
    expect(await report.client.post('act_1/insights', { level: 'adset' })).toEqual({ report_run_id: '1' });
    expect(report.client.stats).toMatchObject({ requests: 2, retries: 1 });
    // A server error on a write is still retried: setting a field twice is harmless, and a lookalike created twice is answered with Meta's duplicate error, which ensureLookalikes resolves.
    const flaky = harness([{ status: 500, body: metaError(2) }, { body: { success: true } }]);
    expect(await flaky.client.post('23850000001', { daily_budget: 1200 }, { write: 'repeatable' })).toEqual({ success: true });
  });

  it('retries a throttle (code 17) after Meta\'s estimated time to regain access, and says so in the log', async () => {
    const usage = JSON.stringify({ '123': [{ type: 'ads_management', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 2 }] });
    const h = harness([{ status: 400, body: metaError(17, 2446079, 'User request limit reached'), headers: { 'x-business-use-case-usage': usage } }, { body: { id: '1' } }]);
    expect(await h.client.get('1')).toEqual({ id: '1' });
    // 2 minutes of regain beat the 1 s backoff; the successful call's usage (none) then needs no pacing.
    expect(h.sleeps[0]).toBe(120_000);
    expect(h.client.stats).toMatchObject({ requests: 2, retries: 1 });
    expect(h.logs.some((l) => /retrying/.test(l.msg) && (l.obj as { code: number }).code === 17)).toBe(true);
  });

  it('stops waiting out a throttle when its work is stopped, and sends nothing more', async () => {
    const stop = new AbortController();
    const throttle = { status: 400, body: metaError(17, 2446079, 'User request limit reached') };
    // The wait never ends by itself: only the stop can end it.
    const h = harness([throttle, { body: { id: '1' } }], { signal: stop.signal, sleep: () => new Promise(() => {}) });
    const call = h.client.get('1').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.sleeps).toHaveLength(1);
    stop.abort(new Error('job expired'));
    const error = await call;
    expect(error).toBeInstanceOf(MetaCallsStoppedError);
    expect((error as Error).message).toMatch(/stopped before an answer \(job expired\)/);
    expect(h.requests).toHaveLength(1);
  });

  it('aborts a call in flight when its work is stopped, without retrying it as a timeout; once stopped, sends nothing', async () => {
    const stop = new AbortController();
    const h = harness([{ hang: true }, { body: { id: '1' } }], { signal: stop.signal });
    const call = h.client.get('1').catch((e: unknown) => e);
    stop.abort(new Error('claim lost'));
    expect(await call).toBeInstanceOf(MetaCallsStoppedError);
    expect(h.sleeps).toEqual([]);
    await expect(h.client.get('2')).rejects.toBeInstanceOf(MetaCallsStoppedError);
    expect(h.requests).toHaveLength(1);
  });

  it('backs off exponentially with jitter on 5xx and transient codes', async () => {
    const h = harness([{ status: 500, body: {} }, { status: 400, body: metaError(2, 1504043) }, { status: 400, body: metaError(80004, 2446079) }, { body: { id: '1' } }]);
    await h.client.get('1');
    // ceiling 1 s, 2 s, 4 s; half fixed, half random (0.5): 750, 1500, 3000 ms.
    expect(h.sleeps).toEqual([750, 1500, 3000]);
  });

  it('never retries 100 or 190, and the error carries code, subcode, fbtrace_id and the user message', async () => {
    for (const code of [100, 190]) {
      const h = harness([{ status: 400, body: { error: { message: `bad (#${code})`, code, error_subcode: 463, error_user_msg: `The session has expired for ${TOKEN}`, fbtrace_id: 'Zz9' } } }]);
      const error = await h.client.get('1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetaApiError);
      const e = error as MetaApiError;
      expect([e.code, e.subcode, e.fbtraceId, e.transient]).toEqual([code, 463, 'Zz9', false]);
      expect(e.message).toContain('fbtrace_id Zz9');
      expect(e.message).not.toContain(TOKEN);
      expect(e.userMessage).toContain('[redacted]');
      expect(h.requests).toHaveLength(1);
    }
  });

  it('times out a call that does not answer and retries it', async () => {
    const h = harness([{ hang: true }, { body: { id: '1' } }]);
    expect(await h.client.get('1')).toEqual({ id: '1' });
    expect(h.client.stats.retries).toBe(1);
    const never = harness([{ hang: true }, { hang: true }, { hang: true }, { hang: true }, { hang: true }, { hang: true }]);
    await expect(never.client.get('1')).rejects.toBeInstanceOf(MetaTimeoutError);
    // The first try and five retries.
    expect(never.requests).toHaveLength(6);
  });

  it('follows paging.next on the same host without its access_token, and refuses another host', async () => {
    const h = harness([
      { body: { data: [{ id: 'a' }], paging: { next: `http://127.0.0.1:9/v26.0/act_1/campaigns?access_token=${TOKEN}&after=CUR1&limit=1` } } },
      { body: { data: [{ id: 'b' }], paging: {} } },
    ]);
    expect(await h.client.all('act_1/campaigns', { limit: 1 })).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(h.requests[1]!.url).toBe('http://127.0.0.1:9/v26.0/act_1/campaigns?after=CUR1&limit=1');
    const evil = harness([{ body: { data: [], paging: { next: 'http://evil.example/v26.0/x?after=1' } } }]);
    await expect(evil.client.all('x')).rejects.toThrow(/another host/);
    expect(evil.requests).toHaveLength(1);
  });

  it('slows down when usage is high, before any error', async () => {
    const usage = JSON.stringify({ '1': [{ type: 'ads_insights', call_count: 95, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 0 }] });
    const h = harness([{ body: { id: '1' }, headers: { 'x-business-use-case-usage': usage } }, { body: { id: '2' } }]);
    await h.client.get('1');
    expect(h.sleeps).toEqual([]);
    await h.client.get('2');
    expect(h.sleeps).toEqual([paceDelayMs(95)]);
    expect(paceDelayMs(95)).toBeGreaterThan(0);
    expect(paceDelayMs(70)).toBe(0);
  });

  it('posts a form body without the token', async () => {
    const h = harness([{ body: { report_run_id: '42' } }]);
    await h.client.post('9/insights', { level: 'adset', time_range: { since: '2026-11-01', until: '2026-11-30' } });
    expect(h.requests[0]!.method).toBe('POST');
    expect(h.requests[0]!.body).toBe('level=adset&time_range=%7B%22since%22%3A%222026-11-01%22%2C%22until%22%3A%222026-11-30%22%7D');
  });
});

describe('readUsage', () => {
  it('reads the highest percentage and the regain time of every header, and ignores malformed ones', () => {
    const headers = new Headers({
      'x-business-use-case-usage': JSON.stringify({ '1': [{ type: 'ads_management', call_count: 12, total_cputime: 40, total_time: 8, estimated_time_to_regain_access: 0, ads_api_access_tier: 'limited_access' }] }),
      'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 55, reset_time_duration: 0 }),
      'x-fb-ads-insights-throttle': JSON.stringify({ app_id_util_pct: 61, acc_id_util_pct: 20 }),
    });
    expect(readUsage(headers)).toEqual({ maxPct: 61, regainMs: 0, source: 'x-fb-ads-insights-throttle app_id_util_pct', accessTier: 'limited_access' });
    expect(readUsage(new Headers({ 'x-business-use-case-usage': 'not json' }))).toEqual({ maxPct: 0, regainMs: 0, source: null, accessTier: null });
  });
});
