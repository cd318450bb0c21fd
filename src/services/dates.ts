// Calendar arithmetic on YYYY-MM-DD strings: the engine's (src/engine/calendar.ts), for the adapters.
import { addCalendarDays as addCalendarDaysOf } from '../engine/calendar.ts';
export { addCalendarDays as addDays } from '../engine/calendar.ts';

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The latest day delivery can have happened by `now` anywhere: today in UTC, and a day more for time zones ahead of it. */
export function latestDeliveryDay(now: Date): string {
  return addCalendarDaysOf(isoDate(now), 1);
}
