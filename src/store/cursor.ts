// Keyset pagination cursors: the sort key of the last row of a page, as base64url JSON. Clients
// treat them as opaque; a cursor that does not decode to the expected key shape is bad input.
import { InputError } from '../services/errors.ts';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor whose key has exactly the given element types; InputError('cursor') otherwise. */
export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  const bad = () => new InputError('cursor', 'is not a cursor this endpoint returned (pass the X-Next-Cursor value unchanged)');
  // 2 KiB of cursor is far more than any key we encode (the longest is four short values).
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(key) || key.length !== shape.length) throw bad();
  key.forEach((v, i) => {
    if (typeof v !== shape[i] || (typeof v === 'number' && !Number.isFinite(v))) throw bad();
  });
  return key as (string | number)[];
}
