/*
** sms_log.h: the request log of one database connection.
**
** Boundary: pure C and pthreads. The HTTP client adds one record per try (from whichever
** thread made it), the scan one per part of a window the cache answered; the sms_requests
** table reads a snapshot and deletes records. The log keeps the last SMS_LOG_SIZE records.
** URLs never carry credentials, so nothing here is secret.
**
** Statements: the vtab says when a statement of the connection starts
** (sms_log_statement_begin), and every record added from then on carries its number. The
** parts the cache answers are counted, not listed: one record per statement, program and
** URL (the window it spared), with nCount, so that a correlated subquery that the cache
** answers a thousand times writes one record, not a thousand.
*/
#ifndef SMS_LOG_H
#define SMS_LOG_H

#include <stddef.h>

#define SMS_LOG_SIZE 1000

typedef struct SmsLogRecord {
  long long iSeq;     /* 1 for the connection's first request */
  long long iStmt;    /* the statement that made it: 1 for the connection's first */
  double rTime;       /* when the request started, seconds since 1970 (UTC) */
  char *zUrl;         /* the URL requested */
  long long iProgram; /* the program it was for */
  int iStatus;        /* HTTP status, 0 when no response came */
  int iAttempt;       /* 1 for the first try of a page, 2 for its first retry, ... */
  int nRow;           /* messages decoded, -1 when the page was not decoded */
  long long nByte;    /* bytes of body received */
  double rMs;         /* milliseconds the try took */
  char *zError;       /* why it failed, NULL when it did not */
  int bCache;         /* no request: the window cache answered this part (zUrl says which) */
  long long nCount;   /* 1; for a cache part, the times the statement's scans read it */
  char *zNote;        /* what the answer told besides its page (a far clock), or NULL */
} SmsLogRecord;

typedef struct SmsLog SmsLog;

SmsLog *sms_log_new(void);
void sms_log_free(SmsLog *p);

/* A statement of the connection starts: records added from now on carry the next number. */
void sms_log_statement_begin(SmsLog *p);

/* Add a record (the strings are copied; iSeq, iStmt and nCount are the log's to set). A cache
** part (bCache) the current statement already logged for the same program and URL only
** counts again. Silently nothing when out of memory. */
void sms_log_add(SmsLog *p, const SmsLogRecord *pRec);

/* How the current statement read the nProgram programs of aProgram: the pages the API sent
** (tries that decoded) and the parts the cache answered (each time), summed. A program the
** statement has not read counts 0, and so does one past the first SMS_LOG_PROGRAMS. For the
** progress line: records that fall out of the ring still count. */
#define SMS_LOG_PROGRAMS 32
void sms_log_statement_counts(SmsLog *p, const long long *aProgram, int nProgram,
                              long long *pnFetched, long long *pnCached);

/* Whether the connection is yet to say that zKey is iValue: 1 the first time, and again
** once the value has moved by more than iSlack from the one said (which it then
** remembers); 0 otherwise. For the notes of records: a server's clock is said once per
** origin, not on every answer. */
int sms_log_once(SmsLog *p, const char *zKey, long long iValue, long long iSlack);

/* The newest record's note not yet taken, copied into zOut (at most nOut bytes); 1 when
** there was one. The progress line says it on stderr, once. */
int sms_log_take_note(SmsLog *p, char *zOut, size_t nOut);

/* Forget the record iSeq (DELETE FROM sms_requests); nothing when it is gone already. */
void sms_log_delete(SmsLog *p, long long iSeq);

/* A copy of the records, oldest first, into *paRec (malloc'd; free with
** sms_log_snapshot_free). Returns the number of records, -1 when out of memory. */
int sms_log_snapshot(SmsLog *p, SmsLogRecord **paRec);
void sms_log_snapshot_free(SmsLogRecord *aRec, int nRec);

#endif /* SMS_LOG_H */
