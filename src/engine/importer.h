/* importer.h: all-or-nothing imports into a catalog or a procedure (historic
 * cases) from CSV or xlsx (engine/table_reader.h). Headers map by field
 * label or name; a procedure also takes "状态"/state (a state name or label),
 * "编号"/no and "单位编号"/unit_id (the case's unit; default the job's)
 * columns. Cells convert by field type: integers, money in 元
 * (stored in 分), 是/否, a party as "名称" or "名称|证件号".
 *
 * import_read checks every row and reports every bad one (row number as in
 * Excel, column label, reason); only when there is none does the caller run
 * import_write as one store write job, which writes every row through the
 * engine (each row an event). */
#ifndef FZ_IMPORTER_H
#define FZ_IMPORTER_H

#include <jansson.h>
#include <stdint.h>

#include "engine/authz.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"

typedef struct store_conn store_conn;

#define IMPORT_MAX_ERRORS 200

typedef struct import_error {
    long row;
    char column[64];
    char reason[320];
} import_error;

typedef struct import_report {
    int ok_rows;
    int nerrors;         /* kept */
    int total_errors;    /* found */
    import_error errors[IMPORT_MAX_ERRORS];
    char fatal[600];     /* a problem with the whole file (format, header) */
} import_report;

/* FZ_OK with *rows (new reference: [{row, values, state?, no?, unit_id?,
 * history?}]), or FZ_INVALID / other codes with rep filled. history (a
 * procedure only): the row's step history is read too -- its date fields and
 * its step-date columns ("<动作名称>日期", e.g. 立案日期、结案日期, for the
 * actions no field's label already names), as "history": the payloads of its
 * case.history events in date order (engine/cases.h case_history). Without
 * it a step-date column is refused (it would be dropped). */
int import_read(const def *d, const char *path, int history, json_t **rows, import_report *rep);

typedef struct import_job {
    const def *d;
    json_t *rows;             /* borrowed */
    const principal *who;     /* NULL: the CLI */
    const field_keys *keys;
    const char *ledger;
    int64_t unit_id;          /* the unit of rows without a 单位编号 */
    int publish;              /* also publish (公示) each imported case whose state
                                 its "publish" action starts from, as that step would */
    int written;
    int published;
    int history_events;       /* case.history events written (rows read with history) */
    int64_t checked_unit;     /* the last 单位编号 found in units */
    char why[1100];
} import_job;

/* store_write_fn. */
int import_write(store_conn *w, void *ctx);

#endif
