import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ageBucket, calendarDate, countryCode, countryNames, currencyCode, dateProblem, DECIMAL_NUMBER, genderOf, lateDateProblem,
  hasControlCharacter, isCalendarDate, locateNamedColumns, isScientificNotation, looksLocaleFormatted, MAX_ID_LENGTH, metaBucketContaining,
  NEGATIVE_NUMBER, numericIdText, STRICT_DECIMAL_NUMBER, utcDay, validCurrency, WHOLE_NUMBER,
} from './field-rules.ts';

describe('field rules: ids', () => {
  it('keeps one id length limit', () => {
    expect(MAX_ID_LENGTH).toBe(128);
  });

  it('recognises the scientific notation a spreadsheet gives a long numeric id', () => {
    for (const t of ['1.20253E+17', '1,20253E+17', '1e5', '-2.5e-3', '12E3']) expect(isScientificNotation(t), t).toBe(true);
    for (const t of ['120253000000000017', 'e5', '1.2.3e4', 'abc', '1e', 'campaign-1e5']) expect(isScientificNotation(t), t).toBe(false);
  });

  it('accepts a numeric id cell only when a spreadsheet cannot have rounded it', () => {
    expect(numericIdText(0)).toBe('0');
    expect(numericIdText(999_999_999_999_999)).toBe('999999999999999');
    expect(numericIdText(1e15)).toBeNull();
    expect(numericIdText(Number("120253000000000017"))).toBeNull();
    expect(numericIdText(-1)).toBeNull();
    expect(numericIdText(1.5)).toBeNull();
    expect(numericIdText(Number.NaN)).toBeNull();
  });

  it('finds control characters', () => {
    expect(hasControlCharacter('Purchase')).toBe(false);
    expect(hasControlCharacter('Pur\tchase')).toBe(true);
    expect(hasControlCharacter('a\u007f')).toBe(true);
    expect(hasControlCharacter('Compra ñ')).toBe(false);
  });
});

describe('field rules: dates', () => {
  it('accepts real calendar days only', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('1900-02-29', 1)).toBe(false);
    expect(isCalendarDate('1904-02-29', 1)).toBe(true);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(isCalendarDate(' 2026-01-01')).toBe(false);
  });

  it('refuses every year before 2000 in every importer, and says why', () => {
    expect(isCalendarDate('0024-01-01')).toBe(false);
    expect(isCalendarDate('1999-12-31')).toBe(false);
    expect(isCalendarDate('2000-01-01')).toBe(true);
    expect(dateProblem('date', '0024-05-01')).toBe('date is in the year 0024, before 2000: no ad delivery is that old (a mistyped year?)');
    expect(dateProblem('date', '2024-02-30')).toBe('date must be a real calendar date written YYYY-MM-DD');
    expect(dateProblem('date', '2024-02-29')).toBeNull();
  });

  it('refuses a day after the latest day delivery can have reached, in the same words for every importer', () => {
    expect(lateDateProblem('reporting_end', '2062-11-20', '2026-11-21')).toBe('reporting_end 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)');
    expect(dateProblem('date', '2062-11-20', '2026-11-21')).toBe(lateDateProblem('date', '2062-11-20', '2026-11-21'));
    expect(lateDateProblem('date', '2026-11-21', '2026-11-21')).toBeNull();
    expect(lateDateProblem('date', '2062-11-20', undefined)).toBeNull();
  });

  it('agrees with Date.UTC from year 100 on, and writes the date as the importers always have', () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 33 }), (y, m, d) => {
      const t = new Date(Date.UTC(y, m - 1, d));
      const real = t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
      const pad = (n: number) => String(n).padStart(2, '0');
      expect(calendarDate(y, m, d, 100)).toBe(real ? `${y}-${pad(m)}-${pad(d)}` : null);
    }));
  });

  it('reads a spreadsheet date cell as its UTC day', () => {
    expect(utcDay(new Date(Date.UTC(2026, 0, 5, 23, 30)))).toBe('2026-01-05');
  });
});

