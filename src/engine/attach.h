/* attach.h: case attachments (issue 5 part 4). Files are content-addressed
 * under DIR/attachments/<sm3 first 2 hex>/<sm3 hex> (the same bytes are stored
 * once); each upload is a row in `attachments` plus an "attachment.added"
 * event on the case, written in one job (the row records the event's seq).
 * The type is sniffed from the first bytes against a whitelist; the client's
 * declared type is not trusted. */
#ifndef FZ_ATTACH_H
#define FZ_ATTACH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sm.h"
#include "engine/defs.h"

typedef struct store store;
typedef struct store_conn store_conn;

/* Bytes of the head the sniffer looks at (it decides earlier when it can). */
#define ATTACH_SNIFF_LEN 8192
#define ATTACH_CATEGORY_MAX 40 /* characters */
#define ATTACH_NAME_MAX 255    /* bytes */

/* The whitelisted MIME type of a file starting with head[0..n), or NULL.
 * name (may be NULL) only tells doc from xls inside OLE2. complete: head is
 * the whole file (else a truncated UTF-8 sequence at the end is allowed). */
const char *attach_sniff(const unsigned char *head, size_t n, int complete, const char *name);

/* Cleans a client file name in place: UTF-8 checked (FZ_INVALID if not),
 * directory part and control characters dropped, at most ATTACH_NAME_MAX
 * bytes (cut on a character boundary); "" becomes "附件". */
int attach_clean_name(char *name);

/* Checks a category: non-empty UTF-8 without control characters, at most
 * ATTACH_CATEGORY_MAX characters. */
int attach_check_category(const char *cat, size_t len);

/* DIR/attachments/<sm3[0:2]>/<sm3> into out. */
void attach_path(const char *data_dir, const char *sm3hex, char *out, size_t outlen);
/* Moves the finished temp file to its content address (creating the
 * directory); when that content is already stored the temp file is removed. */
int attach_store_file(const char *data_dir, const char *tmp, const char *sm3hex);

typedef struct attach_rec {
    /* in */
    const char *ledger;
    const char *subject_kind, *subject_id;
    int64_t unit_id;
    const char *def_digest;
    const def *proc; /* the case's procedure definition in force: its 全过程记录 column
                        (engine/reccol.h) is kept; required for a "case:" subject */
    const char *category, *name, *mime, *sm3;
    int64_t size;
    const char *uploader;
    /* out */
    int64_t id, event_seq, created_at;
} attach_rec;

/* Inside a write job: appends the "attachment.added" event, inserts the
 * row and keeps the case's 全过程记录 column (reccol_after_attachment).
 * FZ_INVALID: a case subject without proc. The caller then updates the
 * case's indicator facts in the same job
 * (ind_on_subject, engine/indicators.h: rule full_record reads the
 * attachment categories), once after a batch of attachments. */
int attach_add(store_conn *w, attach_rec *a);

/* One attachment as the API shows it. New reference; NULL when absent. */
/* Also returns the owning subject and the content's SM3. */
json_t *attach_get(store_conn *c, int64_t id, char kind[64], char sid[24], char sm3hex[SM3_HEX_LEN + 1]);
/* Every attachment of a subject, oldest first. New reference. */
json_t *attach_list(store_conn *c, const char *subject_kind, const char *subject_id);
/* 1 when the subject has an attachment of category. */
int attach_has_category(store_conn *c, const char *subject_kind, const char *subject_id, const char *category);

/* fazhi verify: re-hashes every attachment file against its recorded SM3
 * and size. FZ_OK when all match; otherwise FZ_INVALID with the first
 * mismatch (id, path, reason) in reason. */
int attach_verify(store *s, const char *data_dir, int64_t *checked, char *reason, size_t reasonlen);

#endif
