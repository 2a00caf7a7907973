-- Where the time of one delete goes on PostgreSQL: the reference scenario at N `b` rows (K = 1),
-- built twice, and `EXPLAIN ANALYZE` of what each method runs, inside transactions that roll
-- back. "Trigger for constraint" lines are PostgreSQL's own foreign-key work.
--
--   psql -X -q -v n=100000 -f bench/explain-postgres.sql postgres://postgres@127.0.0.1:5432/test
--
-- The statements of `deletable` are the ones it issues for `A::delete_by_ids(&[1], conn)` (see
-- them with `log_min_duration_statement = 0`), with the bound key written in.

\if :{?n}
\else
  \set n 100000
\endif
SET client_min_messages TO WARNING;
DROP SCHEMA IF EXISTS deletable_explain CASCADE;
CREATE SCHEMA deletable_explain;
SET search_path TO deletable_explain;

\echo '== native: ON DELETE CASCADE, one DELETE of the root'
\set action 'ON DELETE CASCADE'
\ir explain-scenario.sql
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM a WHERE id = 1;
ROLLBACK;

\echo '== deletable over plain (NO ACTION) foreign keys: leaves first, one statement per table'
\set action ''
\ir explain-scenario.sql
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF)
    DELETE FROM c WHERE c.b_id IN (SELECT b.id FROM b WHERE b.a_id IN (1));
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM b WHERE b.a_id IN (1);
EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM a WHERE a.id IN (1);
ROLLBACK;

\echo '== what a before-delete hook on b must read: every row whole (PostgreSQL decompresses data)'
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF) SELECT id, a_id, length(data) FROM b WHERE a_id IN (1);
EXPLAIN (ANALYZE, COSTS OFF) SELECT id, a_id FROM b WHERE a_id IN (1);
ROLLBACK;

DROP SCHEMA deletable_explain CASCADE;
