import { describe, expect, it } from 'vitest';
import { INTERVAL_HOURS } from '../config.ts';
import { cronForInterval } from './cron.ts';

describe('cronForInterval', () => {
  it('runs daily at 03:00 UTC and keeps 03:00 among shorter intervals', () => {
    expect(cronForInterval(24)).toBe('0 3 * * *');
    expect(cronForInterval(12)).toBe('0 3,15 * * *');
    expect(cronForInterval(6)).toBe('0 3,9,15,21 * * *');
    expect(cronForInterval(1)).toBe('0 * * * *');
  });

  it('spaces the hours exactly the interval apart, across midnight too', () => {
    for (const hours of INTERVAL_HOURS.filter((h) => h > 1)) {
      const list = cronForInterval(hours).split(' ')[1]!.split(',').map(Number);
      expect(list).toHaveLength(24 / hours);
      const gaps = list.map((h, i) => ((list[(i + 1) % list.length]! - h + 24) % 24) || 24);
      expect(new Set(gaps)).toEqual(new Set([hours]));
    }
  });

  it('refuses an interval that does not divide a day', () => {
    expect(() => cronForInterval(5)).toThrow(RangeError);
    expect(() => cronForInterval(48)).toThrow(RangeError);
  });
});
