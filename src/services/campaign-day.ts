// The calendar day a moment falls on for a campaign's rows: a LIVE campaign's rows are its ad
// account's days (Meta reports in the account's time zone); a campaign no sync stored is in UTC
// days, as imports and the STUB market date them.
import { accountToday } from '../meta/account-day.ts';
import type { Db } from '../store/db.ts';
import { campaignTimeZone } from '../store/meta.ts';
import { isoDate } from './dates.ts';

/** A campaign's day of a moment, each campaign's time zone read once however many moments are asked. */
export function campaignDays(db: Db): (campaignId: string, at: Date) => Promise<string> {
  const zones = new Map<string, ReturnType<typeof campaignTimeZone>>();
  return async (campaignId, at) => {
    if (!zones.has(campaignId)) zones.set(campaignId, campaignTimeZone(db, campaignId));
    const zone = await zones.get(campaignId)!;
    return zone === null ? isoDate(at) : accountToday(at, zone.timezoneName, zone.timezoneOffsetHours).today;
  };
}

export async function campaignDayOf(db: Db, campaignId: string, at: Date): Promise<string> {
  return campaignDays(db)(campaignId, at);
}
