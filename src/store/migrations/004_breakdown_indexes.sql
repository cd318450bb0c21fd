-- The optimizer reads a campaign's breakdowns separately. Country, plain and demographic rows are
-- a few per day while segment rows are thousands, so without these partial indexes reading the
-- countries of a 90-day × 2,500-segment campaign scanned all 225,000 rows (~50 ms each on PGlite)
-- instead of its ~900 country rows.
create index insights_country_idx on insights (campaign_id, date) where country <> '';
create index insights_plain_idx on insights (campaign_id, date) where segment_type = '' and country = '' and age = '' and gender = '';
create index insights_demographic_idx on insights (campaign_id, date) where age <> '' or gender <> '';
