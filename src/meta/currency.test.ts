import { describe, expect, it } from 'vitest';
import { metaMinorDigits, unsupportedAccountCurrency } from './currency.ts';

describe("Meta's currency offsets against the ISO digits the product keeps money in", () => {
  it('agree for the usual currencies, with or without a minor unit', () => {
    for (const c of ['EUR', 'USD', 'MXN', 'ARS', 'BRL', 'GBP', 'JPY', 'KRW', 'CLP', 'COP', 'HUF', 'IDR', 'ISK', 'PYG', 'VND']) expect([c, unsupportedAccountCurrency(c)]).toEqual([c, null]);
    expect([metaMinorDigits('JPY'), metaMinorDigits('EUR')]).toEqual([0, 2]);
  });
  it('disagree where Meta counts whole units of a currency ISO gives cents (TWD, CRC), or cents of one ISO gives mills (BHD, JOD): refused, naming why', () => {
    for (const c of ['TWD', 'CRC', 'BHD', 'JOD']) expect(unsupportedAccountCurrency(c)).toMatch(new RegExp(`^the ad account's currency ${c} has \\d decimal digit\\(s\\) in ISO 4217 but Meta counts its budgets with \\d`));
  });
});
