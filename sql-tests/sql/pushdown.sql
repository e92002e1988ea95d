-- What WHERE, LIMIT and OFFSET become: the plan in words, and the requests sent (listed
-- after the output). The test clock is 2026-06-30 12:00:00, so "one year ago" is
-- 2025-06-30T12:00:00.
-- Under the defaults the window cache answers a window already read (and a miss next to
-- what it holds asks for a wider one): sms_requests at the end lists every request a query
-- made or the cache spared (source), the pushed-down filters in its URL.
.headers off
EXPLAIN QUERY PLAN SELECT * FROM sms_messages
 WHERE program_id = 4711 AND type = 'MO' AND date >= '2026-06-01' AND date < '2026-06-02';
EXPLAIN QUERY PLAN SELECT * FROM sms_messages WHERE program_id IN (4711, 4712) AND type IN ('MO', 'MT');
EXPLAIN QUERY PLAN SELECT * FROM sms_messages(4711) WHERE date BETWEEN '2026-01-01' AND '2026-01-31' LIMIT 5 OFFSET 2;
EXPLAIN QUERY PLAN SELECT * FROM sms_messages(4711) WHERE date = '2026-06-30 11:24:04';
-- a constraint under another collation is left to SQLite
EXPLAIN QUERY PLAN SELECT * FROM sms_messages(4711) WHERE type = 'mo' COLLATE NOCASE;

SELECT '-- type = MO, one day: messageType, startDate and endDate, each widened by a second';
SELECT count(*) FROM sms_messages
 WHERE program_id = 4711 AND type = 'MO' AND date >= '2026-06-01' AND date < '2026-06-02';
SELECT '-- type IN both: no messageType';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type IN ('MO', 'MT') AND date > '2026-06-29';
SELECT '-- type IN one: that messageType';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type IN ('MT', 'XX') AND date > '2026-06-29';
SELECT '-- type of another value, not written in the query: no request at all (typos.sql has the literal)';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type = (SELECT 'mo');
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type IN ('x', 'y');
SELECT '-- type = mo COLLATE NOCASE: not pushed, SQLite matches MO';
SELECT count(*) > 0 FROM sms_messages WHERE program_id = 4711 AND date >= '2026-06-30' AND type = 'mo' COLLATE NOCASE;
SELECT '-- date = a full date: startDate and endDate around it';
SELECT date, type FROM sms_messages(4711) WHERE date = '2026-06-30 11:24:04';
SELECT '-- date = a date without time: no row can match, no request';
SELECT count(*) FROM sms_messages(4711) WHERE date = '2026-06-30';
SELECT '-- BETWEEN gives both bounds; <= of a day prefix ends before that day';
SELECT count(*) FROM sms_messages(4711) WHERE date BETWEEN '2026-06-28' AND '2026-06-30';
SELECT '-- the T form of the API from a value (a literal is an error): 2026-06-29T00:00:00 sorts after every 2026-06-29 date';
SELECT count(*) FROM sms_messages(4711) WHERE date > (SELECT '2026-06-29T00:00:00');
SELECT '-- no lower bound: startDate one year ago, never the API''s "today" default';
SELECT count(*) FROM sms_messages(4711) WHERE date < '2025-07-01';
SELECT '-- a lower bound older than a year is clamped to the retention limit';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2024-01-01' AND date < '2025-07-01';
SELECT '-- a window that ends before the retention limit: no request';
SELECT count(*) FROM sms_messages(4711) WHERE date < '2025-06-30';
SELECT '-- an upper bound far in the future: no endDate (the API takes at most a year)';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-30' AND date < '2099-01-01';
SELECT '-- contradictory bounds: no request';
SELECT count(*) FROM sms_messages(4711) WHERE date > '2026-06-01' AND date < '2026-05-01';
SELECT '-- date compared with NULL or a number: nothing pushed wrongly';
SELECT count(*) FROM sms_messages(4711) WHERE date > NULL;
SELECT count(*) FROM sms_messages(4711) WHERE date > 2026 + 0 AND date < '2025-07-01';
SELECT '-- LIMIT becomes pageSize; OFFSET adds to it';
SELECT count(*) FROM (SELECT * FROM sms_messages(4711) LIMIT 3);
SELECT count(*) FROM (SELECT * FROM sms_messages(4711) LIMIT 3 OFFSET 4);
SELECT '-- LIMIT 0: no request';
SELECT count(*) FROM (SELECT * FROM sms_messages(4711) LIMIT 0);
SELECT '-- program_id IN: one scan per program, in ascending order, duplicates once';
SELECT program_id, count(*) FROM sms_messages WHERE program_id IN (4713, 4711, 4713) AND date >= '2026-06-30' GROUP BY 1;
SELECT '-- program_id written as text or as a real number is the same program';
SELECT count(*) FROM sms_messages WHERE program_id = '4712' AND date >= '2026-06-30';
SELECT count(*) FROM sms_messages WHERE program_id = 4712.0 AND date >= '2026-06-30';
SELECT '-- program_id IS 4712 is program_id = 4712';
SELECT count(*) FROM sms_messages WHERE program_id IS 4712 AND date >= '2026-06-30';
SELECT '-- type = NULL: no row, no request';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type = NULL;
SELECT '-- option keys may be quoted, as SQL names';
CREATE VIRTUAL TABLE quoted USING sms_messages("program_id"=4713, 'page_size'=7);
SELECT count(*) FROM quoted WHERE date >= '2026-06-30';
SELECT '-- program_id = NULL: no row, no request';
SELECT count(*) FROM sms_messages WHERE program_id = NULL;
SELECT '-- every request above, in order: sent to the API, or spared by the window cache';
SELECT program_id, substr(url, instr(url, '?')) AS request, source FROM sms_requests;
