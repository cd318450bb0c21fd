// The schedule as a cron expression (UTC). A day is the natural period of ad data: Meta settles a
// day's insights a few hours after midnight, so the daily run is at 03:00 UTC, and shorter
// intervals keep 03:00 among their hours (every 6 hours: 03:00, 09:00, 15:00, 21:00).
import { INTERVAL_HOURS } from '../config.ts';

const DAILY_HOUR = 3;

export function cronForInterval(hours: number): string {
  if (!INTERVAL_HOURS.includes(hours)) throw new RangeError(`interval ${hours} h does not divide a day (one of ${INTERVAL_HOURS.join(', ')})`);
  if (hours === 1) return '0 * * * *';
  const list: number[] = [];
  for (let h = DAILY_HOUR % hours; h < 24; h += hours) list.push(h);
  return `0 ${list.join(',')} * * *`;
}
