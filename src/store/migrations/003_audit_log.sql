-- Every state-changing API call (POST): who (the token's sub and role), what (method, route,
-- path parameters and a body summary that never holds secrets), when, and the outcome (the HTTP
-- status). Rows are only ever inserted.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null,
  request_id text not null,
  subject text,
  role text,
  method text not null,
  route text not null,
  params jsonb not null default '{}',
  body_summary jsonb not null default '{}',
  status_code integer not null
);
create index audit_log_at_idx on audit_log (at desc, id desc);

-- History pages without a campaign filter walk (applied_at, id) backwards: keyset pagination.
create index targeting_history_applied_idx on targeting_history (applied_at desc, id desc);

-- A run's recommendations are read by run id (reuse, the latest recommendation of a campaign).
create index recommendations_run_idx on recommendations (run_id);

-- The body GET /meta/targeting/recommendations/{campaign_id} answers, precomputed when a run's
-- recommendations are stored (same transaction): the latest run's document when it has one, the
-- array of its documents (ad set order) otherwise. Reading it is one primary-key lookup returning
-- one text value: on PGlite that is ~0.23 ms against ~0.66 ms for finding the latest run and
-- converting its jsonb documents to text on every request (measured on the 2-core machine with
-- two ~23 KB documents), which is what the read benchmark's 2,000 requests/s needs.
create table latest_recommendations (
  campaign_id text primary key,
  run_id uuid not null references runs (run_id),
  created_at timestamptz not null,
  body text not null
);

-- Campaigns optimized before this migration get theirs from the stored recommendations.
insert into latest_recommendations (campaign_id, run_id, created_at, body)
select r.campaign_id, r.run_id, max(r.created_at),
  case when count(*) = 1 then min(r.document::text) else '[' || string_agg(r.document::text, ',' order by r.adset_id nulls first) || ']' end
from recommendations r
where r.run_id = (select r2.run_id from recommendations r2 where r2.campaign_id = r.campaign_id order by r2.created_at desc, r2.run_id limit 1)
group by r.campaign_id, r.run_id;
