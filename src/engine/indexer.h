/* indexer.h: what the one search box finds (issue 5 part 7): case and
 * catalog rows are put into the "main" full-text index (store/search.h) in
 * the same write job as the change, so search never shows a state the
 * record does not have. */
#ifndef FZ_INDEXER_H
#define FZ_INDEXER_H

#include <jansson.h>
#include <stdint.h>

#include "engine/defs.h"

typedef struct store_conn store_conn;

#define INDEX_MAIN "main"

/* A case: title "<no> <first text field>", body the text fields. */
int index_case(store_conn *w, const def *d, int64_t id, const char *no, int64_t unit_id, const json_t *fields);
/* A catalog row: its definition's "search" fields (the first is the title). */
int index_catalog_row(store_conn *w, const def *d, int64_t row_id, int64_t unit_id, const json_t *fields);

#endif
