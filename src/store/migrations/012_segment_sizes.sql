-- Audience sizes of segments from a real source: the canonical CSV's optional segment_size column
-- now, Meta's audience size estimate (lower and upper bound) in LIVE mode later. A size is never
-- inferred from delivery, which says how the advertiser funded a segment, not how many people it
-- holds. One size per campaign and segment (the size of an interest depends on the countries and
-- ages the campaign targets), the one given with the latest day; a lower as_of never replaces it.
create table segment_sizes (
  campaign_id text not null,
  segment_type text not null,
  segment_id text not null,
  size_lower int8 not null check (size_lower > 0),
  size_upper int8 not null check (size_upper >= size_lower),
  source text not null check (source in ('csv', 'meta')),
  as_of date not null,
  primary key (campaign_id, segment_type, segment_id)
);
