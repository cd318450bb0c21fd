-- An ad set stays in its geo split's family when another ad set takes its group (the original takes
-- a copy's country when its own leaves the split): its row keeps it in the family with no group,
-- so that its delivery is still read as the original's, and a rollback can give the group back.
-- Each ad set is in at most one family; each group of a family has at most one holder.
alter table meta_adset_splits drop constraint meta_adset_splits_pkey;
alter table meta_adset_splits alter column group_key drop not null;
drop index meta_adset_splits_adset_idx;
alter table meta_adset_splits add primary key (adset_id);
create unique index meta_adset_splits_group_idx on meta_adset_splits (source_adset_id, group_key) where group_key is not null;
