/* export.h: tabular exports to a file, in constant memory: CSV (UTF-8 with
 * BOM, RFC 4180 quoting, formula-injection guard) or xlsx (libxlsxwriter,
 * constant_memory mode). The HTTP layer then streams the file. */
#ifndef FZ_EXPORT_H
#define FZ_EXPORT_H

#include <stddef.h>

typedef enum { EXPORT_CSV = 0, EXPORT_XLSX = 1 } export_format;

typedef struct exporter exporter;

/* Parses "csv" / "xlsx"; -1 otherwise. */
int export_format_parse(const char *s);
const char *export_mime(export_format f);
const char *export_ext(export_format f);

/* Creates path (must not exist) and writes the header row. sheet names the
 * xlsx worksheet. Returns NULL on failure. */
exporter *export_open(export_format f, const char *path, const char *sheet, const char *const *headers, int ncols);
/* Writes one row of ncols UTF-8 cells (NULL = empty). */
int export_row(exporter *e, const char *const *cells);
/* Finishes the file; frees e. Returns FZ_OK or FZ_ERR. */
int export_close(exporter *e);

#endif
