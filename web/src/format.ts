// Numbers and money in the browser's locale; money in the account's currency.
const locale = navigator.languages?.[0] ?? navigator.language ?? 'en';

const cache = new Map<string, Intl.NumberFormat>();
function fmt(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

export const DASH = '–';

export function money(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return DASH;
  return fmt(`money:${currency}`, { style: 'currency', currency }).format(amount);
}

/** Minor units (cents) to major units by the currency's own number of decimals. */
export function fromMinor(minor: number, currency: string): number {
  const digits = fmt(`money:${currency}`, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return minor / 10 ** digits;
}

export function percent(share: number | null | undefined, digits = 2): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return fmt(`pct:${digits}`, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share);
}

export function number(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return fmt(`num:${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

export function ratio(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : `${number(n, 2)}×`;
}

export function dateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return DASH;
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  return ms < 1000 ? `${number(ms)} ms` : `${number(ms / 1000, 1)} s`;
}

/** A signed relative change, "+12.3 %", or a dash when either side is unknown. */
export function change(before: number | null, after: number | null): string {
  if (before === null || after === null || before === 0) return DASH;
  const c = after / before - 1;
  return `${c >= 0 ? '+' : ''}${percent(c, 1)}`;
}
