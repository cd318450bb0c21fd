// Calendar arithmetic on YYYY-MM-DD strings: the engine's (src/engine/calendar.ts), for the adapters.
export { addCalendarDays as addDays } from '../engine/calendar.ts';

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
