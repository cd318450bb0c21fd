-- Pixel events by day, from imports (the canonical pixel-events CSV). A run counts a campaign's
-- events within its window, as it does its insights; pixel_events keeps the window totals the
-- STUB market writes. Re-importing a key replaces its count: the latest export is the truth.
create table pixel_event_days (
  campaign_id text not null,
  date date not null,
  event_name text not null,
  content_category text not null default '',
  count bigint not null check (count >= 0),
  source text not null,
  imported_at timestamptz not null default now(),
  primary key (campaign_id, date, event_name, content_category)
);
