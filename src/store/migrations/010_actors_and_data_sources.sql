-- Who made each change: the token subject (API), cli:<os user> (CLI) or scheduler, written in the
-- same transaction as the change. Rows from before this migration have no actor (null).
alter table runs add column actor text;
alter table targeting_history add column actor text;
-- Where an audit row came from: api, cli or scheduler.
alter table audit_log add column channel text not null default 'api' check (channel in ('api', 'cli', 'scheduler'));

-- Every source whose rows ever entered insights (stub, csv, ads-manager, meta, ...): the store's
-- marker of what it holds. Any source other than stub makes it a real store, which refuses
-- synthetic rows from then on (even if the real rows are later deleted). Kept by triggers on
-- insights, so that every writer, present or future, marks the store without knowing about it.
create table data_sources (
  source text primary key,
  first_seen_at timestamptz not null default now()
);
insert into data_sources (source) select distinct source from insights;

-- Also the last line of the rule "no synthetic rows in a real store", for writers that raced past
-- the service's check: a statement bringing stub rows takes an exclusive advisory lock, one
-- bringing other rows a shared one (imports do not wait for each other), each held to commit; so a
-- stub writer sees every real source committed before it, and refuses (SQLSTATE P0001,
-- "synthetic_into_real"). 0x7461726701 is this rule's lock key.
create function note_data_sources() returns trigger language plpgsql as $$ begin if exists (select 1 from new_rows where source = 'stub') then perform pg_advisory_xact_lock(499851093761); if exists (select 1 from data_sources where source <> 'stub') or exists (select 1 from new_rows where source <> 'stub') then raise exception 'synthetic_into_real: this store holds real data, so it takes no synthetic STUB rows'; end if; else perform pg_advisory_xact_lock_shared(499851093761); end if; insert into data_sources (source) select distinct source from new_rows on conflict do nothing; return null; end $$;

-- Statement-level with transition tables: one insert per statement, not per row, so bulk
-- imports pay one DISTINCT over their rows. Two triggers because a trigger with a transition
-- table may have one event only (upserts fire the update one for rows that existed).
create trigger insights_sources_on_insert after insert on insights referencing new table as new_rows for each statement execute function note_data_sources();
create trigger insights_sources_on_update after update on insights referencing new table as new_rows for each statement execute function note_data_sources();
