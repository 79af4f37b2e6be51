/* report.h: 法治政府建设年度报告 (issue 7; DOMAIN §3.9: published before
 * 1 April for the previous year). report_annual_model gathers every figure
 * from the record into a JSON model; the renderers write it as printable
 * HTML, as a docx (OOXML through libzip) or as an xlsx of the figures
 * (libxlsxwriter). Figures whose module does not exist are "数据未接入",
 * never invented (docs/report.md).
 *
 * Model:
 *   {"title", "county", "year", "generated_on",
 *    "sections": [{"no": "一", "heading", "figures": [{"label", "value",
 *                  "available": bool, "source"}]}],          (一 to 五)
 *    "indicators": [{"name", "title", "num", "den", "value" ("87.50" | ""),
 *                    "target" ("100%"), "direction", "met": bool | null}],
 *    "shortcomings": {"unmet": [{"title", "value", "target"}], "missing": [label]},
 *    "external": [{"item", "year", "value", "source", "reported_on", "notes"}]} */
#ifndef FZ_REPORT_H
#define FZ_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

#define REPORT_MISSING "数据未接入"

typedef struct report_opts {
    const char *region_code; /* the data dir's region (fazhi.conf) */
    int year;
    int today_ymd;           /* yyyymmdd */
    int required_hours;      /* 执法人员年度培训学时要求 */
} report_opts;

/* New model in *out. FZ_OK, FZ_INVALID (year after today's), or a store error. */
int report_annual_model(store_conn *c, const defs *d, const report_opts *o, json_t **out);

/* Renderers: write the whole file at path (created or replaced); on failure
 * return FZ_ERR with a reason in err and leave no file at path. */
int report_render_html(const json_t *m, const char *path, char *err, size_t n);
int report_render_docx(const json_t *m, const char *path, char *err, size_t n);
int report_render_xlsx(const json_t *m, const char *path, char *err, size_t n);

#endif
