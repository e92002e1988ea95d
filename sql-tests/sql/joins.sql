-- Joins, views and OR: the planner keeps the API scan in the outer loop, one scan per program.
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
SELECT '-- a correlated subquery opens a new cursor for each outer row, so each row sends its request';
SELECT p.id, (SELECT count(*) FROM sms_messages s WHERE s.program_id = p.id AND s.date >= '2026-06-30')
  FROM programs p ORDER BY 1;
