// Errors of the Meta client. Each carries what Meta said (code, subcode, trace id, the message meant
// for people) and never the access token: messages pass through the client's redaction first.

/** Error codes worth retrying: temporary failures and throttles. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613]);
// Code 2 also reports requests that will never work (no data for these breakdowns, bad custom metrics),
// and a synchronous insights call that timed out (1504038): the same call times out again, and the
// insights reader asks for an asynchronous report instead.
const PERMANENT_SUBCODES = new Set([1504038, 1504041, 1504042]);

/** Throttle codes: Meta asks the caller to wait, not just to try again. */
const THROTTLE_CODES = new Set([4, 17, 32, 613]);

export function isTransientCode(code: number, subcode: number | null): boolean {
  if (subcode !== null && PERMANENT_SUBCODES.has(subcode)) return false;
  return TRANSIENT_CODES.has(code) || (code >= 80000 && code <= 80014);
}

export function isThrottleCode(code: number): boolean {
  return THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014);
}

export interface MetaErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

export class MetaApiError extends Error {
  readonly httpStatus: number;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string | null;
  readonly fbtraceId: string | null;
  readonly userTitle: string | null;
  readonly userMessage: string | null;
  /** The path called, without its query (the query is never kept: it may hold ids of no interest and, from Meta's own `next` links, a token). */
  readonly path: string;
  constructor(path: string, httpStatus: number, body: MetaErrorBody | null, fallback: string) {
    const code = typeof body?.code === 'number' ? body.code : null;
    const subcode = typeof body?.error_subcode === 'number' ? body.error_subcode : null;
    const what = body?.error_user_msg ?? body?.message ?? fallback;
    super(`Meta API ${path}: ${what} (${[code === null ? `HTTP ${httpStatus}` : `code ${code}`, subcode === null ? null : `subcode ${subcode}`, body?.fbtrace_id ? `fbtrace_id ${body.fbtrace_id}` : null].filter(Boolean).join(', ')})`);
    this.name = 'MetaApiError';
    this.httpStatus = httpStatus;
    this.code = code;
    this.subcode = subcode;
    this.type = body?.type ?? null;
    this.fbtraceId = body?.fbtrace_id ?? null;
    this.userTitle = body?.error_user_title ?? null;
    this.userMessage = body?.error_user_msg ?? null;
    this.path = path;
  }

  get transient(): boolean {
    if (this.code !== null) return isTransientCode(this.code, this.subcode);
    return this.httpStatus >= 500;
  }

  /** 190: the token is invalid or expired; 102 is the older session error. */
  get tokenProblem(): boolean {
    return this.code === 190 || this.code === 102;
  }
}

/** The work the calls belong to was stopped (a scheduled job that timed out or lost its claim): never retried. */
export class MetaCallsStoppedError extends Error {
  readonly path: string;
  constructor(path: string, reason: unknown) {
    super(`Meta API ${path}: stopped before an answer (${reason instanceof Error ? reason.message : String(reason ?? 'the work was stopped')})`);
    this.name = 'MetaCallsStoppedError';
    this.path = path;
  }
}

/** A call that did not answer within the request timeout (retried as transient). */
export class MetaTimeoutError extends Error {
  readonly path: string;
  constructor(path: string, timeoutMs: number) {
    super(`Meta API ${path}: no answer within ${timeoutMs} ms`);
    this.name = 'MetaTimeoutError';
    this.path = path;
  }
}

/** The connection failed before any answer (reset, refused): retried as transient. */
export class MetaNetworkError extends Error {
  readonly path: string;
  constructor(path: string, cause: string) {
    super(`Meta API ${path}: network error: ${cause}`);
    this.name = 'MetaNetworkError';
    this.path = path;
  }
}

/** An asynchronous insights report that ended as "Job Failed" or "Job Skipped" (v25+ error fields when present). */
export class MetaAsyncJobError extends Error {
  readonly reportRunId: string;
  readonly status: string;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly userMessage: string | null;
  constructor(reportRunId: string, status: string, fields: { code: number | null; subcode: number | null; message: string | null; userTitle: string | null; userMessage: string | null }) {
    const detail = fields.userMessage ?? fields.message ?? 'Meta gave no reason';
    super(`Meta insights report ${reportRunId} ended as "${status}": ${detail}${fields.code === null ? '' : ` (code ${fields.code}${fields.subcode === null ? '' : `, subcode ${fields.subcode}`})`}`);
    this.name = 'MetaAsyncJobError';
    this.reportRunId = reportRunId;
    this.status = status;
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.userMessage = fields.userMessage;
  }
}

/** Meta throttled the caller for longer than the client is allowed to wait. */
export class MetaThrottledError extends Error {
  readonly waitMs: number;
  constructor(path: string, waitMs: number, maxWaitMs: number) {
    super(`Meta API ${path}: throttled; Meta estimates access returns in ${Math.ceil(waitMs / 60_000)} minute(s), longer than the ${Math.round(maxWaitMs / 60_000)} minute(s) this client waits. Try again later.`);
    this.name = 'MetaThrottledError';
    this.waitMs = waitMs;
  }
}
