-- The reference scenario for bench/explain-postgres.sql: tables a <- b <- c with the foreign
-- keys' action :action, N = :n `b` rows of ~4 KB JSON text in `a` 1, one `c` row per `b`.
DROP TABLE IF EXISTS c, b, a;
CREATE TABLE a (id INTEGER PRIMARY KEY);
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a (id) :action,
    data TEXT NOT NULL);
CREATE INDEX b_a_id ON b (a_id);
CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL REFERENCES b (id) :action);
CREATE INDEX c_b_id ON c (b_id);
INSERT INTO a (id) VALUES (1), (2);
INSERT INTO b (id, a_id, data)
    SELECT x, CASE WHEN x <= :n THEN 1 ELSE 2 END,
           '{"id": ' || x || ', "payload": "' || repeat('x', 4000) || '"}'
    FROM generate_series(1, :n + 10) AS seq(x);
INSERT INTO c (id, b_id) SELECT x, x FROM generate_series(1, :n + 10) AS seq(x);
VACUUM ANALYZE;
CHECKPOINT;
