// The schedule: runs at an anchor instant plus whole multiples of the interval (UTC). A day is the
// natural period of ad data: Meta settles a day's insights a few hours after midnight, so the
// default anchor is 03:00 UTC, and an interval that divides a day keeps 03:00 among its hours
// (every 6 hours: 03:00, 09:00, 15:00, 21:00).
//
// pg-boss schedules by cron expression, which can only repeat within a day: an interval that
// divides 24 hours gets its exact hours; any other (5 hours, 36, a week) ticks the cron hourly and
// the tick runs only in the hours of the series (isDueTick), so the spacing stays exact across
// midnight and restarts without any stored state.
import { MAX_INTERVAL_HOURS, MIN_INTERVAL_HOURS } from '../config.ts';

const HOUR_MS = 3_600_000;
const DEFAULT_ANCHOR_MS = Date.UTC(1970, 0, 1, 3, 0);

function check(hours: number): void {
  if (!Number.isInteger(hours) || hours < MIN_INTERVAL_HOURS || hours > MAX_INTERVAL_HOURS) {
    throw new RangeError(`interval ${hours} h is not a whole number of hours from ${MIN_INTERVAL_HOURS} to ${MAX_INTERVAL_HOURS}`);
  }
}

/** True when the interval repeats at the same hours every day, so the cron expression alone is the schedule. */
export function cronIsExact(hours: number): boolean {
  return 24 % hours === 0;
}

/** The cron expression (UTC) of the tick: the exact hours for a divisor of 24, else every hour at the anchor's minute. */
export function cronForInterval(hours: number, anchorMs: number = DEFAULT_ANCHOR_MS): string {
  check(hours);
  const anchor = new Date(anchorMs);
  const minute = anchor.getUTCMinutes();
  if (hours === 1 || !cronIsExact(hours)) return `${minute} * * * *`;
  const list: number[] = [];
  for (let h = anchor.getUTCHours() % hours; h < 24; h += hours) list.push(h);
  return `${minute} ${list.join(',')} * * *`;
}

/**
 * Whether a cron tick at `now` belongs to the series anchor + k × interval. The nearest hour of
 * the series counts when `now` is within half an hour of it (pg-boss fires a cron a few seconds
 * late, or once late after a pause with `missed: 'once'`).
 */
export function isDueTick(now: Date, hours: number, anchorMs: number = DEFAULT_ANCHOR_MS): boolean {
  check(hours);
  if (cronIsExact(hours)) return true;
  const slot = Math.round((now.getTime() - anchorMs) / HOUR_MS);
  const offset = Math.abs(now.getTime() - (anchorMs + slot * HOUR_MS));
  return offset < HOUR_MS / 2 && ((slot % hours) + hours) % hours === 0;
}

/** The first scheduled run at or after `from` (for messages and docs). */
export function nextRunAt(from: Date, hours: number, anchorMs: number = DEFAULT_ANCHOR_MS): Date {
  check(hours);
  const step = hours * HOUR_MS;
  const k = Math.ceil((from.getTime() - anchorMs) / step);
  return new Date(anchorMs + k * step);
}
