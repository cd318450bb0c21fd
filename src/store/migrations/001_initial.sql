-- Absent dimensions are '' rather than NULL so that the natural key below can be a primary key
-- and re-importing the same rows replaces them instead of counting them twice.
create table insights (
  date date not null,
  campaign_id text not null,
  adset_id text not null default '',
  segment_type text not null default '',
  segment_id text not null default '',
  segment_name text not null default '',
  country text not null default '',
  age text not null default '',
  gender text not null default '',
  impressions bigint not null check (impressions >= 0),
  reach bigint check (reach >= 0),
  clicks bigint not null check (clicks >= 0),
  conversions bigint check (conversions >= 0),
  spend_minor bigint not null check (spend_minor >= 0),
  revenue_minor bigint check (revenue_minor >= 0),
  currency text not null,
  source text not null,
  imported_at timestamptz not null default now(),
  primary key (campaign_id, date, adset_id, segment_type, segment_id, country, age, gender)
);

create table campaigns (
  campaign_id text primary key,
  name text,
  currency text not null,
  source text not null,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table pixel_events (
  campaign_id text not null,
  event_name text not null,
  content_category text not null default '',
  count bigint not null check (count >= 0),
  primary key (campaign_id, event_name, content_category)
);

create table segment_performance (
  segment_type text not null,
  segment_id text not null,
  currency text not null,
  segment_name text not null,
  total_impressions bigint not null,
  total_clicks bigint not null,
  total_conversions bigint,
  total_spend_minor bigint not null,
  total_revenue_minor bigint,
  avg_ctr double precision,
  avg_cvr double precision,
  avg_roas double precision,
  campaigns_count integer not null,
  last_used date not null,
  is_fatigued boolean not null,
  fatigue_reason text,
  updated_at timestamptz not null default now(),
  primary key (segment_type, segment_id, currency)
);
create index segment_performance_type_idx on segment_performance (segment_type, total_impressions desc);

create table runs (
  run_id uuid primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  mode text not null check (mode in ('stub', 'live')),
  strategy text not null,
  campaign_ids text[] not null,
  total_budget_minor bigint,
  currency text,
  started_at timestamptz not null,
  finished_at timestamptz,
  duration_ms integer,
  recommendations_count integer not null default 0,
  error text
);
create index runs_started_idx on runs (started_at desc);

create table recommendations (
  recommendation_id uuid primary key,
  run_id uuid not null references runs (run_id),
  campaign_id text not null,
  adset_id text,
  created_at timestamptz not null,
  currency text not null,
  total_budget_minor bigint not null,
  confidence double precision not null,
  expected_roas double precision not null,
  document jsonb not null
);
create index recommendations_campaign_idx on recommendations (campaign_id, created_at desc);

create table targeting_history (
  id bigserial primary key,
  run_id uuid references runs (run_id),
  recommendation_id uuid references recommendations (recommendation_id),
  campaign_id text not null,
  adset_id text,
  mode text not null,
  dry_run boolean not null,
  applied_at timestamptz not null,
  old_targeting jsonb,
  new_targeting jsonb not null,
  before_ctr double precision,
  before_cvr double precision,
  before_roas double precision,
  after_ctr double precision,
  after_cvr double precision,
  after_roas double precision,
  success boolean not null,
  error_message text
);
create index targeting_history_campaign_idx on targeting_history (campaign_id, applied_at desc);
