-- What each run decided from, so that `explain --replay` can recompute any of its recommendations
-- and check that the result is still the same. One row per run: every ad set of a run is decided
-- from the same campaign snapshot, budget and settings. Written in the run's own transaction, so a
-- completed run always has it; runs stored before this migration have none (and cannot be replayed).
-- input_hash: sha256 (hex) of the canonical JSON (keys sorted) of {snapshot, total_budget_minor,
-- settings}, taken before storing, so that a stored snapshot changed afterwards is detected.
-- strategy_version: the engine version (src/engine/version.ts) that decided.
-- random_seed: null while every strategy is deterministic; a seeded exploration strategy stores its seed.
create table decision_inputs (
  run_id uuid primary key references runs (run_id),
  campaign_id text not null,
  input_hash text not null check (input_hash ~ '^[0-9a-f]{64}$'),
  snapshot jsonb not null,
  total_budget_minor bigint not null check (total_budget_minor > 0),
  settings jsonb not null,
  strategy text not null,
  strategy_version integer not null,
  random_seed text,
  created_at timestamptz not null
);
