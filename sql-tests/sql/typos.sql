-- Literal typos are errors: a type other than 'MO' or 'MT', or a date that is not in the
-- table's form 'YYYY-MM-DD HH:MM:SS' or a prefix of it, written in the query, would
-- quietly give a wrong answer (SQLite compares text); the error shows the literal and what
-- to write. The same values from a bound parameter, a subquery, a join or an expression
-- are data, not typos: they keep SQLite's own comparison, the rows of a local copy.
-- requests: sorted
.headers off
SELECT '-- type: lower case, another word, a number';
SELECT count(*) FROM sms_messages(4711) WHERE type = 'mo';
SELECT count(*) FROM sms_messages(4711) WHERE type = 'Mt';
SELECT count(*) FROM sms_messages(4711) WHERE type = 'received';
SELECT count(*) FROM sms_messages(4711) WHERE type = 1;
SELECT '-- dates in other forms';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026/06/01';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '06/01/2026';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-01T10:00:00';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-6-1';
SELECT count(*) FROM sms_messages(4711) WHERE date >= 1780300800;
SELECT count(*) FROM sms_messages(4711) WHERE date >= 2026;
SELECT count(*) FROM sms_messages(4711) WHERE date < '2026-06-01 10:00:00.000';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-0';
SELECT count(*) FROM sms_messages(4711) WHERE date BETWEEN '2026-06-01' AND '2026/06/30';
SELECT count(*) FROM sms_messages(4711) WHERE date = 'yesterday';
SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type = 'MO' AND date > 'it''s';
SELECT '-- the form and its prefixes are fine (NULL matches nothing, as in SQL)';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-01';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-01 10';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-01 10:00';
SELECT count(*) FROM sms_messages(4711) WHERE date >= '2026-06-01 10:00:00';
SELECT count(*) FROM sms_messages(4711) WHERE date = NULL OR type = NULL;
SELECT '-- the same values as data: counts equal a local copy''s';
CREATE TEMP TABLE local AS SELECT * FROM sms_messages(4711);
CREATE TEMP TABLE wanted(d, t);
INSERT INTO wanted VALUES ('2026/06/01', 'MO'), ('2026-06-01T10:00:00', 'mo'),
  ('06/01/2026', 'MT'), (1780300800, 'mt'), ('2026-6-1', 'MO'), ('2026-06-01', 'MT');
SELECT '-- a bound parameter';
.parameter set :d '2026/06/01'
.parameter set :t 'mo'
SELECT count(*), (SELECT count(*) FROM local WHERE date >= :d) FROM sms_messages(4711) WHERE date >= :d;
SELECT count(*), (SELECT count(*) FROM local WHERE type = :t) FROM sms_messages(4711) WHERE type = :t;
.parameter set :d '2026-06-01T10:00:00'
SELECT count(*), (SELECT count(*) FROM local WHERE date >= :d) FROM sms_messages(4711) WHERE date >= :d;
.parameter set :d 1780300800
SELECT count(*), (SELECT count(*) FROM local WHERE date >= :d) FROM sms_messages(4711) WHERE date >= :d;
SELECT '-- a subquery';
SELECT count(*), (SELECT count(*) FROM local WHERE date >= '06/01/2026')
  FROM sms_messages(4711) WHERE date >= (SELECT d FROM wanted WHERE d = '06/01/2026');
SELECT count(*) FROM sms_messages(4711) WHERE type = (SELECT t FROM wanted WHERE t = 'mo');
SELECT '-- an expression';
SELECT count(*), (SELECT count(*) FROM local WHERE date >= '2026-6-1')
  FROM sms_messages(4711) WHERE date >= '2026-6-' || '1';
SELECT count(*) FROM sms_messages(4711) WHERE type = lower('MO');
SELECT '-- a join, each value of the other table, and the local copy''s count for it';
SELECT w.d, w.t, count(m.date),
       (SELECT count(*) FROM local l WHERE l.date >= w.d AND l.type = w.t)
  FROM wanted w LEFT JOIN sms_messages m ON m.program_id = 4711 AND m.date >= w.d AND m.type = w.t
 GROUP BY w.rowid ORDER BY w.rowid;
SELECT '-- a correlated subquery';
SELECT w.d, (SELECT count(*) FROM sms_messages(4711) m WHERE m.date >= w.d),
       (SELECT count(*) FROM local l WHERE l.date >= w.d)
  FROM wanted w ORDER BY w.rowid;
SELECT '-- an IN list: SQLite shows its values only when the query runs, too late to tell a';
SELECT '-- literal list from a subquery''s values: no error, SQLite''s answer';
SELECT count(*), (SELECT count(*) FROM local WHERE type IN ('MO', 'mt'))
  FROM sms_messages(4711) WHERE type IN ('MO', 'mt');
