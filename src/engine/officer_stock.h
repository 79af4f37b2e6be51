/* officer_stock.h: the 执法人员 stock (engine/officers.h: officers in force,
 * certified, certified and meeting the year's training hours) as a timeline
 * per unit, kept with the writes, so that a province-level dashboard reads a
 * few rows per unit instead of every officer (docs/indicators.md §1).
 *
 * Table officer_stock (unit_id, day, officers, certified, met): per unit a
 * step function of the day (days_from_civil). The stock on day D is the row
 * of the unit with the greatest day <= D (no row: nobody). It is a pure
 * function of the registries -- the officers' versions (a version stamped
 * valid_from..valid_to is in force at the end of the local days
 * [day(valid_from), day(valid_to)), in the process's time zone as the
 * reference instants of engine/officers.c are), each version's certificate
 * (cert_status 有效, issued_on..expires_on, the same test as
 * officer_evaluate) and the current trainings (the hours of a cert_no per
 * year against training_hours_required) -- so time passing moves only the
 * day read, never the rows. Only the rows where the stock changes are kept (a unit with a
 * hundred officers has a couple of hundred).
 *
 * Writes keep it: a write job that adds a version of cat_officers or
 * cat_officer_trainings (engine/catalogs.c calls the two hooks below) has
 * the timelines of the units concerned rebuilt from their officers at the
 * job's end (store_add_job_end_hook), inside the job. meta 'officer_stock'
 * stamps the timeline with the hours it counts and the newest version ids of
 * both catalogs it reflects; a reader trusts the timeline only when the stamp
 * equals the ids it sees (a write by any other path -- an older binary, a
 * hand edit -- leaves the stamp behind, and the reader falls back to reading
 * the officers until the next start or recompute rebuilds it). Moving a unit
 * to another region needs nothing: the region is joined at read time. */
#ifndef FZ_OFFICER_STOCK_H
#define FZ_OFFICER_STOCK_H

#include <stdint.h>
#include <stdio.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

/* The training hours the timeline counts (config training_hours_required;
 * 60 until set). Process-wide; set once at start, before any write. */
void stock_configure(int required_hours);
int stock_configured_hours(void);

/* Creates officer_stock when missing (schema_sync, the recompute). */
int stock_table_create(store_conn *w);

/* At start (ind_sync): when the definitions have the officers' catalogs and
 * the stamp is not current (never built, another hours setting, a write that
 * did not keep it), rebuilds every unit's timeline. *rebuilt: 1 when it did. */
int stock_sync(store_conn *w, const defs *d, int *rebuilt);

/* `indicators recompute`: derives every unit's timeline from the registries
 * and compares it with the stored one; check: prints each difference to out
 * (when not NULL) and counts it in *ndiff; else rewrites the units that
 * differ and stamps the timeline current. Nothing when the definitions lack
 * the officers' catalogs. */
int stock_recompute(store_conn *w, const defs *d, int check, FILE *out, int64_t *ndiff);

/* Hooks of engine/catalogs.c around writing a version of catalog d (no-ops
 * for other catalogs): before the write, and with the row written. */
void stock_write_begin(store_conn *w, const def *d);
void stock_write_row(store_conn *w, const def *d, int64_t row_id);

/* Whether the timeline may answer for required_hours given the ids a
 * reader sees (gen: newest ids of cat_officers, cat_officer_trainings) and
 * the stamp it read with them (meta 'officer_stock', NULL when absent). */
int stock_usable(const char *stamp, const int64_t gen[2], int required_hours);

/* The stock on each of days[0..n) (days_from_civil) per unit whose region
 * code starts with region_prefix: cb(ctx, k, unit, officers, certified,
 * met) for the units with officers on days[k], units ascending. */
typedef void (*stock_cb)(void *ctx, int k, int64_t unit, int64_t officers, int64_t certified, int64_t met);
int stock_read(store_conn *c, const int64_t *days, int n, const char *region_prefix, stock_cb cb, void *ctx);

/* The local day (days_from_civil) of an instant in milliseconds. */
int64_t stock_local_day(int64_t ms);

#endif
