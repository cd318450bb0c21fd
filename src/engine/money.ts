// Money crosses into the engine as integer minor units and leaves it as decimal major units.
// The number of minor digits is the currency's own (EUR 2, JPY 0, KWD 3), from the platform's
// ISO 4217 data rather than a hand-kept table.

const digitsCache = new Map<string, number>();

export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

export function toMajor(minor: number, currency: string): number {
  const digits = minorDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}

/** Minor units as a message shows them: 1234 EUR → "12.34 EUR", every digit the currency has. */
export function moneyText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

/**
 * Parses a plain decimal string ("1.429999948", "350", "-2.5") into integer minor units, rounding
 * half away from zero on the decimal digits themselves, never through a float, so that
 * "0.125" EUR is exactly 13 cents. Returns null when the text is not a plain decimal number.
 */
export function parseMinor(text: string, currency: string): number | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = minorDigits(currency);
  const sign = m[1] === '-' ? -1 : 1;
  const whole = m[2] === '' ? '0' : m[2]!;
  const frac = (m[3] ?? '').padEnd(digits + 1, '0');
  const kept = frac.slice(0, digits);
  const next = frac.charCodeAt(digits) - 48;
  const joined = whole + kept;
  // Up to 15 digits a double holds the integer exactly: the usual case, without a BigInt per amount.
  if (joined.length <= 15) return sign * (Number(joined) + (next >= 5 ? 1 : 0));
  let minor = BigInt(joined);
  if (next >= 5) minor += 1n;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return sign * Number(minor);
}

/** Whether a plain decimal string has nonzero digits below the currency's minor unit ("12.345" EUR), which parseMinor rounds away. */
export function hasSubMinorDigits(text: string, currency: string): boolean {
  const fraction = /\.(\d*)$/.exec(text)?.[1] ?? '';
  return /[1-9]/.test(fraction.slice(minorDigits(currency)));
}

/** Splits `total` minor units in proportion to `weights`, summing exactly to `total` (largest remainder). */
export function splitExact(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  const sum = weights.reduce((a, w) => a + w, 0);
  if (weights.length === 0) return [];
  if (!(sum > 0)) throw new RangeError('weights must have a positive sum');
  const raw = weights.map((w) => (total * w) / sum);
  const floors = raw.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - floors[i]! })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) floors[order[k % order.length]!.i]! += 1;
  return floors;
}

/**
 * `total` in k whole shares that differ by at most one. Which shares get the remainder rotates with
 * a hash of the ad set, day and metric: always giving it to the first-listed segments would, over a
 * month of 3 purchases a day shared by 6 interests, credit every purchase to the first three.
 */
export function equalShares(total: number, k: number, key: string): number[] {
  const base = Math.floor(total / k);
  const remainder = total - base * k;
  const shares = new Array<number>(k).fill(base);
  const start = fnv1a(key) % k;
  for (let j = 0; j < remainder; j++) shares[(start + j) % k]! += 1;
  return shares;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