describe('field rules: numbers', () => {
  it('tells whole, decimal and negative numbers apart', () => {
    expect(['12', '12.00', '0'].every((t) => WHOLE_NUMBER.test(t))).toBe(true);
    expect(['12.5', '-1', '', '1e3'].some((t) => WHOLE_NUMBER.test(t))).toBe(false);
    expect(['12', '12.5', '12.', '.5'].every((t) => DECIMAL_NUMBER.test(t))).toBe(true);
    expect(['-1', '1,5', '.', ''].some((t) => DECIMAL_NUMBER.test(t))).toBe(false);
    expect(STRICT_DECIMAL_NUMBER.test('12.')).toBe(false);
    expect(STRICT_DECIMAL_NUMBER.test('1.429999948')).toBe(true);
    expect(NEGATIVE_NUMBER.test('-0.5')).toBe(true);
    expect(NEGATIVE_NUMBER.test('-')).toBe(false);
  });

  it('recognises numbers written in a spreadsheet locale', () => {
    for (const t of ['1,250.50', '1.250,50', '1 250', "1'250", '7.350', '12,5']) expect(looksLocaleFormatted(t), t).toBe(true);
    for (const t of ['1250.50', '12', '0.75', '1.25']) expect(looksLocaleFormatted(t), t).toBe(false);
  });
});

describe('field rules: countries, ages, genders, currencies', () => {
  it('reads ISO country codes in any case, Kosovo included', () => {
    expect(countryCode('ES')).toBe('ES');
    expect(countryCode('es')).toBe('ES');
    expect(countryCode('XK')).toBe('XK');
    expect(countryCode('UK')).toBeNull();
    expect(countryCode('')).toBeNull();
  });

  it('reads English and Spanish country names', () => {
    const names = countryNames((t) => t.trim().toLowerCase().normalize('NFD').replace(/\p{Diacritic}/gu, ''));
    expect(names.get('spain')).toBe('ES');
    expect(names.get('espana')).toBe('ES');
    expect(names.get('uk')).toBe('GB');
    expect(names.get('es')).toBe('ES');
    expect(names.get('atlantis')).toBeUndefined();
  });

  it('reads Meta age buckets exactly, and places narrower buckets in the one that contains them', () => {
    expect(ageBucket('25-34')).toBe('25-34');
    expect(ageBucket('65+')).toBe('65+');
    expect(ageBucket('25 - 34')).toBeNull();
    expect(metaBucketContaining('30-34')).toBe('25-34');
    expect(metaBucketContaining('45-49')).toBe('45-54');
    expect(metaBucketContaining('30-39')).toBeNull();
  });

  it('reads genders and their one-letter forms in any case', () => {
    expect(genderOf('male')).toBe('male');
    expect(genderOf('F')).toBe('female');
    expect(genderOf('Unknown')).toBe('unknown');
    expect(genderOf('x')).toBeNull();
  });

  it('accepts only currencies that exist', () => {
    expect(currencyCode('eur')).toBe('EUR');
    expect(currencyCode('ABC')).toBeNull();
    expect(currencyCode(' EUR')).toBeNull();
    expect(validCurrency(' usd ')).toBe('USD');
    expect(validCurrency('')).toBeNull();
  });
});

describe('field rules: headers of the project\'s own formats', () => {
  it('places each column and reports unknown, repeated and missing ones', () => {
    const ok = locateNamedColumns(['b', ' a '], ['a', 'b', 'c'], ['a'], 'test');
    expect(ok).toEqual({ index: { a: 1, b: 0, c: -1 }, problems: [] });
    const bad = locateNamedColumns(['A', 'b', 'b', 'x'], ['a', 'b'], ['a'], 'test');
    expect(bad.problems).toEqual([
      'unknown column "A" at position 1 (column names are lower case: "a"); the test columns are a,b',
      'duplicate column "b" at positions 2 and 3',
      'unknown column "x" at position 4; the test columns are a,b',
      'missing required column "a"',
    ]);
  });
});
