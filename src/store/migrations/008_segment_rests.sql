-- Segments resting after fatigue. A `bayes` run that finds a segment fatigued
-- starts a rest (since = the last day of the snapshot it decided from) and a later run that lets it
-- back ends it; both in the run's own transaction, so a failed run leaves no rest behind. The rests
-- in force (ended_run_id null) are what the next run is told (decision_inputs.earlier_runs.resting).
-- A table rather than a reading of earlier recommendations' reasoning: the trace is text for people,
-- and a rest must survive runs whose recommendations do not mention the segment at all.
create table segment_rests (
  campaign_id text not null,
  -- '' for a campaign without ad sets, as in insights.
  adset_id text not null,
  segment_type text not null,
  segment_id text not null,
  since date not null,
  started_run_id uuid not null references runs (run_id),
  ended_run_id uuid references runs (run_id),
  primary key (campaign_id, adset_id, segment_type, segment_id, since)
);
create index segment_rests_in_force_idx on segment_rests (campaign_id) where ended_run_id is null;
