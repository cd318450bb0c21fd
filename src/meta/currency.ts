// Meta counts an ad account's money in its currency's "offset" (the Marketing API's currencies
// table): a budget of 1000 is 10.00 where the offset is 100, and 1000 where it is 1. The product
// keeps money in the currency's ISO 4217 minor units, and reads Meta's budgets and its spend
// figures as one unit; a currency whose offset disagrees with its ISO digits would mix two units.
import { minorDigits } from '../engine/money.ts';

/** The currencies Meta counts with an offset of 1 (no minor unit); every other has 100. */
const OFFSET_ONE: ReadonlySet<string> = new Set(['CLP', 'COP', 'CRC', 'HUF', 'IDR', 'ISK', 'JPY', 'KRW', 'PYG', 'TWD', 'VND']);

/** The digits of Meta's minor unit for the currency: 0 where its offset is 1, 2 where it is 100. */
export function metaMinorDigits(currency: string): number {
  return OFFSET_ONE.has(currency) ? 0 : 2;
}

/** Why the product cannot read an account in this currency, or null when Meta's unit and the ISO one agree. */
export function unsupportedAccountCurrency(currency: string): string | null {
  const iso = minorDigits(currency);
  const meta = metaMinorDigits(currency);
  if (iso === meta) return null;
  return `the ad account's currency ${currency} has ${iso} decimal digit(s) in ISO 4217 but Meta counts its budgets with ${meta} (offset ${10 ** meta}): budgets and spend would be read in units 10^${Math.abs(iso - meta)} apart, so LIVE mode does not read or change accounts in ${currency}`;
}
