-- Laziness: pages are fetched only when the rows in hand run out. The requests after the
-- output are the proof: count them per query.
-- small is one chain (parallel=1): its queries count the pages of a sequential scan, which
-- the adaptive default would widen into lanes that fetch at once, ahead of the cursor.
CREATE VIRTUAL TABLE small USING sms_messages(program_id=4711, page_size=10, parallel=1);
SELECT '-- one row read: one request of pageSize 1 (LIMIT pushed down)';
SELECT date FROM sms_messages(4711) LIMIT 1;
SELECT '-- LIMIT 25 from a table of page_size 10: pageSize stays 10, three pages';
SELECT count(*) FROM (SELECT * FROM small LIMIT 25);
SELECT '-- the first STOP: LIMIT cannot be pushed past LIKE, pages come until one matches';
SELECT date, body FROM small WHERE body LIKE 'STOP%' LIMIT 1;
SELECT '-- EXISTS stops at the first row';
SELECT EXISTS (SELECT 1 FROM small WHERE type = 'MO');
SELECT '-- a full scan of 1000 messages in pages of 10: 100 requests';
SELECT count(*) FROM small;
-- direct asks the API (cache_ttl=0: the window cache would answer these scans from small's
-- full scan) as one chain (parallel=1: the log stays in arrival order): its pageSize is the point.
CREATE VIRTUAL TABLE direct USING sms_messages(program_id=4711, cache_ttl=0, parallel=1);
SELECT '-- ORDER BY that SQLite must sort: LIMIT is no page-size hint (one full-size scan, not hundreds of tiny pages)';
EXPLAIN QUERY PLAN SELECT number FROM direct ORDER BY number DESC LIMIT 3;
SELECT number FROM direct ORDER BY number DESC LIMIT 3;
SELECT '-- a filter only SQLite applies (number =): LIMIT is declined too, whatever the order of the terms';
SELECT count(*) FROM (SELECT * FROM direct WHERE number = 1 AND date >= '2026-06-01' LIMIT 2);
SELECT count(*) FROM (SELECT * FROM direct WHERE date >= '2026-06-01' AND number = 1 LIMIT 2);
