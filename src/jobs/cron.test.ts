import { describe, expect, it } from 'vitest';
import { parseFirstRunUtc } from '../config.ts';
import { cronForInterval, isDueTick, nextRunAt } from './cron.ts';

const at = (text: string) => new Date(text);
const anchor = (text: string) => parseFirstRunUtc(text)!;

describe('cronForInterval', () => {
  it('runs daily at 03:00 UTC by default and keeps 03:00 among shorter intervals', () => {
    expect(cronForInterval(24)).toBe('0 3 * * *');
    expect(cronForInterval(12)).toBe('0 3,15 * * *');
    expect(cronForInterval(6)).toBe('0 3,9,15,21 * * *');
    expect(cronForInterval(1)).toBe('0 * * * *');
  });

  it('follows the configured first run, minute included', () => {
    expect(cronForInterval(24, anchor('05:30'))).toBe('30 5 * * *');
    expect(cronForInterval(8, anchor('23:15'))).toBe('15 7,15,23 * * *');
  });

  it('spaces the hours exactly the interval apart, across midnight too', () => {
    for (const hours of [2, 3, 4, 6, 8, 12, 24]) {
      const list = cronForInterval(hours).split(' ')[1]!.split(',').map(Number);
      expect(list).toHaveLength(24 / hours);
      const gaps = list.map((h, i) => ((list[(i + 1) % list.length]! - h + 24) % 24) || 24);
      expect(new Set(gaps)).toEqual(new Set([hours]));
    }
  });

  it('ticks hourly for an interval that does not divide a day, and refuses intervals outside 1..168', () => {
    expect(cronForInterval(5)).toBe('0 * * * *');
    expect(cronForInterval(168, anchor('04:45'))).toBe('45 * * * *');
    for (const bad of [0, 169, 1.5]) expect(() => cronForInterval(bad)).toThrow(RangeError);
  });
});

describe('isDueTick', () => {
  it('lets every tick of an exact (divisor of 24) schedule run', () => {
    expect(isDueTick(at('2026-12-05T15:00:00Z'), 6)).toBe(true);
  });

  it('runs a 5-hour schedule exactly 5 hours apart across midnight, from the anchor', () => {
    const due: string[] = [];
    for (let h = 0; h < 48; h++) {
      const t = new Date(Date.UTC(2026, 11, 5, h, 0, 4));
      if (isDueTick(t, 5)) due.push(t.toISOString().slice(0, 13));
    }
    const gaps = due.slice(1).map((d, i) => (Date.parse(`${d}:00Z`) - Date.parse(`${due[i]}:00Z`)) / 3_600_000);
    expect(due.length).toBeGreaterThan(8);
    expect(new Set(gaps)).toEqual(new Set([5]));
    // 1970-01-01T03:00Z + k × 5 h: 03:00 recurs every 5 days.
    expect(due.every((d) => (Date.parse(`${d}:00Z`) - Date.UTC(1970, 0, 1, 3)) % (5 * 3_600_000) === 0)).toBe(true);
  });

  it('runs a weekly schedule anchored on a date-time only in that hour of that weekday', () => {
    const monday = anchor('2026-12-07T06:00Z');
    expect(isDueTick(at('2026-12-14T06:00:10Z'), 168, monday)).toBe(true);
    expect(isDueTick(at('2026-12-14T06:20:00Z'), 168, monday)).toBe(true);
    expect(isDueTick(at('2026-12-14T07:00:00Z'), 168, monday)).toBe(false);
    expect(isDueTick(at('2026-12-13T06:00:00Z'), 168, monday)).toBe(false);
    expect(nextRunAt(at('2026-12-08T00:00:00Z'), 168, monday).toISOString()).toBe('2026-12-14T06:00:00.000Z');
  });
});
