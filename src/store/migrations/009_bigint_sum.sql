-- An exact sum of bigint columns that adds in bigint. PostgreSQL's sum(bigint) accumulates in
-- numeric wherever it lacks 128-bit integers, as PGlite's WebAssembly build does, and numeric
-- addition was most of the snapshot's time: on the benchmark's 90-day, 227,790-row campaign its
-- segment totals query took 705 ms on PGlite and 312 ms on PostgreSQL 15, with this aggregate
-- 345 ms and 100 ms, with identical results. int8pl raises "bigint out of range" past 9.2e18, so a
-- total is exact or an error, never rounded. Strict: NULLs are skipped; no row gives 0, not NULL.
create or replace aggregate bigint_sum(bigint) (
  sfunc = int8pl,
  stype = bigint,
  combinefunc = int8pl,
  initcond = '0',
  parallel = safe
);
