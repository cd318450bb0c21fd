// Meta's insights days are the ad account's calendar days: "yesterday" for an account in
// America/Los_Angeles is not yesterday in UTC for eight hours of every day. The zone is the
// account's timezone_name; its timezone_offset_hours_utc stands in when the name is unknown here.

export interface AccountDay {
  /** Today in the account's zone, YYYY-MM-DD. */
  today: string;
  /** The zone the day was taken in: the IANA name, "UTC+h" from the offset, or "UTC" when Meta gave neither. */
  zone: string;
}

function dateIn(now: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The account's current calendar day at the instant `now` (an injected clock's reading). */
export function accountToday(now: Date, timezoneName: string | null, offsetHours: number | null): AccountDay {
  if (timezoneName !== null && timezoneName !== '') {
    try {
      return { today: dateIn(now, timezoneName), zone: timezoneName };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // A zone this Node's ICU does not know: the offset is next best.
    }
  }
  if (offsetHours !== null && Number.isFinite(offsetHours) && Math.abs(offsetHours) <= 14) {
    const shifted = new Date(now.getTime() + offsetHours * 3_600_000);
    return { today: shifted.toISOString().slice(0, 10), zone: `UTC${offsetHours >= 0 ? '+' : ''}${offsetHours}` };
  }
  return { today: now.toISOString().slice(0, 10), zone: 'UTC' };
}

/** The current UTC offset of an IANA zone in hours (as Meta's timezone_offset_hours_utc gives it), or null when unknown. */
export function zoneOffsetHours(now: Date, timezoneName: string): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezoneName, timeZoneName: 'longOffset' }).formatToParts(now);
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
    if (m === null) return null;
    if (m[1] === undefined) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60);
  } catch {
    return null;
  }
}
