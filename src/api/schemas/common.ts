import { type Static, Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code: bad_request, unauthorized, forbidden, not_found, conflict, unprocessable, payload_too_large, unsupported_media_type, rate_limited, internal_error, not_implemented, service_unavailable' }),
      message: Type.String({ description: 'What went wrong; a validation error names the field (body.mode, querystring.limit, params.recommendation_id)' }),
      requestId: Type.String({ description: 'Also in the X-Request-Id response header and the server log line of the request' }),
      rule: Type.Optional(Type.String({ description: 'Only when a guardrail refused an apply: the rule that blocked it (apply_disabled, approval_required, min_confidence, max_budget_change, hourly_budget_changes, daily_budget_moved)' })),
    }),
  },
  { $id: 'ErrorResponse', description: 'The one error shape of every endpoint' },
);

export const Mode = Type.Enum(['stub', 'live'], { description: 'stub (default): synthetic/simulated; live: the Meta Marketing API (a real ad account)' });
export type ModeValue = Static<typeof Mode>;

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
// Not blank, and no control characters: PostgreSQL text cannot hold NUL, and no id needs the others.
export const OpaqueId = Type.String({ minLength: 1, maxLength: 128, pattern: '^(?=.*\\S)[^\\u0000-\\u001F\\u007F]+$', description: 'An opaque id (campaign, ad set): 1 to 128 characters, not blank, no control characters' });

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size, 1 to 500 (default 50); out of range is a 400, not clamped' });
export const Cursor = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$', description: 'Opaque cursor from the X-Next-Cursor header of the previous page' });

export const pageHeaders = {
  'x-next-cursor': { type: 'string', description: 'Cursor of the next page; absent on the last page' },
  link: { type: 'string', description: 'RFC 8288 link to the next page (rel="next"); absent on the last page' },
} as const;

/** Standard error responses of an authenticated route. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries([400, 401, 403, 429, 500, ...statuses].map((s) => [s, Type.Ref('ErrorResponse')]));
}
