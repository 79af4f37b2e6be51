/* attach.c: attachments -- type sniffing, names, content-addressed files,
 * rows + events, listing, verification (see attach.h). */
#include "engine/attach.h"
#include "engine/events.h"
#include "engine/reccol.h"
#include "store/store.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_at(const unsigned char *h, size_t n, size_t off, const char *s)
{
    size_t l = strlen(s);
    return n >= off + l && memcmp(h + off, s, l) == 0;
}

static int contains(const unsigned char *h, size_t n, const char *s)
{
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++)
        if (h[i] == (unsigned char)s[0] && memcmp(h + i, s, l) == 0)
            return 1;
    return 0;
}

static int ends_with(const char *name, const char *ext)
{
    size_t n = name ? strlen(name) : 0, e = strlen(ext);
    return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* UTF-8 text: valid (a sequence cut by the end of an incomplete head is
 * allowed), no NUL or control characters besides tab, CR, LF, FF, and not
 * markup (a first non-blank '<' means HTML/XML/SVG, which browsers run). */
static int is_text(const unsigned char *h, size_t n, int complete)
{
    size_t i = 0;
    if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
        i = 3;
    size_t j = i;
    while (j < n && (h[j] == ' ' || h[j] == '\t' || h[j] == '\r' || h[j] == '\n'))
        j++;
    if (j < n && h[j] == '<')
        return 0;
    for (size_t k = i; k < n; k++)
        if ((h[k] < 0x20 && h[k] != '\t' && h[k] != '\r' && h[k] != '\n' && h[k] != '\f') || h[k] == 0x7F)
            return 0;
    size_t len = n;
    if (!complete) {
        /* Drop a trailing partial sequence (at most 3 bytes). */
        size_t back = 0;
        while (back < 3 && back < len && (h[len - 1 - back] & 0xC0) == 0x80)
            back++;
        if (back < len && h[len - 1 - back] >= 0xC0) {
            unsigned char lead = h[len - 1 - back];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (back + 1 < need)
                len -= back + 1;
        }
    }
    return utf8_valid((const char *)h, len);
}

const char *attach_sniff(const unsigned char *h, size_t n, int complete, const char *name)
{
    if (n == 0)
        return NULL;
    if (has_at(h, n, 0, "%PDF-"))
        return "application/pdf";
    if (has_at(h, n, 0, "\x89PNG\r\n\x1a\n"))
        return "image/png";
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        return "image/jpeg";
    if (has_at(h, n, 0, "GIF87a") || has_at(h, n, 0, "GIF89a"))
        return "image/gif";
    if (has_at(h, n, 0, "RIFF") && has_at(h, n, 8, "WEBP"))
        return "image/webp";
    if (has_at(h, n, 0, "RIFF") && has_at(h, n, 8, "WAVE"))
        return "audio/wav";
    if (has_at(h, n, 4, "ftyp")) {
        /* ISO base media: the major brand says which (HEIF/AVIF are not taken). */
        static const char *const video[] = {"isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1",
                                            "M4V ", "mmp4", "dash", "3gp4", "3gp5", "3gp6", "3g2a", "f4v "};
        if (has_at(h, n, 8, "qt  "))
            return "video/quicktime";
        if (has_at(h, n, 8, "M4A "))
            return "audio/mp4";
        for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
            if (has_at(h, n, 8, video[i]))
                return "video/mp4";
        return NULL;
    }
    /* MP3: an ID3 tag, or an MPEG audio layer III frame header (which a
     * UTF-16 byte-order mark FF FE is not). */
    if (has_at(h, n, 0, "ID3") || (n >= 3 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0 && (h[1] & 0x18) != 0x08 &&
                                   (h[1] & 0x06) == 0x02 && (h[2] & 0xF0) != 0xF0 && (h[2] & 0x0C) != 0x0C))
        return "audio/mpeg";
    if (has_at(h, n, 0, "PK\x03\x04")) {
        /* OOXML: the local headers near the start name the parts. */
        if (!contains(h, n, "[Content_Types].xml"))
            return NULL;
        if (contains(h, n, "word/"))
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        if (contains(h, n, "xl/"))
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        return NULL;
    }
    if (has_at(h, n, 0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
        return ends_with(name, ".xls") ? "application/vnd.ms-excel" : "application/msword";
    if (is_text(h, n, complete))
        return "text/plain; charset=utf-8";
    return NULL;
}

int attach_clean_name(char *name)
{
    size_t len = strlen(name);
    if (!utf8_valid(name, len))
        return FZ_INVALID;
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)base; *p; p++)
        if (*p >= 0x20 && *p != 0x7F)
            name[o++] = (char)*p;
    name[o] = '\0';
    if (o > ATTACH_NAME_MAX) {
        o = ATTACH_NAME_MAX;
        while (o > 0 && ((unsigned char)name[o] & 0xC0) == 0x80)
            o--;
        name[o] = '\0';
    }
    /* Leading dots would make hidden or relative names; trim spaces too. */
    size_t s = 0;
    while (name[s] == '.' || name[s] == ' ')
        s++;
    memmove(name, name + s, strlen(name + s) + 1);
    if (!*name)
        snprintf(name, ATTACH_NAME_MAX + 1, "附件");
    return FZ_OK;
}

int attach_check_category(const char *cat, size_t len)
{
    if (len == 0 || !utf8_valid(cat, len))
        return FZ_INVALID;
    size_t chars = 0, blank = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)cat[i];
        if (c < 0x20 || c == 0x7F)
            return FZ_INVALID;
        if (c != ' ')
            blank = 0;
        if ((c & 0xC0) != 0x80)
            chars++;
    }
    return blank || chars > ATTACH_CATEGORY_MAX ? FZ_INVALID : FZ_OK;
}

