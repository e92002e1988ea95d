-- ORDER BY date over one program: the scan delivers the order itself, reading growing
-- sub-windows from the newest end (or the oldest), so the latest messages cost a request.
-- Oldest first only with a date constraint: a message without a date (NULL) sorts first,
-- and only reading the whole window would tell there is none; a date constraint drops them.
SELECT '-- the plan: no sort by SQLite';
EXPLAIN QUERY PLAN SELECT date FROM sms_messages(4711) ORDER BY date DESC LIMIT 3;
EXPLAIN QUERY PLAN SELECT date FROM sms_messages WHERE program_id = 4711 AND type = 'MO' AND date > '2025' ORDER BY date LIMIT 3;
SELECT '-- oldest first without a date constraint: SQLite sorts';
EXPLAIN QUERY PLAN SELECT date FROM sms_messages WHERE program_id = 4711 AND type = 'MO' ORDER BY date LIMIT 3;
SELECT '-- over several programs SQLite sorts, as usual';
EXPLAIN QUERY PLAN SELECT date FROM sms_messages WHERE program_id IN (4711, 4712) ORDER BY date DESC LIMIT 3;
SELECT '-- the latest three: one request for the last day';
SELECT date, type FROM sms_messages(4711) ORDER BY date DESC LIMIT 3;
SELECT '-- the first three MO of the year: one request for the first day';
SELECT date, type FROM sms_messages(4711) WHERE type = 'MO' AND date > '2025' ORDER BY date LIMIT 3;
SELECT '-- the first three of 4712: the first is in the hour next to the retention edge, read as a chain of its own';
SELECT date FROM sms_messages(4712) WHERE date > '2025' ORDER BY date LIMIT 3;
SELECT '-- the whole order equals a local table''s, both ways (ties keep the API''s order)';
CREATE TEMP TABLE local AS SELECT date, raw FROM sms_messages(4712) WHERE date >= '2026-04-01';
SELECT (SELECT group_concat(raw) FROM (SELECT raw FROM sms_messages(4712) WHERE date >= '2026-04-01' ORDER BY date DESC))
     = (SELECT group_concat(raw) FROM (SELECT raw FROM temp.local ORDER BY date DESC));
SELECT (SELECT group_concat(raw) FROM (SELECT raw FROM sms_messages(4712) WHERE date >= '2026-04-01' ORDER BY date))
     = (SELECT group_concat(raw) FROM (SELECT raw FROM temp.local ORDER BY date));
SELECT '-- ... and the same order read from the API, both ways (cache_ttl=0: the window cache would answer it from the scan of local)';
CREATE VIRTUAL TABLE api4712 USING sms_messages(program_id=4712, cache_ttl=0);
SELECT (SELECT group_concat(raw) FROM (SELECT raw FROM api4712 WHERE date >= '2026-04-01' ORDER BY date DESC))
     = (SELECT group_concat(raw) FROM (SELECT raw FROM temp.local ORDER BY date DESC));
SELECT (SELECT group_concat(raw) FROM (SELECT raw FROM api4712 WHERE date >= '2026-04-01' ORDER BY date))
     = (SELECT group_concat(raw) FROM (SELECT raw FROM temp.local ORDER BY date));
