-- What LIVE mode reads of a Meta ad account besides its insights: the structure recommendations
-- must respect (each ad set's current targeting, budget and status; each campaign's special ad
-- categories and budget mode) and the custom audiences with their size bounds.
create table meta_campaigns (
  campaign_id text primary key,
  account_id text not null,
  name text,
  objective text,
  status text,
  effective_status text,
  special_ad_categories text[] not null default '{}',
  budget_mode text not null check (budget_mode in ('campaign', 'adset')),
  daily_budget_minor bigint,
  lifetime_budget_minor bigint,
  synced_at timestamptz not null
);

create table meta_adsets (
  adset_id text primary key,
  campaign_id text not null,
  name text,
  status text,
  effective_status text,
  daily_budget_minor bigint,
  lifetime_budget_minor bigint,
  optimization_goal text,
  -- Kept whole: Meta replaces the targeting spec whole on update, so a change starts from it.
  targeting jsonb not null,
  synced_at timestamptz not null
);
create index meta_adsets_campaign_idx on meta_adsets (campaign_id);

create table meta_custom_audiences (
  audience_id text primary key,
  account_id text not null,
  name text,
  subtype text,
  size_lower bigint,
  size_upper bigint,
  synced_at timestamptz not null
);

-- The last day a sync read after Meta had finished it: the next sync starts from there, less the look-back.
create table meta_sync_state (
  campaign_id text primary key,
  last_complete_date date not null,
  synced_at timestamptz not null
);

-- Meta has no interest or behavior breakdown: a segment's rows are credited from the ad sets whose
-- targeting holds it. This says, per segment, from how many ad sets (and which) its evidence came.
create view meta_segment_evidence as
  select campaign_id, segment_type, segment_id, max(segment_name) as segment_name,
    count(distinct adset_id)::int as adsets, array_agg(distinct adset_id order by adset_id) as adset_ids,
    min(date) as first_date, max(date) as last_date
  from insights
  where source = 'meta' and segment_type in ('interest', 'behavior', 'custom_audience', 'lookalike')
  group by campaign_id, segment_type, segment_id;
