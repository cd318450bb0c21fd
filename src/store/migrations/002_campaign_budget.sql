-- The campaign's daily budget in minor units: what a run without an explicit budget (the API,
-- the scheduler) optimizes. Set by the source that knows it (STUB market, Meta, or the user).
alter table campaigns add column daily_budget_minor bigint check (daily_budget_minor > 0);

-- Bumped by every write of the campaign's history. A completed run records the version it read,
-- so a later request can tell whether anything changed since and reuse the run if not.
alter table campaigns add column history_version bigint not null default 0;
alter table runs add column history_version bigint;