void attach_path(const char *data_dir, const char *sm3hex, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/attachments/%.2s/%s", data_dir, sm3hex, sm3hex);
}

int attach_store_file(const char *data_dir, const char *tmp, const char *sm3hex)
{
    char dir[1200], path[1300];
    snprintf(dir, sizeof(dir), "%s/attachments/%.2s", data_dir, sm3hex);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return FZ_ERR;
    attach_path(data_dir, sm3hex, path, sizeof(path));
    struct stat sb;
    if (stat(path, &sb) == 0) {
        unlink(tmp); /* stored once */
        return FZ_OK;
    }
    return rename(tmp, path) == 0 ? FZ_OK : FZ_ERR;
}

int attach_add(store_conn *w, attach_rec *a)
{
    int64_t case_id = 0;
    if (!strncmp(a->subject_kind, "case:", 5)) {
        char *end;
        long long v = strtoll(a->subject_id, &end, 10);
        if (!a->proc || strcmp(a->subject_kind + 5, a->proc->name) != 0 || *end || v <= 0)
            return FZ_INVALID;
        case_id = (int64_t)v;
    }
    json_t *payload = json_pack("{s:s, s:s, s:s, s:I, s:s}", "category", a->category, "name", a->name, "mime",
                                a->mime, "size", (json_int_t)a->size, "sm3", a->sm3);
    if (!payload)
        return FZ_NOMEM;
    event e = {.ledger = a->ledger, .actor = a->uploader, .unit_id = a->unit_id, .subject_kind = a->subject_kind,
               .subject_id = a->subject_id, .action = "attachment.added", .def_digest = a->def_digest};
    int rc = event_append(w, &e, payload);
    json_decref(payload);
    if (rc)
        return rc;
    a->event_seq = e.seq;
    a->created_at = time_now_ms();
    store_stmt *st;
    if ((rc = store_prepare(w, "INSERT INTO attachments (subject_kind, subject_id, category, name, mime, size, sm3,"
                               " event_seq, uploader, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                               " RETURNING id", &st)))
        return rc;
    store_bind_text(st, 1, a->subject_kind);
    store_bind_text(st, 2, a->subject_id);
    store_bind_text(st, 3, a->category);
    store_bind_text(st, 4, a->name);
    store_bind_text(st, 5, a->mime);
    store_bind_int(st, 6, a->size);
    store_bind_text(st, 7, a->sm3);
    store_bind_int(st, 8, a->event_seq);
    store_bind_text(st, 9, a->uploader);
    store_bind_int(st, 10, a->created_at);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        a->id = store_col_int(st, 0);
        rc = FZ_OK;
    } else {
        rc = FZ_ERR;
    }
    store_done(st);
    /* Attachments are only ever added: the column moves only here. */
    return rc || !case_id ? rc : reccol_after_attachment(w, a->proc, case_id, a->category);
}

#define COLUMNS "id, subject_kind, subject_id, category, name, mime, size, sm3, event_seq, uploader, created_at"

static json_t *row_json(store_stmt *st)
{
    char at[32];
    time_format_rfc3339(store_col_int(st, 10), at);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s}", "id",
                     (json_int_t)store_col_int(st, 0), "subject_kind", store_col_text(st, 1), "subject_id",
                     store_col_text(st, 2), "category", store_col_text(st, 3), "name", store_col_text(st, 4),
                     "mime", store_col_text(st, 5), "size", (json_int_t)store_col_int(st, 6), "sm3",
                     store_col_text(st, 7), "event_seq", (json_int_t)store_col_int(st, 8), "uploader",
                     store_col_text(st, 9), "created_at", at);
}

