-- Joins, views and OR: the planner keeps the API scan in the outer loop, one scan per program.
-- Under the defaults the window cache answers a scan of a window already read: the request
-- log after the output shows what reached the API, and sms_requests at the end every scan,
-- with the source that answered it (api, or cache: the request it spared).
CREATE TABLE contacts(number INTEGER PRIMARY KEY, name TEXT);
INSERT INTO contacts SELECT number, 'contact ' || row_number() OVER (ORDER BY number)
  FROM (SELECT DISTINCT number FROM sms_messages(4711) WHERE type = 'MO' AND date >= '2026-06-20');
SELECT '-- replies joined with local contacts: the API scan is the outer loop, scanned once';
EXPLAIN QUERY PLAN
SELECT c.name, m.date, m.body FROM contacts c JOIN sms_messages m ON m.number = c.number
 WHERE m.program_id = 4711 AND m.type = 'MO' AND m.date >= '2026-06-20';
SELECT count(*) FROM contacts c JOIN sms_messages m ON m.number = c.number
 WHERE m.program_id = 4711 AND m.type = 'MO' AND m.date >= '2026-06-20';
SELECT '-- the program from another table: one scan per program row';
CREATE TABLE programs(id INTEGER, label TEXT);
INSERT INTO programs VALUES (4711, 'jobs'), (4713, 'news');
EXPLAIN QUERY PLAN
SELECT p.label, count(*) FROM programs p JOIN sms_messages m ON m.program_id = p.id
 WHERE m.date >= '2026-06-30' GROUP BY p.label;
SELECT p.label, count(*) FROM programs p JOIN sms_messages m ON m.program_id = p.id
 WHERE m.date >= '2026-06-30' GROUP BY p.label ORDER BY 1;
SELECT '-- OR inside a program: SQLite plans the branches, both still name the program';
SELECT count(*) FROM sms_messages
 WHERE program_id = 4711 AND (type = 'MO' OR date >= '2026-06-30') AND date >= '2026-06-29';
SELECT '-- OR of two programs: each branch is a scan of its program';
SELECT count(*) FROM sms_messages
 WHERE (program_id = 4711 AND date >= '2026-06-30') OR (program_id = 4712 AND date >= '2026-06-30');
SELECT '-- OR where one branch names no program: the error says how to give one';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 OR type = 'MO';
SELECT '-- a view over the table, as reports use';
CREATE VIEW recent_replies AS
  SELECT date, number, body FROM sms_messages WHERE program_id = 4712 AND type = 'MO';
SELECT count(*) FROM recent_replies WHERE date >= '2026-06-29';
SELECT '-- a program listed twice in the outer loop: the rescan is served by the cursor''s page cache';
INSERT INTO programs VALUES (4711, 'jobs again');
SELECT p.label, count(*) FROM programs p JOIN sms_messages m ON m.program_id = p.id
 WHERE m.date >= '2026-06-30' GROUP BY p.label ORDER BY 1;
SELECT '-- a correlated subquery opens a new cursor for each outer row, so each row scans (the window cache answers those read before)';
SELECT p.id, (SELECT count(*) FROM sms_messages s WHERE s.program_id = p.id AND s.date >= '2026-06-30')
  FROM programs p ORDER BY 1;
SELECT '-- program ids fed by a table that cannot be programs match nothing, as on a local table (no error, no request for them)';
CREATE TABLE mixed(id);
INSERT INTO mixed VALUES ('x'), (0), (-1), (1.5), (NULL), (X'34373132'), (4712), (4713.0), ('4711');
CREATE TABLE local_copy AS
  SELECT program_id, date FROM sms_messages WHERE program_id IN (4711, 4712, 4713) AND date >= '2026-06-30';
SELECT typeof(p.id), p.id, count(m.program_id) FROM mixed p LEFT JOIN sms_messages m
    ON m.program_id = p.id AND m.date >= '2026-06-30' GROUP BY p.rowid ORDER BY p.rowid;
SELECT '-- ... the same join on the local copy';
SELECT typeof(p.id), p.id, count(m.program_id) FROM mixed p LEFT JOIN local_copy m
    ON m.program_id = p.id AND m.date >= '2026-06-30' GROUP BY p.rowid ORDER BY p.rowid;
SELECT '-- ... and as IN (SELECT ...), on both';
SELECT count(*) FROM sms_messages WHERE program_id IN (SELECT id FROM mixed) AND date >= '2026-06-30';
SELECT count(*) FROM local_copy WHERE program_id IN (SELECT id FROM mixed) AND date >= '2026-06-30';
SELECT '-- ... and as a scalar subquery: no row, no request';
SELECT count(*) FROM sms_messages WHERE program_id = (SELECT id FROM mixed WHERE id = 'x') AND date >= '2026-06-30';
SELECT '-- ... and as a bound parameter: no row, no request; a good one is read';
.parameter set :p 'x'
SELECT count(*) FROM sms_messages WHERE program_id = :p AND date >= '2026-06-30';
.parameter set :p '4712'
SELECT count(*) FROM sms_messages WHERE program_id = :p AND date >= '2026-06-30';
.parameter clear
SELECT '-- an IN list: SQLite shows its values only when the query runs, so a bad one matches nothing';
SELECT count(*) FROM sms_messages WHERE program_id IN (4711, 'x', 0) AND date >= '2026-06-30';
SELECT '-- a literal in the query is a typo: the clear error stays';
SELECT count(*) FROM sms_messages WHERE program_id = 'x' AND date >= '2026-06-30';
SELECT count(*) FROM sms_messages('x');
SELECT count(*) FROM sms_messages WHERE program_id IS -1;
SELECT '-- every scan above, in order, its statement, what answered it, and how often (count)';
SELECT stmt, program_id, substr(url, instr(url, '?')) AS request, source, count FROM sms_requests;
