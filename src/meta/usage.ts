// Meta's usage headers: how close the app and the ad account are to their rate limits. The client
// reads them after every call to slow down before a limit and to wait as long as Meta says when
// throttled.

export interface UsageReading {
  /** Highest percentage of any limit reported (0–100+). */
  maxPct: number;
  /** Longest `estimated_time_to_regain_access`, in milliseconds (0: not throttled). */
  regainMs: number;
  /** Which header and field gave maxPct, for the log. */
  source: string | null;
  /** `ads_api_access_tier` when Meta reports it. */
  accessTier: string | null;
}

function asNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function parseJson(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads X-Business-Use-Case-Usage, X-Ad-Account-Usage and X-FB-Ads-Insights-Throttle; absent or malformed headers count as 0. */
export function readUsage(headers: { get(name: string): string | null }): UsageReading {
  const reading: UsageReading = { maxPct: 0, regainMs: 0, source: null, accessTier: null };
  const consider = (pct: number, source: string) => {
    if (pct > reading.maxPct) {
      reading.maxPct = pct;
      reading.source = source;
    }
  };
  // {"<business id>": [{type, call_count, total_cputime, total_time, estimated_time_to_regain_access, ads_api_access_tier}]}
  const buc = parseJson(headers.get('x-business-use-case-usage'));
  if (buc !== null && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries as Record<string, unknown>[]) {
        for (const field of ['call_count', 'total_cputime', 'total_time'] as const) consider(asNumber(e[field]), `x-business-use-case-usage ${String(e.type ?? '')} ${field}`);
        // Minutes.
        reading.regainMs = Math.max(reading.regainMs, asNumber(e.estimated_time_to_regain_access) * 60_000);
        if (typeof e.ads_api_access_tier === 'string') reading.accessTier = e.ads_api_access_tier;
      }
    }
  }
  // Documented for older versions and may be absent: read when present, never required.
  const acc = parseJson(headers.get('x-ad-account-usage')) as Record<string, unknown> | null;
  if (acc !== null && typeof acc === 'object') {
    consider(asNumber(acc.acc_id_util_pct), 'x-ad-account-usage acc_id_util_pct');
    // Seconds until the account's usage resets, reported with the percentage.
    if (asNumber(acc.acc_id_util_pct) >= 100) reading.regainMs = Math.max(reading.regainMs, asNumber(acc.reset_time_duration) * 1000);
  }
  const ins = parseJson(headers.get('x-fb-ads-insights-throttle')) as Record<string, unknown> | null;
  if (ins !== null && typeof ins === 'object') {
    consider(asNumber(ins.app_id_util_pct), 'x-fb-ads-insights-throttle app_id_util_pct');
    consider(asNumber(ins.acc_id_util_pct), 'x-fb-ads-insights-throttle acc_id_util_pct');
  }
  return reading;
}

/**
 * The pause before the next call at a given usage: none below `fromPct`, then rising with the
 * square of the distance to the limit, up to `maxMs` at 100 %. Quadratic so that usage just over
 * the threshold costs little while usage near the limit spaces calls out enough for Meta's
 * rolling window (one hour) to recover.
 */
export function paceDelayMs(pct: number, fromPct = 75, maxMs = 60_000): number {
  if (pct <= fromPct) return 0;
  const x = Math.min(1, (pct - fromPct) / (100 - fromPct));
  return Math.round(maxMs * x * x);
}
