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

create function note_data_sources() returns trigger language plpgsql as $$ begin insert into data_sources (source) select distinct source from new_rows on conflict do nothing; return null; end $$;

-- Statement-level with transition tables: one insert per statement, not per row, so bulk
-- imports pay one DISTINCT over their rows. Two triggers because a trigger with a transition
-- table may have one event only (upserts fire the update one for rows that existed).
create trigger insights_sources_on_insert after insert on insights referencing new table as new_rows for each statement execute function note_data_sources();
create trigger insights_sources_on_update after update on insights referencing new table as new_rows for each statement execute function note_data_sources();
