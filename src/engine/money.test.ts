import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalShares, hasSubMinorDigits, parseMinor } from './money.ts';

describe('parseMinor', () => {
  // The digits rounded half away from zero in BigInt, whatever their length.
  const reference = (text: string, digits: number): number | null => {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text)!;
    const frac = (m[3] ?? '').padEnd(digits + 1, '0');
    const minor = BigInt((m[2] || '0') + frac.slice(0, digits)) + (frac.charCodeAt(digits) >= 53 ? 1n : 0n);
    return minor > BigInt(Number.MAX_SAFE_INTEGER) ? null : (m[1] === '-' ? -1 : 1) * Number(minor);
  };

  it('gives the exact minor units of any plain decimal, short or long', () => {
    const digitString = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max });
    fc.assert(fc.property(fc.constantFrom('', '-', '+'), digitString(18), fc.option(digitString(6)), fc.constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['KWD', 3] as const), (sign, whole, frac, [currency, digits]) => {
      fc.pre(whole !== '' || (frac ?? '') !== '');
      const text = `${sign}${whole}${frac === null ? '' : `.${frac}`}`;
      expect(parseMinor(text, currency)).toBe(reference(text, digits));
    }), { numRuns: 2000 });
    expect(parseMinor('0.125', 'EUR')).toBe(13);
    expect(parseMinor('999999999999999.99', 'EUR')).toBeNull();
    expect(parseMinor('12.5', 'JPY')).toBe(13);
  });
});

describe('hasSubMinorDigits', () => {
  it('finds exactly the amounts parseMinor would round: a nonzero digit below the minor unit', () => {
    fc.assert(fc.property(fc.nat(10_000_000), fc.constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['KWD', 3] as const), fc.nat(4), (minor, [currency, digits], extraZeros) => {
      // A whole number of minor units, written with trailing zeros or not, is exact.
      const text = digits === 0 ? `${minor}${extraZeros > 0 ? `.${'0'.repeat(extraZeros)}` : ''}` : `${Math.floor(minor / 10 ** digits)}.${String(minor % 10 ** digits).padStart(digits, '0')}${'0'.repeat(extraZeros)}`;
      expect(hasSubMinorDigits(text, currency)).toBe(false);
      expect(parseMinor(text, currency)).toBe(minor);
    }));
    expect(hasSubMinorDigits('12.345', 'EUR')).toBe(true);
    expect(hasSubMinorDigits('12.001', 'EUR')).toBe(true);
    expect(hasSubMinorDigits('100.5', 'JPY')).toBe(true);
    expect(hasSubMinorDigits('1.2345', 'KWD')).toBe(true);
    expect(hasSubMinorDigits('12', 'EUR')).toBe(false);
  });
});

describe('equalShares', () => {
  it('splits exactly, and rotates the remainder so no segment always gets it', () => {
    expect(equalShares(10, 3, 'x')).toHaveLength(3);
    expect(equalShares(10, 3, 'x').reduce((a, b) => a + b, 0)).toBe(10);
    const got = new Array<number>(6).fill(0);
    for (let d = 0; d < 600; d++) equalShares(3, 6, `a|${d}|conversions`).forEach((x, i) => (got[i]! += x));
    // 1,800 purchases over 6 segments: each near 300, none near 0 or 600.
    for (const g of got) expect(g).toBeGreaterThan(200);
  });
});
