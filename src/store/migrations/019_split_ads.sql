-- The ads of a geo split's copies: each copied from an ad of the original ad set, so that an apply
-- mirrors the original's ads in its copies (an ad added to the original is copied in, one turned
-- off or on there is turned off or on in the copies), and the status the optimizer last changed
-- each to: an ad whose status someone else changed in a copy is left as they set it.
create table meta_split_ads (
  copy_adset_id text not null,
  source_ad_id text not null,
  ad_id text not null,
  optimizer_status text not null,
  primary key (copy_adset_id, source_ad_id)
);
create unique index meta_split_ads_ad_idx on meta_split_ads (ad_id);
