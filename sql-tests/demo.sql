-- The demo behind `make demo`: a few real reports on the emulator's sample programs.
.mode box
.print '== What the extension pushes down to the API (EXPLAIN QUERY PLAN)'
EXPLAIN QUERY PLAN
SELECT date, number, body FROM sms_messages
 WHERE program_id = 4711 AND type = 'MO' AND date >= datetime('now', '-7 days') LIMIT 5;

.print ''
.print '== Messages by type and day, last 7 days (program 4711)'
SELECT substr(date, 1, 10) AS day,
       sum(type = 'MO') AS received, sum(type = 'MT') AS sent
  FROM sms_messages(4711)
 WHERE date >= date('now', '-6 days')
 GROUP BY day ORDER BY day;

.print ''
.print '== Delivery status of sent messages per campaign, last 30 days'
SELECT campaign_name, delivery_status, count(*) AS messages
  FROM sms_messages
 WHERE program_id = 4711 AND type = 'MT' AND date >= datetime('now', '-30 days')
 GROUP BY 1, 2 ORDER BY 1, 3 DESC;

.print ''
.print '== Opt-outs (STOP and similar keywords) per program, last 90 days'
SELECT program_id, program_name, count(*) AS opt_outs
  FROM sms_messages
 WHERE program_id IN (4711, 4712, 4713) AND type = 'MO'
   AND date >= datetime('now', '-90 days')
   AND upper(trim(body, ' .!' || char(9, 10, 13)))
       IN ('STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'STOPALL')
 GROUP BY 1, 2 ORDER BY 1;

.print ''
.print '== Replies from known contacts (a local table joined with the API)'
CREATE TEMP TABLE contacts(number INTEGER PRIMARY KEY, name TEXT);
INSERT INTO temp.contacts
  SELECT number, 'Contact #' || (row_number() OVER (ORDER BY number))
    FROM (SELECT DISTINCT number FROM sms_messages(4711)
           WHERE type = 'MO' AND date >= datetime('now', '-60 days') LIMIT 8);
SELECT c.name, m.date, substr(replace(m.body, char(10), ' '), 1, 40) AS reply
  FROM temp.contacts c JOIN sms_messages m ON m.number = c.number
 WHERE m.program_id = 4711 AND m.type = 'MO' AND m.date >= datetime('now', '-60 days')
 ORDER BY m.date DESC LIMIT 10;

.print ''
.print '== The latest 5 messages received (ORDER BY date DESC LIMIT 5 reads only the last day)'
SELECT date, number, substr(replace(body, char(10), ' '), 1, 40) AS body
  FROM sms_messages WHERE program_id = 4712 AND type = 'MO'
 ORDER BY date DESC LIMIT 5;

.print ''
.print '== What these reports cost (from sms_requests: requests, and parts the cache answered)'
SELECT source, count(*) AS parts, sum(rows) AS messages, round(sum(bytes) / 1e6, 1) AS mb,
       round(sum(ms)) AS ms_total
  FROM sms_requests GROUP BY source;

.print ''
.print "== Reply times (the cookbook's recipe): each reply of the last 30 days and the last message"
.print '   sent to the same number in the week before it (program 4711; last, because the cache'
.print '   answers a window per reply, and those parts would crowd the cost report above)'
CREATE VIRTUAL TABLE temp.msgs USING sms_messages(program_id=4711, cache_ttl=300);
SELECT count(*) AS replies, count(last_sent) AS after_a_message,
       round(avg((julianday(date) - julianday(last_sent)) * 24), 1) AS avg_hours,
       round(min((julianday(date) - julianday(last_sent)) * 24 * 60), 1) AS min_minutes
  FROM (SELECT mo.date,
               (SELECT max(mt.date) FROM temp.msgs AS mt
                 WHERE mt.type = 'MT' AND mt.date < mo.date AND mt.number = mo.number
                   AND mt.date >= datetime(mo.date, '-7 days')) AS last_sent
          FROM temp.msgs AS mo
         WHERE mo.type = 'MO' AND mo.date >= datetime('now', '-30 days'));

.print ''
.print '== How fast the program answers: the first message sent to the number within an hour'
SELECT CASE WHEN k IN ('STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'STOPALL') THEN 'opt-out'
            WHEN k IN ('JOIN', 'JOIN 🎉', 'START', 'YES', 'Y') THEN 'opt-in'
            WHEN k = 'HELP' THEN 'HELP'
            ELSE 'other text' END AS reply,
       count(*) AS received, count(answer) AS answered,
       round(avg((julianday(answer) - julianday(date)) * 86400)) AS avg_seconds
  FROM (SELECT mo.date, upper(trim(mo.body, ' .!' || char(9, 10, 13))) AS k,
               (SELECT min(mt.date) FROM temp.msgs AS mt
                 WHERE mt.type = 'MT' AND mt.number = mo.number AND mt.date >= mo.date
                   AND mt.date <= datetime(mo.date, '+1 hour')) AS answer
          FROM temp.msgs AS mo
         WHERE mo.type = 'MO' AND mo.date >= datetime('now', '-30 days'))
 GROUP BY 1 ORDER BY received DESC;
