-- The engine's typed decision behind each recommendation (its Decision: camelCase, money in minor
-- units), stored with the document in the same insert, so that the LIVE apply maps exactly what the
-- engine decided instead of reading the API document back. Null for recommendations stored
-- before: the LIVE apply refuses those and asks for a new run.
alter table recommendations add column decision jsonb;
