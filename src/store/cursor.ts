// Keyset pagination cursors: the sort key of the last row of a page, as base64url JSON. Clients
// treat them as opaque; a cursor is checked element by element against the key's kinds before
// any of it reaches SQL, so a tampered one (a number past bigint, a fraction where an id goes, a
// NUL in a string, a wrong shape) is bad input naming `cursor`, never a database error.
import { InputError } from '../engine/input-error.ts';

/**
 * int: a whole number from 0 to 2^53 - 1 (ids, counts; what a JavaScript number holds exactly);
 * text: a string of at most 256 characters without control characters (PostgreSQL text holds no NUL);
 * timestamp: an ISO 8601 UTC instant as Date.toISOString() writes it.
 */
export type CursorKind = 'int' | 'text' | 'timestamp';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function valid(v: unknown, kind: CursorKind): boolean {
  switch (kind) {
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    case 'text':
      return typeof v === 'string' && v.length <= 256 && !CONTROL.test(v);
    case 'timestamp':
      return typeof v === 'string' && ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
  }
}

/** Decodes a cursor whose key has exactly the given kinds; InputError('cursor') otherwise. */
export function decodeCursor(cursor: string, shape: readonly CursorKind[]): (string | number)[] {
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
    if (!valid(v, shape[i]!)) throw bad();
  });
  return key as (string | number)[];
}
