import type { ComponentChildren } from 'preact';
import { ApiFailure } from '../api.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** An error with what the user can do about it. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    error instanceof ApiFailure
      ? error.status === 403
        ? 'Your role may not do this; ask an admin for a manager or admin token.'
        : error.status === 401
          ? 'Sign in again with a fresh token.'
          : error.status === 0
            ? ''
            : error.status >= 500
              ? 'The server failed; the request id in its log tells the operator what happened.'
              : ''
      : '';
  return (
    <div class="state error" role="alert">
      <strong>Error:</strong> {message} {hint && <span>{hint}</span>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}
