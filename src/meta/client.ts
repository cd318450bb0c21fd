// A thin typed client for the Graph API over fetch. The official SDK hard-codes its base URL and
// version, so it cannot be pointed at the fake server the tests use; this one takes both from
// configuration, and takes its clock, sleep and randomness from the caller so that retries and
// throttling are fast and deterministic under test.
//
// The token travels only in the Authorization header. Meta's own `paging.next` links carry it in
// their query, so the client strips it before following them and only ever names a path, never a
// URL, in logs and errors.
import { MetaApiError, MetaCallsStoppedError, MetaNetworkError, MetaThrottledError, MetaTimeoutError, isThrottleCode, type MetaErrorBody } from './errors.ts';
import { paceDelayMs, readUsage, type UsageReading } from './usage.ts';

export interface MetaLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** What the client takes from its surroundings: swapped in tests. */
export interface MetaRuntime {
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1): the jitter of the backoff. */
  random(): number;
}

const defaultRuntime: MetaRuntime = {
  fetch: (...args) => fetch(...args),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export interface MetaClientOptions {
  graphUrl: string;
  apiVersion: string;
  accessToken: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff delay; each retry doubles it (with jitter), up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Usage (percent of a limit) above which calls are spaced out. */
  slowDownAtPct?: number;
  /** The longest wait for a throttle to lift before giving up. */
  maxThrottleWaitMs?: number;
  runtime?: Partial<MetaRuntime>;
  logger?: MetaLogger;
  /** The end of the work these calls serve: once aborted, no call is sent or retried and no wait goes on. */
  signal?: AbortSignal;
}

export interface MetaCallStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Time spent waiting (backoff, throttles, pacing), in milliseconds. */
  waitedMs: number;
}

export type Params = Record<string, string | number | boolean | object | undefined>;

export interface Page<T> {
  data: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

const silentLogger: MetaLogger = { info() {}, warn() {}, debug() {} };

export class MetaClient {
  readonly apiVersion: string;
  readonly stats: MetaCallStats = { requests: 0, retries: 0, waitedMs: 0 };
  /** The latest usage the headers reported. */
  lastUsage: UsageReading | null = null;
  private readonly origin: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly slowDownAtPct: number;
  private readonly maxThrottleWaitMs: number;
  private readonly runtime: MetaRuntime;
  private readonly logger: MetaLogger;
  private readonly signal: AbortSignal | undefined;
  private paceMs = 0;

  constructor(options: MetaClientOptions) {
    this.origin = new URL(options.graphUrl).origin;
    this.apiVersion = options.apiVersion;
    this.token = options.accessToken;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 5;
    this.baseBackoffMs = options.baseBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.slowDownAtPct = options.slowDownAtPct ?? 75;
    this.maxThrottleWaitMs = options.maxThrottleWaitMs ?? 15 * 60_000;
    this.runtime = { ...defaultRuntime, ...options.runtime };
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal;
  }

  async get<T>(path: string, params: Params = {}): Promise<T> {
    return this.request<T>('GET', this.url(path, params), null);
  }

  /**
   * POST with a form body (what the Graph API expects); the token stays in the header. `write` marks
   * a change to the account (not an insights report), and says whether sending it twice lands the
   * same: `repeatable` (setting fields; a lookalike made twice is answered with Meta's duplicate
   * error) is retried after a timeout or a server error, `once` (copying an ad set or an ad: a retried
   * timeout could make two) is never retried, its failure reported and reconciled instead. A
   * throttle on any write is reported at once: Meta's throttle for too many budget changes of an ad
   * set (code 17) lasts the rest of the hour, so a retry within a minute only repeats the refusal,
   * and a write that should wait belongs to the caller to reschedule, under its guardrails.
   */
  async post<T>(path: string, params: Params = {}, options: { write?: 'repeatable' | 'once' } = {}): Promise<T> {
    return this.request<T>('POST', this.url(path, {}), encodeParams(params), options.write);
  }

  /** Every page of an edge, following `paging.next` until there is none. */
  async *pages<T>(path: string, params: Params = {}): AsyncGenerator<T[]> {
    let url: URL | null = this.url(path, params);
    while (url !== null) {
      const page: Page<T> = await this.request<Page<T>>('GET', url, null);
      yield Array.isArray(page.data) ? page.data : [];
      url = page.paging?.next ? this.followable(page.paging.next) : null;
    }
  }

