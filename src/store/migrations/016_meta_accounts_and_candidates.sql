-- The ad account as LIVE mode last read it: its time zone decides which day is "yesterday" for
-- Meta (a day's insights are the account's calendar day, not UTC's).
create table meta_accounts (
  account_id text primary key,
  name text,
  currency text not null,
  timezone_name text,
  timezone_offset_hours double precision,
  synced_at timestamptz not null
);

-- Interests found by discovery for a campaign: suggested by Meta next to the campaign's
-- best-scoring interests, still valid, with Meta's audience size bounds. They have no delivery of
-- their own, so the engine may give them an exploration slot only. Replaced whole by each sync.
create table meta_interest_candidates (
  campaign_id text not null,
  interest_id text not null,
  name text not null,
  size_lower int8 not null check (size_lower > 0),
  size_upper int8 not null check (size_upper >= size_lower),
  -- The names of the interests the suggestion was seeded with: why it is a candidate.
  seeds text[] not null,
  discovered_at timestamptz not null,
  primary key (campaign_id, interest_id)
);
