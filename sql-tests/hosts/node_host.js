// Node.js with better-sqlite3 12 as a SQLite host, against the runner's emulator.
// Run by sql-tests/t/host_node.sh, which installs better-sqlite3 into build/node_modules and
// passes it on NODE_PATH; the SMS_* variables, EXT and main_LOG come from sql-tests/run.sh.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when a check failed.
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const Database = require('better-sqlite3');

let failures = 0;

function check(desc, want, got) {
  try {
    assert.deepStrictEqual(got, want);
    console.log(`ok - ${desc}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${desc}`);
    console.log(`#   want: ${JSON.stringify(want)}`.slice(0, 2000));
    console.log(`#   got:  ${JSON.stringify(got)}`.slice(0, 2000));
  }
}

// checkThrows DESC FN PREFIX [CODE]: FN must throw a SqliteError with the SQLite result code
// CODE (SQLITE_ERROR by default) and a message starting with PREFIX.
function checkThrows(desc, fn, prefix, code = 'SQLITE_ERROR') {
  try {
    const got = fn();
    check(desc, `an exception starting with ${prefix}`, { returned: got });
  } catch (e) {
    check(desc, { name: 'SqliteError', code, starts: true },
      { name: e.name, code: e.code, starts: String(e.message).startsWith(prefix) });
    if (!String(e.message).startsWith(prefix)) console.log(`#   message: ${e.message}`);
  }
}

const logFile = process.env.main_LOG;
const clearLog = () => fs.writeFileSync(logFile, '');
const logLines = () => fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
const version = fs.readFileSync(path.join(__dirname, '..', '..', 'VERSION'), 'utf8').trim();

const db = new Database(':memory:');
db.loadExtension(process.env.EXT); // the path without .so: SQLite adds the suffix
check('better-sqlite3 is version 12', '12', require('better-sqlite3/package.json').version.split('.')[0]);
check('sms_export_version() is the VERSION file', version,
  db.prepare('SELECT sms_export_version()').pluck().get());

// 1. a count, and a GROUP BY
check('count of a program', 1000, db.prepare('SELECT count(*) FROM sms_messages(4711)').pluck().get());
check('MO and MT of a program', [{ type: 'MO', n: 378 }, { type: 'MT', n: 622 }],
  db.prepare('SELECT type, count(*) AS n FROM sms_messages(4713) GROUP BY type ORDER BY type').all());

// 2. bound parameters, positional and named, become API filters
clearLog();
check('positional parameters: rows', [2, '2026-06-30 02:17:11', '2026-06-30 05:07:00'],
  db.prepare('SELECT count(*), min(date), max(date) FROM sms_messages' +
    ' WHERE program_id = ? AND type = ? AND date >= ?').raw().get(4712, 'MO', '2026-06-29'));
check('positional parameters are pushed down: the one request', [
  'GET /api/messages/program/4712?messageType=MO&startDate=2026-06-28T23:59:59&pageSize=500 auth=ok',
], logLines());

// 4711 was read whole in section 1, so the window cache answers: sms_requests shows the
// request it spared (source cache), with the filters pushed down, and the API sees none.
clearLog();
const seqBefore = db.prepare('SELECT coalesce(max(seq), 0) FROM sms_requests').pluck().get();
check('named parameters: rows', [
  { date: '2026-06-30 08:52:50', type: 'MO', number: 16782312307 },
  { date: '2026-06-30 11:24:04', type: 'MO', number: 4915559675612 },
], db.prepare('SELECT date, type, number FROM sms_messages' +
  ' WHERE program_id = @program AND date >= @since ORDER BY date, number')
  .all({ program: 4711, since: '2026-06-30 08:00:00' }));
check('named parameters are pushed down: the one request, spared by the window cache', [
  { source: 'cache', request: '/messages/program/4711?startDate=2026-06-30T07:59:59&pageSize=500' },
], db.prepare("SELECT source, substr(url, instr(url, '/messages')) AS request FROM sms_requests" +
  ' WHERE seq > ? ORDER BY seq').all(seqBefore));
check('... and the API saw no request', [], logLines());

// 3. iterate() reads pages as it goes: stopping after 3 rows fetched only the first page.
// cache_ttl=0: the window cache holds 4711 (section 1) and would answer with no request.
clearLog();
const first = [];
db.exec('CREATE VIRTUAL TABLE direct USING sms_messages(program_id=4711, cache_ttl=0)');
for (const row of db.prepare('SELECT number FROM direct').pluck().iterate()) {
  first.push(row);
  if (first.length === 3) break;
}
check('iterate() and break: 3 rows', 3, first.length);
check('iterate() and break: only the first page was fetched', [
  'GET /api/messages/program/4711?startDate=2025-06-30T13:00:04&pageSize=500 auth=ok',
], logLines());

// 4. the extension's errors are JS exceptions with its message
checkThrows('no program_id throws the extension\'s message',
  () => db.prepare('SELECT * FROM sms_messages').all(),
  'sms_messages: no program_id: say which program to read');
checkThrows('an unknown program throws with the HTTP status',
  () => db.prepare('SELECT count(*) FROM sms_messages(?)').get(999),
  'sms_messages: program 999 not found (HTTP 404: Program 999 does not exist)');
checkThrows('INSERT into the read-only table throws',
  () => db.prepare("INSERT INTO sms_messages(program_id, body) VALUES (4711, 'x')").run(),
  'sms_messages: the table is read-only', 'SQLITE_READONLY');
checkThrows('a bad option throws when the table is created',
  () => db.exec('CREATE VIRTUAL TABLE bad USING sms_messages(program_id=4711, page_size=9999)'),
  'sms_messages: ');

// 5. a configured table, and copying rows into a table of one's own
db.exec('CREATE VIRTUAL TABLE spring USING sms_messages(program_id=4711, page_size=200)');
db.exec("CREATE TABLE archive AS SELECT date, type, number, body FROM spring WHERE type = 'MO'");
check('rows copied into a local table', 397, db.prepare('SELECT count(*) FROM archive').pluck().get());

db.close();
process.exit(failures ? 1 : 0);
