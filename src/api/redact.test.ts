import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('replaces the values of credential parameters and keeps everything else', () => {
    expect(redactUrl('/meta/targeting/history?limit=5&access_token=eyJabc.def.ghi&cursor=WzFd')).toBe('/meta/targeting/history?limit=5&access_token=[redacted]&cursor=WzFd');
    expect(redactUrl('/x?token=a&TOKEN=b&api-key=c&apiKey=d&client_secret=e&password=f&id_token=g&refresh_token=h&sig=i&code=j')).toBe(
      '/x?token=[redacted]&TOKEN=[redacted]&api-key=[redacted]&apiKey=[redacted]&client_secret=[redacted]&password=[redacted]&id_token=[redacted]&refresh_token=[redacted]&sig=[redacted]&code=[redacted]',
    );
    // Encoded names are recognised too.
    expect(redactUrl('/x?access%5Ftoken=abc')).toBe('/x?access%5Ftoken=[redacted]');
    expect(redactUrl('/x?a=1;token=2#frag')).toBe('/x?a=1;token=[redacted]#frag');
  });

  it('leaves URLs without credentials unchanged', () => {
    for (const url of ['/health', '/meta/targeting/segments?limit=5&segment_type=interest', '/x?campaign_id=1&cursor=abc', '/x?', '/x?tokenish']) expect(redactUrl(url)).toBe(url);
  });
});
