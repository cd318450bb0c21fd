-- Holdout experiments: the latest run's recommendations of a campaign applied
-- to a random share of its ad sets (treatment) while the others keep their targeting (holdout).
-- seed: the 32-bit seed of the draw, derived from the run id (deriveSeed(run_id, 'holdout')), so
-- the assignment can be recomputed and audited; assignment: [{adset_id, arm, recommendation_id,
-- history_id}] in ad set id order. Rows are only ever inserted.
create table experiments (
  experiment_id uuid primary key,
  campaign_id text not null,
  run_id uuid not null references runs (run_id),
  holdout_share double precision not null check (holdout_share >= 0 and holdout_share <= 0.5),
  seed bigint not null,
  started_at timestamptz not null,
  assignment jsonb not null
);
create index experiments_campaign_idx on experiments (campaign_id, started_at desc);

-- Each ad set's history row says which arm it was in. A holdout row records the withheld
-- recommendation (recommendation_id) and keeps the old targeting as the new one; when the ad set
-- never had a targeting applied through us, that is unknown, hence new_targeting may now be null.
alter table targeting_history add column experiment_id uuid references experiments (experiment_id);
alter table targeting_history add column experiment_arm text check (experiment_arm in ('treatment', 'holdout'));
alter table targeting_history alter column new_targeting drop not null;
