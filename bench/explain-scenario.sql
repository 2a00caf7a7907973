-- The reference scenario for bench/explain-postgres.sql: tables a <- b <- c with the foreign
-- keys' action :action, N = :n `b` rows of ~4 KB JSON text in `a` 1, one `c` row per `b`.
-- It prints the rows' size as text and as PostgreSQL stores them.
DROP TABLE IF EXISTS c, b, a;
CREATE TABLE a (id INTEGER PRIMARY KEY);
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a (id) :action,
    data TEXT NOT NULL);
CREATE INDEX b_a_id ON b (a_id);
CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL REFERENCES b (id) :action);
CREATE INDEX c_b_id ON c (b_id);
INSERT INTO a (id) VALUES (1), (2);
-- Each row's JSON: its id, then 78 entries drawn from 64 phrases of words and numbers by a
-- hash of (row, entry), so it compresses as real JSON does (about 2x), not to nothing as a
-- repeated character would.
INSERT INTO b (id, a_id, data)
    SELECT x, CASE WHEN x <= :n THEN 1 ELSE 2 END,
           json_build_object('id', x, 'entries', (
               SELECT json_agg(json_build_object(
                   'n', i,
                   'text', (ARRAY[
                       'order shipped to Lisbon', 'invoice 4471 paid late', 'customer asked for refund',
                       'two items back-ordered', 'priority: high', 'address updated by support',
                       'discount 15% applied', 'payment failed twice', 'gift wrap requested',
                       'delivered to neighbour', 'tracking 9921-AX', 'warehouse Porto',
                       'rating 4 of 5', 'note: fragile', 'size M replaced with L', 'vat 23%',
                       'coupon SPRING25', 'callback at 10:30', 'weight 2.4 kg', 'colour: teal',
                       'batch 77', 'returned unopened', 'carrier DPD', 'eta 3 days',
                       'signature required', 'partial refund 12.50', 'loyalty tier gold',
                       'sms sent', 'email bounced', 'stock 0 at Braga', 'restocked 2026-03-02',
                       'cancelled by user', 'price 19.99', 'price 4.50', 'price 120.00',
                       'qty 3', 'qty 1', 'qty 12', 'sku TX-1001', 'sku QZ-9', 'sku BR-440',
                       'promo bundle', 'subscription renewed', 'trial ended', 'plan: pro',
                       'seats 25', 'region eu-west', 'locale pt-PT', 'locale en-GB',
                       'timezone Europe/Lisbon', 'device android 14', 'device ios 18',
                       'session 8f2c', 'referrer newsletter', 'utm spring', 'score 0.82',
                       'score 0.17', 'flag reviewed', 'flag escalated', 'agent Marta',
                       'agent Joao', 'sla 24h', 'sla 4h', 'closed']
                   )[1 + (('x' || substr(md5(x || '-' || i), 1, 7))::bit(28)::int % 64)],
                   'k', (('x' || substr(md5(i || '+' || x), 1, 7))::bit(28)::int % 100000)))
               FROM generate_series(1, 78) AS entry(i)))::text
    FROM generate_series(1, :n + 10) AS seq(x);
INSERT INTO c (id, b_id) SELECT x, x FROM generate_series(1, :n + 10) AS seq(x);
VACUUM ANALYZE;
CHECKPOINT;
SELECT round(avg(octet_length(data))) AS text_bytes, round(avg(pg_column_size(data))) AS stored_bytes
    FROM b WHERE id <= 1000;
