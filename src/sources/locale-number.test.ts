import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addEvidence, decideDecimal, decimalShownBy, emptyEvidence, normaliseNumber } from './locale-number.ts';

const read = (text: string, decimal: '.' | ',', isCount = false) => {
  const r = normaliseNumber(text, decimal, isCount);
  return r.ok ? r.text : `error: ${r.message}`;
};

describe('locale numbers', () => {
  it('lets a cell decide its own decimal mark when it can', () => {
    expect(decimalShownBy('1,250.50', false)).toBe('.');
    expect(decimalShownBy('1.250,50', false)).toBe(',');
    expect(decimalShownBy('12,5', false)).toBe(',');
    expect(decimalShownBy('0.75', false)).toBe('.');
    expect(decimalShownBy('1.204.500', false)).toBe(',');
    expect(decimalShownBy('1,204,500', false)).toBe('.');
    // A count cannot be 1.204: the dot is a thousands separator, so the decimal mark is the comma.
    expect(decimalShownBy('1.204', true)).toBe(',');
    expect(decimalShownBy('1,250', false)).toBeNull();
    expect(decimalShownBy('1250', false)).toBeNull();
  });

  it('reads unambiguous cells the same whatever the file decided', () => {
    for (const decimal of ['.', ','] as const) {
      expect(read('1,250.50', decimal)).toBe('1250.50');
      expect(read('1.250,50', decimal)).toBe('1250.50');
      expect(read('12,5', decimal)).toBe('12.5');
      expect(read('1.204', decimal, true)).toBe('1204');
      expect(read('1 250,50', decimal)).toBe('1250.50');
    }
  });

  it('reads the ambiguous "1,250" with the file\'s decimal mark', () => {
    expect(read('1,250', '.')).toBe('1250');
    expect(read('1,250', ',')).toBe('1.250');
    expect(read('1.250', '.')).toBe('1.250');
    expect(read('1.250', ',')).toBe('1250');
  });

  it('keeps percentages apart and refuses what is not a number', () => {
    expect(normaliseNumber('1,50 %', ',', false)).toEqual({ ok: true, text: '1.50', percent: true });
    expect(read('-3,00', ',')).toMatch(/negative/);
    expect(read('1,2,3', ',')).toMatch(/more than once/);
    expect(read('1.2345,6', '.')).toMatch(/wrong place/);
    expect(read('abc', '.')).toMatch(/not a number/);
  });

  it('decides the file from the majority of its evidence, else from the header language', () => {
    const evidence = emptyEvidence();
    for (const t of ['1.250,50', '98.400', '3,10', '1,250']) addEvidence(evidence, t, t === '98.400');
    expect(evidence).toMatchObject({ comma: 3, dot: 0 });
    expect(decideDecimal(evidence, '.', 'English headers').decimal).toBe(',');
    const none = decideDecimal(emptyEvidence(), ',', 'Spanish headers: decimal comma');
    expect(none).toEqual({ decimal: ',', decidedBy: 'no cell shows the decimal mark; Spanish headers: decimal comma' });
  });

  it('reads back any amount that en-US or es-ES formatting wrote, with the decision its file shows', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.constantFrom('en-US', 'es-ES'), (cents, locale) => {
      // es-ES groups four-digit numbers only from 10,000 on; useGrouping 'always' is what exports do.
      const format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always' });
      const text = format.format(cents / 100);
      const decimal = locale === 'en-US' ? '.' : ',';
      const r = normaliseNumber(text, decimal, false);
      expect(r.ok && Math.round(Number(r.text) * 100)).toBe(cents);
    }));
  });
});
