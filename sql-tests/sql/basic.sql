-- The table as users see it: columns, types, hidden columns, the version function.
-- Under the defaults (the adaptive parallel scan, the window cache): a full scan's lanes send
-- their requests in an order that varies, so the request log is compared sorted.
-- requests: sorted
.headers on
.mode list
SELECT sms_export_version() GLOB '[0-9]*.[0-9]*.[0-9]*' AS version_ok;
-- SELECT * shows the nine message columns, not the hidden ones
SELECT * FROM sms_messages(4711) LIMIT 2;
SELECT name, type, hidden FROM pragma_table_xinfo('sms_messages');
-- every message of a program, once: the emulator serves exactly 1000 per program
SELECT count(*) AS n, count(DISTINCT raw) AS distinct_raw, min(date) AS first, max(date) AS last
  FROM sms_messages(4711);
SELECT typeof(number) AS t_number, typeof(date) AS t_date, typeof(program_id) AS t_program,
       count(*) AS n
  FROM sms_messages(4712) GROUP BY 1, 2, 3 ORDER BY 1;
SELECT program_type, type, delivery_status, count(*) AS n
  FROM sms_messages WHERE program_id = 4713 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT coalesce(network, '(null)') AS network, count(*) AS n
  FROM sms_messages(4711) GROUP BY 1 ORDER BY 1;
-- raw is the message object, compact; json_extract reaches any field
SELECT json_extract(raw, '$.date') = replace(date, ' ', 'T') AS same_date,
       json_extract(raw, '$.number') = number AS same_number,
       json_extract(raw, '$.body') IS body AS same_body, count(*) AS n
  FROM sms_messages(4711) GROUP BY 1, 2, 3;
-- bodies are byte-exact: longest, and ones with quotes, backslashes, newlines
SELECT max(length(CAST(body AS BLOB))) AS max_body_bytes, sum(body = '') AS empty_bodies,
       sum(instr(body, char(10)) > 0) > 0 AS has_newlines,
       sum(instr(body, '\') > 0) > 0 AS has_backslashes,
       sum(instr(body, '"') > 0) > 0 AS has_quotes
  FROM sms_messages(4711);
