-- Each targeting a sync saw an ad set hold, with when it was first and last seen: Meta does not say
-- what an ad set's targeting was on a past day, and a change made in Ads Manager is in no history
-- of ours. Between two syncs that saw different segments, the change falls after the earlier one's
-- last sight and no later than the ad set's updated_time at the later one's first sight; a day
-- re-read is credited to what held it, and a day in between to no segment.
create table meta_adset_targetings_seen (
  adset_id text not null,
  campaign_id text not null,
  -- The credited segments (interests, behaviors, custom audiences), as compared between syncs.
  segments_key text not null,
  targeting jsonb not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  -- Meta's updated_time at the first sight: no change of the ad set came later than it.
  updated_at timestamptz,
  primary key (adset_id, first_seen_at)
);
create index meta_adset_targetings_seen_campaign_idx on meta_adset_targetings_seen (campaign_id);
