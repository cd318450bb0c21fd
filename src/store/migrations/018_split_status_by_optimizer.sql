-- The status the optimizer last changed each ad set of a geo split to (a copy made PAUSED, then
-- ACTIVE when activated; PAUSED when its group is retired; whatever a rollback or a compensating
-- write put back). A copy that is PAUSED where the optimizer last left it ACTIVE was paused by
-- someone else, in Ads Manager say, and an apply leaves it paused. Null for rows recorded before
-- this column: their status is followed as before (the original's).
alter table meta_adset_splits add column optimizer_status text;
