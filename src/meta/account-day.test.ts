import { describe, expect, it } from 'vitest';
import { accountToday, zoneOffsetHours } from './account-day.ts';

describe('the ad account\'s day', () => {
  // 23:30 UTC on 19 November: still the 19th in Los Angeles (15:30), already the 20th in Tokyo (08:30).
  const late = new Date('2026-11-19T23:30:00Z');

  it('is the calendar day in the account\'s time zone', () => {
    expect(accountToday(late, 'America/Los_Angeles', -8)).toEqual({ today: '2026-11-19', zone: 'America/Los_Angeles' });
    expect(accountToday(late, 'Asia/Tokyo', 9)).toEqual({ today: '2026-11-20', zone: 'Asia/Tokyo' });
    expect(accountToday(late, 'Europe/Madrid', 1)).toEqual({ today: '2026-11-20', zone: 'Europe/Madrid' });
    // Just after midnight UTC it is still the previous day in Los Angeles.
    expect(accountToday(new Date('2026-11-20T00:30:00Z'), 'America/Los_Angeles', -8).today).toBe('2026-11-19');
    expect(accountToday(new Date('2026-11-20T08:00:00Z'), 'America/Los_Angeles', -8).today).toBe('2026-11-20');
  });

  it('follows daylight saving time by the zone name, not a fixed offset', () => {
    // 07:30 UTC on 1 July is 00:30 PDT (UTC-7) but would be 23:30 of the day before at UTC-8.
    expect(accountToday(new Date('2026-07-01T07:30:00Z'), 'America/Los_Angeles', -8).today).toBe('2026-07-01');
  });

  it('falls back to the offset for an unknown zone name, and to UTC without either', () => {
    expect(accountToday(late, 'Not/AZone', 9)).toEqual({ today: '2026-11-20', zone: 'UTC+9' });
    expect(accountToday(late, null, -8)).toEqual({ today: '2026-11-19', zone: 'UTC-8' });
    expect(accountToday(late, null, 5.5)).toEqual({ today: '2026-11-20', zone: 'UTC+5.5' });
    expect(accountToday(late, null, null)).toEqual({ today: '2026-11-19', zone: 'UTC' });
  });

  it('gives a zone\'s current offset', () => {
    expect(zoneOffsetHours(late, 'Asia/Tokyo')).toBe(9);
    expect(zoneOffsetHours(late, 'America/Los_Angeles')).toBe(-8);
    expect(zoneOffsetHours(late, 'UTC')).toBe(0);
    expect(zoneOffsetHours(late, 'Asia/Kolkata')).toBe(5.5);
    expect(zoneOffsetHours(late, 'Not/AZone')).toBeNull();
  });
});
