-- Applying to real ad sets: a change is recorded before it is sent (state pending), then applied or
-- failed; what was sent to each ad set and what it held before is kept so that a rollback restores
-- it exactly; a rollback is its own row pointing at the row it undoes.
alter table targeting_history add column state text;
update targeting_history set state = case when success then 'applied' else 'failed' end;
alter table targeting_history alter column state set not null;
alter table targeting_history add constraint targeting_history_state_check check (state in ('pending', 'applied', 'failed'));
-- json, not jsonb: the ad sets' old targeting is sent back to Meta exactly as Meta returned it, key order included.
alter table targeting_history add column changes json;
-- Meta's error of a failed change: code, subcode, fbtrace_id and the message meant for people (never a token).
alter table targeting_history add column meta_error jsonb;
alter table targeting_history add column rolls_back_history_id bigint references targeting_history (id);
create index targeting_history_pending_idx on targeting_history (campaign_id) where state = 'pending';
create index targeting_history_recommendation_idx on targeting_history (recommendation_id) where recommendation_id is not null;
create unique index targeting_history_one_rollback_idx on targeting_history (rolls_back_history_id) where rolls_back_history_id is not null and state <> 'failed';

-- The ad sets a geo split created from an original one: one per country (or per pooled group of
-- countries under the minimum budget), found again by this mapping (and, without it, by name).
create table meta_adset_splits (
  source_adset_id text not null,
  group_key text not null,
  adset_id text not null,
  campaign_id text not null,
  name text not null,
  created_by_history_id bigint references targeting_history (id),
  created_at timestamptz not null,
  primary key (source_adset_id, group_key)
);
create unique index meta_adset_splits_adset_idx on meta_adset_splits (adset_id);
