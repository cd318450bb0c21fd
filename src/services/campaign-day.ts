// The calendar day a moment falls on for a campaign's rows: a LIVE campaign's rows are its ad
// account's days (Meta reports in the account's time zone); a campaign no sync stored is in UTC
// days, as imports and the STUB market date them.
import { accountToday } from '../meta/account-day.ts';
import type { Db } from '../store/db.ts';
import { campaignTimeZone } from '../store/meta.ts';
import { isoDate } from './dates.ts';

export async function campaignDayOf(db: Db, campaignId: string, at: Date): Promise<string> {
  const zone = await campaignTimeZone(db, campaignId);
  return zone === null ? isoDate(at) : accountToday(at, zone.timezoneName, zone.timezoneOffsetHours).today;
}
