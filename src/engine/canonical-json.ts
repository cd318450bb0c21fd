/**
 * Canonical JSON: JSON.stringify's text with every object's keys sorted (by UTF-16 code units,
 * recursively), so that two equal values give the same text whatever order their keys were built
 * or stored in. PostgreSQL's jsonb reorders keys (shorter first), so a snapshot read back from the
 * store hashes the same as the one the engine received only through this form.
 *
 * A value JSON cannot carry faithfully is refused rather than silently changed: a non-finite
 * number (JSON.stringify would write null, and a replay would then decide on null), undefined, a
 * function, a symbol or a bigint anywhere except as an object property whose value is undefined
 * (omitted, as JSON.stringify omits it and as the stored jsonb then lacks it).
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, which JSON cannot hold`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${path}[${i}]`)).join(',')}]`;
      if (value instanceof Date) throw new TypeError(`canonical JSON: ${path} is a Date; store it as an ISO string`);
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort(compareCodeUnits);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

// Array.prototype.sort's default order compares UTF-16 code units too; spelled out so that the
// order does not depend on a locale (localeCompare would).
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
