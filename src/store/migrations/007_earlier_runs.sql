-- What a run was told about the campaign's earlier runs: the previous
-- geo split that bounds the change per run, and the segments resting after fatigue. Part of the
-- decision inputs so that `explain --replay` recomputes with exactly the same. Null: a run stored
-- before this column existed, or a first run with nothing earlier.
alter table decision_inputs add column earlier_runs jsonb;