  async all<T>(path: string, params: Params = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, params)) out.push(...page);
    return out;
  }

  /** Replaces the token wherever it could appear in a text (Meta's messages, network errors). */
  redact(text: string): string {
    return this.token.length > 0 ? text.split(this.token).join('[redacted]') : text;
  }

  private url(path: string, params: Params): URL {
    const clean = path.replace(/^\/+/, '');
    if (!/^[A-Za-z0-9_./-]+$/.test(clean)) throw new Error(`Meta API path ${JSON.stringify(clean)} is not a plain path`);
    const url = new URL(`${this.origin}/${this.apiVersion}/${clean}`);
    for (const [k, v] of Object.entries(encodeParamsRecord(params))) url.searchParams.set(k, v);
    return url;
  }

  /** A `paging.next` link: only to the configured Graph origin, and with its token removed. */
  private followable(next: string): URL {
    const url = new URL(next);
    if (url.origin !== this.origin) throw new Error(`Meta API returned a next page on another host (${url.origin}); not followed`);
    url.searchParams.delete('access_token');
    return url;
  }

  private async request<T>(method: 'GET' | 'POST', url: URL, body: string | null, write?: 'repeatable' | 'once'): Promise<T> {
    const maxRetries = write === 'once' ? 0 : this.maxRetries;
    const path = url.pathname;
    if (this.paceMs > 0) {
      this.logger.info({ path, waitMs: this.paceMs, usagePct: this.lastUsage?.maxPct }, 'Meta usage is high: slowing down');
      await this.wait(this.paceMs, path);
    }
    for (let attempt = 0; ; attempt++) {
      this.stopIfAsked(path);
      let error: Error;
      try {
        return await this.once<T>(method, url, body);
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      const transient = error instanceof MetaApiError ? error.transient : error instanceof MetaTimeoutError || error instanceof MetaNetworkError;
      const throttled = error instanceof MetaApiError && error.code !== null && isThrottleCode(error.code);
      if (!transient || attempt >= maxRetries || (write !== undefined && throttled)) throw error;
      const regainMs = throttled ? (this.lastUsage?.regainMs ?? 0) : 0;
      if (regainMs > this.maxThrottleWaitMs) throw new MetaThrottledError(path, regainMs, this.maxThrottleWaitMs);
      // One wait covers all three reasons: Meta's own estimate, the backoff, and the pace the usage asks for.
      const waitMs = Math.max(regainMs, this.backoffMs(attempt), this.paceMs);
      this.stats.retries++;
      this.logger.warn(
        { path, attempt: attempt + 1, of: maxRetries, waitMs, ...(error instanceof MetaApiError ? { code: error.code, subcode: error.subcode, httpStatus: error.httpStatus, fbtraceId: error.fbtraceId } : { error: error.name }) },
        `Meta call failed (${error.message}); retrying`,
      );
      await this.wait(waitMs, path);
    }
  }

  private stopIfAsked(path: string): void {
    if (this.signal?.aborted) throw new MetaCallsStoppedError(path, this.signal.reason);
  }

  /** Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of many clients spread out but never come back at once. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.runtime.random());
  }

  /** Waits with the client's own sleep (polling an asynchronous report). */
  pause(ms: number): Promise<void> {
    return this.wait(ms, 'a wait between polls');
  }

  private async wait(ms: number, path: string): Promise<void> {
    this.stopIfAsked(path);
    this.stats.waitedMs += ms;
    const signal = this.signal;
    if (signal === undefined) return this.runtime.sleep(ms);
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(new MetaCallsStoppedError(path, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.runtime.sleep(ms), stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  private async once<T>(method: 'GET' | 'POST', url: URL, body: string | null): Promise<T> {
    const path = url.pathname;
    this.stats.requests++;
    this.logger.debug({ method, path }, 'Meta call');
    let response: Response;
    let text: string;
    try {
      response = await this.runtime.fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === null ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
        ...(body === null ? {} : { body }),
        signal: this.signal === undefined ? AbortSignal.timeout(this.timeoutMs) : AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.signal]),
      });
      text = await response.text();
    } catch (e) {
      const err = e as Error;
      this.stopIfAsked(path);
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new MetaTimeoutError(path, this.timeoutMs);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new MetaNetworkError(path, this.redact(cause?.code ?? cause?.message ?? err.message));
    }
    const usage = readUsage(response.headers);
    this.lastUsage = usage;
    this.paceMs = paceDelayMs(usage.maxPct, this.slowDownAtPct);
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    const errorBody = json !== null && typeof json === 'object' && 'error' in json ? ((json as { error: MetaErrorBody }).error ?? null) : null;
    if (!response.ok || errorBody !== null) {
      const safe = errorBody === null ? null : redactBody(errorBody, (s) => this.redact(s));
      throw new MetaApiError(path, response.status, safe, response.ok ? 'error' : `HTTP ${response.status}${json === null ? ' (no JSON body)' : ''}`);
    }
    if (json === null || typeof json !== 'object') throw new MetaApiError(path, response.status, null, 'the answer was not a JSON object');
    return json as T;
  }
}

function redactBody(body: MetaErrorBody, redact: (s: string) => string): MetaErrorBody {
  const out: MetaErrorBody = { ...body };
  for (const k of ['message', 'error_user_title', 'error_user_msg'] as const) if (typeof out[k] === 'string') out[k] = redact(out[k]);
  return out;
}

/** Graph API parameters: objects and arrays as JSON, the rest as text; undefined left out. */
function encodeParamsRecord(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (k === 'access_token') throw new Error('the access token is sent by the client in a header, never as a parameter');
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function encodeParams(params: Params): string {
  return new URLSearchParams(encodeParamsRecord(params)).toString();
}
