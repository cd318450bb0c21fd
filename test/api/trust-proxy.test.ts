// The unauthenticated limit counts per client address: behind a named proxy that is the address
// the proxy forwards, and a client that is not the proxy cannot choose it.
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHarness, openApi } from './helpers.ts';

const LIMIT = 3;

async function statuses(h: ApiHarness, remoteAddress: string, forwardedFor: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await h.app.inject({ method: 'POST', url: '/meta/targeting/run', remoteAddress, headers: { 'x-forwarded-for': forwardedFor }, payload: { campaign_id: '999' } });
    out.push(res.statusCode);
  }
  return out;
}

describe('client address behind a reverse proxy', () => {
  let h: ApiHarness | undefined;
  afterEach(async () => h?.close());

  it('with API_TRUST_PROXY naming the proxy, each forwarded client has its own allowance', async () => {
    h = await openApi({ API_AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT), API_TRUST_PROXY: '10.0.0.5' });
    expect(await statuses(h, '10.0.0.5', '203.0.113.1', LIMIT + 1)).toEqual([401, 401, 401, 429]);
    expect(await statuses(h, '10.0.0.5', '203.0.113.2', 1)).toEqual([401]);
  });

  it('without it, every client behind the proxy shares the proxy\'s allowance', async () => {
    h = await openApi({ API_AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT) });
    expect(await statuses(h, '10.0.0.5', '203.0.113.1', LIMIT)).toEqual([401, 401, 401]);
    expect(await statuses(h, '10.0.0.5', '203.0.113.2', 1)).toEqual([429]);
  });

  it('a peer that is not the named proxy cannot pick its address with X-Forwarded-For', async () => {
    h = await openApi({ API_AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT), API_TRUST_PROXY: '10.0.0.5' });
    expect(await statuses(h, '198.51.100.7', '203.0.113.1', LIMIT)).toEqual([401, 401, 401]);
    expect(await statuses(h, '198.51.100.7', '203.0.113.9', 1)).toEqual([429]);
  });

  it('with a hop count, the address one hop before the proxy is the client\'s', async () => {
    h = await openApi({ API_AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT), API_TRUST_PROXY: '1' });
    expect(await statuses(h, '10.0.0.5', '203.0.113.1', LIMIT + 1)).toEqual([401, 401, 401, 429]);
    // A client that writes its own header behind the proxy: only the hop the proxy appended counts.
    expect(await statuses(h, '10.0.0.5', '198.51.100.1, 203.0.113.2', 1)).toEqual([401]);
    expect(await statuses(h, '10.0.0.5', '198.51.100.2, 203.0.113.1', 1)).toEqual([429]);
  });
});
