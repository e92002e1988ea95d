-- sms_requests: the requests this connection made, oldest first, one row per try.
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
SELECT '-- read-only, and eponymous only';
DELETE FROM sms_requests;
CREATE VIRTUAL TABLE r USING sms_requests;
