// One error shape for every failure, {error: {code, message, requestId}}, and one map from code to
// HTTP status (the Unkey habit): handlers throw, the app's error handler answers. A 500 never
// carries the internal message or a stack; the request id lets an operator find it in the logs.

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  not_implemented: 501,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** The guardrail that refused an apply, when one did. */
  readonly rule: string | null;
  constructor(code: ErrorCode, message: string, rule: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
    this.rule = rule;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; rule?: string };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, rule: string | null = null): ErrorBody {
  return { error: { code, message, requestId, ...(rule === null ? {} : { rule }) } };
}

/** The code for a status that did not come with one of ours (Fastify's own 4xx errors). */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? 'internal_error' : 'bad_request';
}

/** A validation failure as one message naming the field: "body.mode: must be one of stub, live". */
export function validationMessage(context: string, errors: readonly { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }[]): string {
  const where = (path: string | undefined) => `${context}${(path ?? '').split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('')}`;
  // An unknown field is reported by two errors (the field itself and additionalProperties); the
  // additionalProperties one names it. The "schema is false" one says nothing useful.
  const useful = errors.filter((e) => !(e.keyword === 'boolean' && e.message === 'schema is false'));
  const e = useful[0] ?? errors[0];
  if (!e) return `${context}: invalid`;
  const extra = e.params?.additionalProperties;
  if (e.keyword === 'additionalProperties' && Array.isArray(extra)) {
    return `${where(e.instancePath)}: unknown field ${extra.map((f) => JSON.stringify(String(f).slice(0, 64))).join(', ')}`;
  }
  const missing = e.params?.requiredProperties;
  if (e.keyword === 'required' && Array.isArray(missing)) return `${missing.map((m) => `${where(e.instancePath)}.${String(m)}`).join(', ')}: is required`;
  const allowed = e.params?.allowedValues;
  if (Array.isArray(allowed)) return `${where(e.instancePath)}: must be one of ${allowed.join(', ')}`;
  return `${where(e.instancePath)}: ${e.message ?? 'is invalid'}`;
}
