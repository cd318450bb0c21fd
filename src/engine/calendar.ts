// Calendar arithmetic on YYYY-MM-DD strings, in UTC so that no time zone or DST shift moves a day.
// Date.UTC only converts the given fields: no clock is read, so the engine stays pure.

const DAY_MS = 86_400_000;

function utcMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/** date + days. */
export function addCalendarDays(date: string, days: number): string {
  return new Date(utcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from start to end, both included. */
export function inclusiveDays(start: string, end: string): number {
  return Math.round((utcMs(end) - utcMs(start)) / DAY_MS) + 1;
}
