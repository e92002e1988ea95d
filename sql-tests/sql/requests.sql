-- sms_requests: the requests this connection made, oldest first, one row per try, the
-- statement that made each (stmt), and DELETE.
SELECT '-- empty before any query';
SELECT count(*) FROM sms_requests;
SELECT count(*) FROM sms_messages(4711) WHERE type = 'MO' AND date >= '2026-06-01';
SELECT count(*) FROM sms_messages(4712);
SELECT count(*) FROM (SELECT * FROM sms_messages(4713) LIMIT 3);
SELECT '-- oldest first: seq counts the tries of the connection from 1';
SELECT group_concat(seq, ',') FROM sms_requests;
SELECT '-- what each query cost, and what was pushed down (in the URL)';
-- The full scan of 4712 widens into parallel lanes (the adaptive default), whose requests
-- arrive in an order that varies: the rows are sorted by request, and so is the log below.
-- requests: sorted
.headers on
SELECT program_id, substr(url, instr(url, '/messages')) AS request, status, attempt, rows,
       bytes > 1000 AS has_body, typeof(ms) AS ms, length(time) AS time_len, error
  FROM sms_requests ORDER BY program_id, request;
.headers off
SELECT '-- the URL never carries credentials';
SELECT count(*) FROM sms_requests WHERE url LIKE '%demo%' OR url LIKE '%@%';
SELECT '-- stmt: the statement of each row (the three queries above: 1, 2, 3)';
SELECT stmt, count(*), sum(source = 'api') FROM sms_requests GROUP BY stmt;
SELECT '-- DELETE empties the log; seq and stmt go on';
DELETE FROM sms_requests;
SELECT count(*) FROM sms_requests;
SELECT '-- a join is one statement: the scan of each outer row belongs to it';
-- cache_ttl=0: each scan reaches the API, so that each shows as a request
CREATE VIRTUAL TABLE temp.fresh USING sms_messages(cache_ttl=0, parallel=1);
CREATE TEMP TABLE progs(id); INSERT INTO progs VALUES (4711), (4712), (4713);
SELECT p.id, count(m.date) FROM progs p JOIN fresh m ON m.program_id = p.id
 WHERE m.date >= '2026-06-29' GROUP BY p.id;
SELECT '-- a correlated subquery is one statement, and the part the cache answered for each';
SELECT '-- evaluation is one row with its count';
CREATE TEMP TABLE nums(n); INSERT INTO nums VALUES (1), (2), (3), (4), (5);
SELECT count(*) FROM nums
 WHERE (SELECT count(*) FROM sms_messages(4712) m WHERE m.date >= '2026-06-20' AND m.number = nums.n) = 0;
SELECT stmt, source, count(*), sum(count), group_concat(DISTINCT program_id) FROM sms_requests
 GROUP BY stmt, source;
SELECT '-- the last statement''s cost';
SELECT program_id, substr(url, instr(url, '?')) AS request, source, count, rows FROM sms_requests
 WHERE stmt = (SELECT max(stmt) FROM sms_requests);
SELECT '-- DELETE with a WHERE forgets those rows only';
DELETE FROM sms_requests WHERE source = 'api';
SELECT stmt, source, count FROM sms_requests;
SELECT '-- nothing else writes to it, and it is eponymous only';
INSERT INTO sms_requests(url) VALUES ('x');
UPDATE sms_requests SET count = 0;
CREATE VIRTUAL TABLE r USING sms_requests;
