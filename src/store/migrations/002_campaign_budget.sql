-- The campaign's daily budget in minor units: what a run without an explicit budget (the API,
-- the scheduler) optimizes. Set by the source that knows it (STUB market, Meta, or the user).
alter table campaigns add column daily_budget_minor bigint check (daily_budget_minor > 0);
