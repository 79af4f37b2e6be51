/* calfile.h: holiday schedule files (国务院办公厅 部分节假日安排) in JSON or
 * CSV, parsed and checked before anything is stored. A file is accepted
 * whole or not at all; the first error names the line (CSV, JSON syntax) or
 * the field path (JSON, e.g. "holidays[2].from") and says why, in Chinese.
 *
 * JSON (share/holidays/2024.json is an example): one year object, or an
 * array of them:
 *   {"year": 2024, "source": "…",
 *    "holidays": [{"name": "春节", "from": "2024-02-10", "to": "2024-02-17"},
 *                 {"name": "元旦", "date": "2024-01-01"}],
 *    "workdays": [{"date": "2024-02-04", "name": "春节调休上班"}]}
 * CSV: a header "date,kind,name" (or "日期,类型,名称"), then one day per line;
 * kind is 休 (rest, holiday) or 班 (work, workday); blank lines and lines
 * starting with # are skipped, except "# source: …" / "# 来源：…", which sets
 * the source. Years are taken from the dates.
 *
 * Checks: real dates; ranges not reversed and at most CALFILE_MAX_RANGE
 * days; no day listed twice (overlapping ranges, repeats) and none marked
 * both 休 and 班; 班 only on a Saturday or Sunday (a weekday is already a
 * working day); dates inside the declared year; every year has a holiday;
 * years inside the calendar span; no year twice.
 *
 * Memory: calfile_parse fills a calfile the caller releases with
 * calfile_free (also after an error). No I/O. */
#ifndef FZ_CALFILE_H
#define FZ_CALFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/sm.h"

#define CALFILE_MAX_RANGE 31
#define CALFILE_NAME_MAX 32     /* characters */
#define CALFILE_SOURCE_MAX 200  /* characters */

typedef struct calfile_day {
    int64_t day;        /* day number */
    int kind;           /* CAL_MARK_REST / CAL_MARK_WORK */
    char name[128];     /* UTF-8, at most CALFILE_NAME_MAX characters */
    char where[64];     /* "第 12 行" or "holidays[2]", for messages */
} calfile_day;

typedef struct calfile_year {
    int year;
    char source[640];
    calfile_day *days;  /* sorted by day */
    size_t ndays;
} calfile_year;

typedef struct calfile {
    calfile_year *years; /* sorted by year */
    size_t nyears;
} calfile;

/* Parses JSON (text starting with '{' or '[' after blanks and a BOM) or CSV. */
int calfile_parse(const char *text, size_t len, calfile *out, char *err, size_t errlen);
void calfile_free(calfile *f);

/* "Far outside the loaded range": with schedules loaded for lo..hi, a file
 * may bring years lo - CALFILE_BACK_YEARS .. hi + CALFILE_AHEAD_YEARS. */
#define CALFILE_BACK_YEARS 20
#define CALFILE_AHEAD_YEARS 2
int calfile_check_range(const calfile *f, int lo, int hi, char *err, size_t errlen);

/* SM3 over the canonical text of a year's days ("FZCAL1\n", the year, then
 * "YYYY-MM-DD,rest|work,name\n" per day in order); the source is not part of it. */
void calfile_digest(const calfile_year *y, char hex[SM3_HEX_LEN + 1]);

/* Counts of the year's marks. */
void calfile_counts(const calfile_year *y, int *rest, int *work);

#endif
