// The public API over fetch with the user's token; every failure becomes an ApiFailure carrying the
// server's message (which names the field and the problem) for the page to show.
import type { ApiErrorBody } from './api-types.ts';

export class ApiFailure extends Error {
  readonly status: number;
  readonly body: ApiErrorBody | null;
  constructor(status: number, message: string, body: ApiErrorBody | null) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => {};

export function useToken(t: string | null, whenRefused: () => void): void {
  token = t;
  onUnauthorized = whenRefused;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT';
  json?: unknown;
  body?: Blob | ArrayBuffer;
  contentType?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/octet-stream';
    body = options.body;
  }
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiFailure(0, 'The server did not answer. Is `npm start` still running? Then reload the page.', null);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): the status line says what happened.
  }
  if (!res.ok) {
    const errorBody = parsed !== null && typeof parsed === 'object' && 'error' in parsed ? (parsed as ApiErrorBody) : null;
    if (res.status === 401 && path !== '/meta/targeting/session') onUnauthorized();
    throw new ApiFailure(res.status, errorBody?.error.message ?? `${res.status} ${res.statusText}`, errorBody);
  }
  return parsed as T;
}

/** The next page's cursor of a paginated answer, or null. */
export async function apiPage<T>(path: string): Promise<{ items: T[]; next: string | null }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorBody | null;
    if (res.status === 401) onUnauthorized();
    throw new ApiFailure(res.status, body?.error.message ?? `${res.status} ${res.statusText}`, body);
  }
  return { items: (await res.json()) as T[], next: res.headers.get('x-next-cursor') };
}
