// sms-export: the SQLite extension that reads the SMS export REST API as the table
// sms_messages, packaged for Node.js (the npm package `make dist` builds).
//
//   const Database = require('better-sqlite3');
//   const smsExport = require('sms-export');
//   const db = new Database(':memory:');
//   smsExport.load(db);
//   db.prepare('SELECT count(*) FROM sms_messages(4711)').pluck().get();
//
// load() takes any database with a loadExtension(path) method (better-sqlite3's). The
// library needs libcurl 4 and libcjson 1 on the machine; without them load() throws an
// error that says which one is missing and how to install it.
'use strict';

const path = require('path');
const { version } = require('./package.json');

const NEEDS = 'the extension needs libcurl 4 and libcjson 1 on this machine: on Debian or ' +
  'Ubuntu apt-get install libcurl4 libcjson1; on Fedora dnf install libcurl cjson';

// The library's full path, as db.loadExtension() takes it.
function getLoadablePath() {
  return path.join(__dirname, 'lib', 'sms_export.so');
}

// Load the extension into db. SQLite is given the path without its suffix: it adds ".so"
// itself, and reports the error of its last try, so that the full path would end in a
// misleading "sms_export.so.so: cannot open" when a library the extension links is missing.
function load(db) {
  try {
    db.loadExtension(getLoadablePath().replace(/\.so$/, ''));
  } catch (e) {
    if (!String(e && e.message).includes('cannot open shared object file')) throw e;
    // The dynamic loader could not find a library the extension links: say which and how
    // to get it, keeping the error's own type and code.
    e.message = `sms_messages: cannot load ${getLoadablePath()}: ${e.message}; ${NEEDS}`;
    throw e;
  }
}

module.exports = { load, getLoadablePath, version };
