-- The guardrails' ledger: every verdict on a change that was not a dry run. A blocked change is
-- kept with the rule that blocked it; a passed one with the budget it moved, which is what the
-- hourly limit and the daily cap count. A pass whose change Meta then refused is withdrawn: nothing
-- moved, so it no longer counts.
create table apply_guardrail_events (
  id bigserial primary key,
  recorded_at timestamptz not null,
  recommendation_id uuid references recommendations (recommendation_id),
  campaign_id text not null,
  adset_id text,
  mode text not null check (mode in ('stub', 'live')),
  outcome text not null check (outcome in ('passed', 'blocked', 'withdrawn')),
  rule text,
  message text not null,
  currency text not null,
  current_budget_minor bigint,
  proposed_budget_minor bigint not null,
  budget_change boolean not null,
  moved_minor bigint not null check (moved_minor >= 0),
  confidence double precision not null,
  actor text,
  check ((outcome = 'blocked') = (rule is not null))
);
create index apply_guardrail_events_adset_idx on apply_guardrail_events (campaign_id, adset_id, recorded_at desc);
create index apply_guardrail_events_moved_idx on apply_guardrail_events (currency, recorded_at desc) where outcome = 'passed' and budget_change;

-- The approval step: a manager proposes a recommendation, an admin approves it (which applies it
-- through the same path and guardrails) or rejects it.
create table apply_proposals (
  id bigserial primary key,
  recommendation_id uuid not null references recommendations (recommendation_id),
  campaign_id text not null,
  adset_id text,
  mode text not null check (mode in ('stub', 'live')),
  status text not null check (status in ('proposed', 'approved', 'rejected')),
  proposed_by text not null,
  proposed_at timestamptz not null,
  decided_by text,
  decided_at timestamptz,
  history_id bigint references targeting_history (id),
  note text
);
-- One open proposal per recommendation and mode: proposing it again returns the open one.
create unique index apply_proposals_open_idx on apply_proposals (recommendation_id, mode) where status = 'proposed';

-- Lookalike audiences made (or found) for recommendations. Meta takes hours to populate one; an ad
-- set that uses one is applied once it is ready.
create table meta_lookalikes (
  audience_id text primary key,
  account_id text not null,
  origin_audience_id text not null,
  -- Percent of the country's population (1, 3, 5): integers, so that equality is exact.
  ratio_pct integer not null check (ratio_pct between 1 and 20),
  countries text[] not null,
  name text not null,
  state text not null check (state in ('populating', 'ready', 'unusable')),
  -- Created by this product, or an identical one found on the account (Meta refuses duplicates).
  origin text not null check (origin in ('created', 'found')),
  created_at timestamptz not null,
  checked_at timestamptz not null,
  ready_at timestamptz,
  status_message text
);
create unique index meta_lookalikes_identity_idx on meta_lookalikes (account_id, origin_audience_id, ratio_pct, countries);
