/* table_reader.h: a streaming reader for imported tables, CSV or xlsx.
 *
 * Import code (catalogs, historic cases) opens a file, pulls rows one at a
 * time as arrays of UTF-8 strings and rejects the whole file on the first
 * error, so every failure carries a detail code, the row the user sees in
 * Excel ("第 N 行") and a Chinese message that can go straight to the UI.
 *
 * Memory stays bounded whatever the file holds: rows, columns, cells, cell
 * size and the bytes unzipped from an xlsx are capped (tr_limits), and xlsx
 * XML may carry no DOCTYPE, so entity expansion and external entities are
 * impossible.
 *
 * Ownership: table_open() returns a reader the caller frees with
 * table_close(). A tr_row handed out by table_next() is borrowed and valid
 * until the next table_next() or table_close() on the same reader. Errors are
 * copied into a caller-owned tr_error. No function keeps a pointer to its
 * arguments after it returns.
 */
#ifndef FZ_TABLE_READER_H
#define FZ_TABLE_READER_H

#include <stddef.h>
#include <stdint.h>

typedef enum { TR_FMT_AUTO = 0, TR_FMT_CSV = 1, TR_FMT_XLSX = 2 } tr_format;

/* CSV text encoding. AUTO takes UTF-8 when the whole file is valid UTF-8 and
 * otherwise decodes it as GB18030 (a superset of GBK/GB2312). */
typedef enum { TR_ENC_AUTO = 0, TR_ENC_UTF8 = 1, TR_ENC_GB18030 = 2 } tr_encoding;

/* Detail codes; the status returned alongside is FZ_ERR for TR_E_IO,
 * FZ_NOMEM for TR_E_NOMEM and the size caps, FZ_INVALID for the rest. */
typedef enum {
    TR_E_NONE = 0,
    TR_E_IO,        /* cannot open or read the file */
    TR_E_NOMEM,     /* allocation failed */
    TR_E_FORMAT,    /* not a zip, old .xls, UTF-16 text, corrupt xlsx */
    TR_E_NO_SHEET,  /* workbook has no readable worksheet */
    TR_E_ZIP_BOMB,  /* unzipped size or compression ratio over the cap */
    TR_E_XML,       /* malformed XML inside the xlsx */
    TR_E_DTD,       /* DOCTYPE or entity declaration in xlsx XML */
    TR_E_ROWS,      /* more rows than max_rows */
    TR_E_COLS,      /* a row wider than max_cols */
    TR_E_CELLS,     /* more cells in total than max_cells */
    TR_E_CELL_SIZE, /* a cell longer than max_cell_bytes */
    TR_E_UTF8,      /* invalid UTF-8 or a NUL byte in a CSV read as UTF-8 */
    TR_E_ENCODING,  /* CSV neither UTF-8 nor GB18030 */
    TR_E_QUOTE,     /* RFC 4180 quoting error */
    TR_E_RAGGED,    /* CSV row with a different number of fields than row 1 */
    TR_E_HEADER     /* header mapping: unknown, duplicate or missing columns */
} tr_code;

typedef struct tr_error {
    tr_code code;
    long row;      /* 1-based row as in Excel; 0 when not tied to a row */
    int col;       /* 1-based column; 0 when not tied to a column */
    char msg[512]; /* Chinese, UTF-8, NUL-terminated */
} tr_error;

/* Zero fields take the defaults shown. */
typedef struct tr_limits {
    size_t max_rows;        /* non-blank rows, header included; 1,048,576 (an xlsx sheet) */
    size_t max_cols;        /* columns per row; 1,024 */
    size_t max_cells;       /* cells in total; 20,000,000 */
    size_t max_cell_bytes;  /* bytes in one cell; 131,072 (Excel: 32,767 chars) */
    uint64_t max_unzipped;  /* bytes unzipped from an xlsx in total; 200 MB */
    unsigned max_ratio;     /* uncompressed/compressed per zip entry over 1 MiB; 200 */
    tr_encoding encoding;   /* CSV only */
    char delim;             /* CSV field separator; ',' */
    int allow_ragged;       /* CSV: accept rows of differing width */
} tr_limits;

typedef struct tr_row {
    long num;                 /* 1-based row number as Excel shows it */
    size_t ncols;             /* cells in this row; missing xlsx cells are "" */
    const char *const *cells; /* ncols UTF-8 strings, never NULL */
} tr_row;

typedef struct table_reader table_reader;

/* Opens path. lim may be NULL for the defaults. TR_FMT_AUTO picks xlsx for a
 * zip (or a .xlsx/.xlsm name) and CSV otherwise. On success returns FZ_OK and
 * *out; otherwise *out is NULL, err (if not NULL) is filled and a negative
 * FZ_* code is returned. */
int table_open(const char *path, tr_format fmt, const tr_limits *lim, table_reader **out, tr_error *err);

/* Reads the next row that has at least one non-empty cell; blank rows are
 * skipped but still counted in row numbers. Returns FZ_OK and fills *row,
 * FZ_NOTFOUND at the end of the table, or a negative FZ_* code with err
 * filled. After an error the reader only returns that error again. */
int table_next(table_reader *r, tr_row *row, tr_error *err);

/* The format actually opened (TR_FMT_CSV or TR_FMT_XLSX). */
tr_format table_format(const table_reader *r);

/* Frees the reader. NULL is a no-op. */
void table_close(table_reader *r);

/* Header mapping. */
typedef struct tr_field {
    const char *name;  /* machine name, matched ASCII case-insensitively */
    const char *label; /* Chinese label, matched exactly; may be NULL */
    int required;
} tr_field;

#define TR_MAP_IGNORE_UNKNOWN 1 /* accept columns that match no field */

/* Maps header cells to fields: col_of_field[i] receives the 0-based column of
 * fields[i], or -1. Cells are compared trimmed of ASCII white space, U+3000
 * (full-width space), U+00A0 and U+FEFF; empty header cells are ignored.
 * Returns FZ_OK, or FZ_INVALID with err (code TR_E_HEADER, row = header_row)
 * listing every unknown, duplicate and missing required column. */
int table_map_header(const tr_row *header, const tr_field *fields, size_t nfields, int flags, int *col_of_field,
                     tr_error *err);

#ifdef TABLE_READER_INTERNAL
/* Shared by table_reader.c, csv_reader.c and xlsx_reader.c only. */
#include "core/strbuf.h"

struct table_reader {
    tr_limits lim;
    tr_format fmt;
    tr_error err;  /* sticky */
    long rownum;   /* row being built */
    strbuf cells;  /* current row: cells separated by NUL */
    size_t *offs;  /* start of each cell in cells.data */
    const char **ptrs;
    size_t ncols, cap;
    size_t rows_out, cells_total;
    void *impl;
    int (*next)(table_reader *r); /* builds the next row: FZ_OK, FZ_NOTFOUND or error */
    void (*free_impl)(void *impl);
};

/* Records the sticky error (printf-style Chinese message) and returns its FZ code. */
int tr_fail(table_reader *r, tr_code code, long row, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tr_row_reset(table_reader *r, long rownum);
/* Appends one cell, enforcing the column, cell and size caps. */
int tr_row_add(table_reader *r, const char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8 without NUL bytes. */
int tr_utf8_valid(const char *s, size_t n);

int csv_reader_open(table_reader *r, const char *path);
int xlsx_reader_open(table_reader *r, const char *path);
#endif

#endif