json_t *attach_get(store_conn *c, int64_t id, char kind[64], char sid[24], char sm3hex[SM3_HEX_LEN + 1])
{
    store_stmt *st;
    if (store_prepare(c, "SELECT " COLUMNS " FROM attachments WHERE id = ?", &st))
        return NULL;
    store_bind_int(st, 1, id);
    json_t *o = NULL;
    if (store_step(st) == STORE_ROW) {
        o = row_json(st);
        snprintf(kind, 64, "%s", store_col_text(st, 1));
        snprintf(sid, 24, "%s", store_col_text(st, 2));
        snprintf(sm3hex, SM3_HEX_LEN + 1, "%s", store_col_text(st, 7));
    }
    store_done(st);
    return o;
}

json_t *attach_list(store_conn *c, const char *subject_kind, const char *subject_id)
{
    json_t *arr = json_array();
    store_stmt *st;
    if (!arr || store_prepare(c, "SELECT " COLUMNS " FROM attachments WHERE subject_kind = ? AND subject_id = ?"
                                 " ORDER BY id", &st))
        return arr;
    store_bind_text(st, 1, subject_kind);
    store_bind_text(st, 2, subject_id);
    while (store_step(st) == STORE_ROW)
        json_array_append_new(arr, row_json(st));
    store_done(st);
    return arr;
}

int attach_has_category(store_conn *c, const char *subject_kind, const char *subject_id, const char *category)
{
    int64_t n = 0;
    if (store_query_int(c, &n, 0,
                        "SELECT count(*) FROM attachments WHERE subject_kind = ? AND subject_id = ? AND category = ?",
                        "sss", subject_kind, subject_id, category) != FZ_OK)
        return 0;
    return n > 0;
}

int attach_verify(store *s, const char *data_dir, int64_t *checked, char *reason, size_t reasonlen)
{
    *checked = 0;
    reason[0] = '\0';
    int cur = 0, latest = 0;
    store_schema(s, &cur, &latest);
    if (cur < 6)
        return FZ_OK; /* no attachments table yet */
    store_conn *c = store_reader(s);
    if (!c) {
        snprintf(reason, reasonlen, "无法打开数据库");
        return FZ_ERR;
    }
    store_stmt *st;
    if (store_prepare(c, "SELECT id, sm3, size FROM attachments ORDER BY id", &st)) {
        snprintf(reason, reasonlen, "无法读取附件表");
        return FZ_ERR;
    }
    int rc = FZ_OK;
    while (rc == FZ_OK && store_step(st) == STORE_ROW) {
        int64_t id = store_col_int(st, 0), size = store_col_int(st, 2);
        char hex[SM3_HEX_LEN + 1], path[1300], got[SM3_HEX_LEN + 1];
        snprintf(hex, sizeof(hex), "%s", store_col_text(st, 1));
        attach_path(data_dir, hex, path, sizeof(path));
        unsigned char d[SM3_LEN];
        uint64_t n = 0;
        if (sm3_file(path, d, &n) != FZ_OK) {
            snprintf(reason, reasonlen, "附件 %lld 的文件 %s 缺失或不可读", (long long)id, path);
            rc = FZ_INVALID;
            break;
        }
        sm3_hex(d, got);
        if ((int64_t)n != size) {
            snprintf(reason, reasonlen, "附件 %lld 的文件 %s 大小为 %llu，记录为 %lld", (long long)id, path,
                     (unsigned long long)n, (long long)size);
            rc = FZ_INVALID;
        } else if (strcmp(got, hex) != 0) {
            snprintf(reason, reasonlen, "附件 %lld 的文件 %s 的 SM3 为 %s，与记录不符", (long long)id, path, got);
            rc = FZ_INVALID;
        }
        if (rc == FZ_OK)
            (*checked)++;
    }
    store_done(st);
    return rc;
}
