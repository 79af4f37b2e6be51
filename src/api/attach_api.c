/* attach_api.c: case attachments (engine/attach.h). The upload route is a
 * streaming route (api/routes.h .stream): this handler runs before the body,
 * checks the caller and the case, opens a temp file in DIR/attachments/tmp,
 * and the multipart body is written there chunk by chunk while its SM3 and
 * size are computed; nothing of the file is held in memory beyond the head
 * the type sniffer looks at. */
#include "api/app.h"
#include "api/routes.h"
#include "api/util.h"
#include "engine/attach.h"
#include "engine/indicators.h"
#include "engine/cases.h"
#include "core/sm.h"
#include "core/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct upload {
    const def *d;
    int64_t case_id;
    char kind[64], sid[24];
    char tmp[1300];
    int fd;
    sm3_ctx *h;
    int moved;
    int64_t size, max;
    unsigned char head[ATTACH_SNIFF_LEN];
    size_t head_len;
    const char *mime;
    int have_file;
    char *name;
    char cat[4 * ATTACH_CATEGORY_MAX + 1];
    size_t cat_len;
    int cat_over;
    char hex[SM3_HEX_LEN + 1];
    attach_rec rec;
} upload;

static atomic_uint tmp_counter;

/* The case exists and is within the caller's scope for perm (404 if not). */
static int visible_case(req *r, store_conn *c, const def *d, const char *perm, int64_t id, const char *what)
{
    int64_t unit, handler;
    int rc = case_owner(c, d, id, &unit, &handler);
    if (rc == FZ_NOTFOUND || (rc == FZ_OK && authz_unit_visible(c, api_who(r), perm, unit, handler) != FZ_OK))
        return api_not_found(r, what);
    return rc ? api_store_error(r) : FZ_OK;
}

static void upload_cleanup(void *p)
{
    upload *u = p;
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->h)
        sm3_abort(u->h);
    u->h = NULL;
    if (!u->moved && u->tmp[0])
        unlink(u->tmp);
}

static int too_large(req *r, upload *u)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "附件超过上限 %lld MB", (long long)(u->max / (1024 * 1024)));
    req_reply_error(r, 413, "payload_too_large", msg, NULL);
    upload_cleanup(u);
    return FZ_INVALID;
}

static int bad_type(req *r, upload *u)
{
    req_reply_error(r, 415, "unsupported_media_type",
                    "不支持的文件类型（允许 PDF、图片、音视频、Word/Excel 文档和纯文本）", NULL);
    upload_cleanup(u);
    return FZ_INVALID;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return FZ_ERR;
        p += k;
        n -= (size_t)k;
    }
    return FZ_OK;
}

static int on_part(req *r, void *ctx, const char *field, const char *filename, const char *data, size_t off,
                   size_t len)
{
    upload *u = ctx;
    if (filename) {
        if (u->have_file && off == 0 && u->size > 0 && len > 0) {
            req_reply_error(r, 400, "validation_failed", "每次只能上传一个文件", NULL);
            upload_cleanup(u);
            return FZ_INVALID;
        }
        if (!u->have_file) {
            u->have_file = 1;
            u->name = arena_strdup(req_arena(r), filename);
            if (!u->name)
                return api_store_error(r);
        }
        if (len > (size_t)(u->max - u->size))
            return too_large(r, u);
        if (write_all(u->fd, data, len) != FZ_OK || sm3_update(u->h, data, len) != FZ_OK) {
            req_reply_error(r, 507, "insufficient_storage", "附件写入失败（磁盘空间不足或不可写）", NULL);
            upload_cleanup(u);
            return FZ_ERR;
        }
        u->size += (int64_t)len;
        if (u->head_len < ATTACH_SNIFF_LEN) {
            size_t k = len < ATTACH_SNIFF_LEN - u->head_len ? len : ATTACH_SNIFF_LEN - u->head_len;
            memcpy(u->head + u->head_len, data, k);
            u->head_len += k;
            /* Decide as soon as the head is full, so a refused type is not written out. */
            if (u->head_len == ATTACH_SNIFF_LEN && !(u->mime = attach_sniff(u->head, u->head_len, 0, u->name)))
                return bad_type(r, u);
        }
        return FZ_OK;
    }
    if (strcmp(field, "category") == 0) {
        if (len > sizeof(u->cat) - 1 - u->cat_len) {
            u->cat_over = 1;
            return FZ_OK;
        }
        memcpy(u->cat + u->cat_len, data, len);
        u->cat_len += len;
        u->cat[u->cat_len] = '\0';
    }
    return FZ_OK; /* other fields are ignored */
}

static int added_write(store_conn *w, void *ctx)
{
    upload *u = ctx;
    int64_t handler;
    int rc = case_owner(w, u->d, u->case_id, &u->rec.unit_id, &handler);
    if (!rc)
        rc = attach_add(w, &u->rec);
    /* The case's indicator facts (rule full_record reads its attachment
     * categories), in the same write job. */
    return rc ? rc : ind_on_subject(w, u->rec.subject_kind, u->rec.subject_id);
}

static int added_then(req *r, void *ctx, int rc)
{
    upload *u = ctx;
    if (rc == FZ_NOTFOUND)
        return api_not_found(r, "案件");
    if (rc)
        return api_store_error(r);
    store_conn *c = api_reader(r);
    char kind[64], sid[24], hex[SM3_HEX_LEN + 1];
    json_t *o = c ? attach_get(c, u->rec.id, kind, sid, hex) : NULL;
    return o ? req_reply_json(r, 201, o) : api_store_error(r);
}

static int on_end(req *r, void *ctx)
{
    upload *u = ctx;
    app *a = req_app(r);
    if (!u->have_file) {
        upload_cleanup(u);
        return api_invalid(r, "file", "文件", "缺少文件（表单字段 file）");
    }
    if (u->cat_over || attach_check_category(u->cat, u->cat_len) != FZ_OK) {
        upload_cleanup(u);
        return api_invalid(r, "category", "附件类别", "应为不超过 40 字的文本");
    }
    if (u->size == 0) {
        upload_cleanup(u);
        return api_invalid(r, "file", "文件", "文件为空");
    }
    if (!u->mime && !(u->mime = attach_sniff(u->head, u->head_len, u->size == (int64_t)u->head_len, u->name)))
        return bad_type(r, u);
    if (attach_clean_name(u->name) != FZ_OK) {
        upload_cleanup(u);
        return api_invalid(r, "file", "文件名", "不是有效的 UTF-8 编码");
    }
    unsigned char d[SM3_LEN];
    sm3_ctx *h = u->h;
    u->h = NULL;
    int rc = sm3_final(h, d);
    if (rc == FZ_OK && fsync(u->fd) != 0)
        rc = FZ_ERR;
    close(u->fd);
    u->fd = -1;
    if (rc == FZ_OK) {
        sm3_hex(d, u->hex);
        rc = attach_store_file(a->cfg.data, u->tmp, u->hex);
    }
    if (rc != FZ_OK) {
        upload_cleanup(u);
        return req_reply_error(r, 507, "insufficient_storage", "附件保存失败", NULL);
    }
    u->moved = 1;
    u->rec = (attach_rec){.ledger = a->cfg.region_code, .subject_kind = u->kind, .subject_id = u->sid,
                          .def_digest = u->d->digest, .proc = u->d, .category = u->cat, .name = u->name, .mime = u->mime,
                          .sm3 = u->hex, .size = u->size, .uploader = api_who(r)->username};
    if (req_write(r, added_write, u, added_then) != FZ_OK)
        return api_store_error(r);
    return FZ_OK;
}

/* POST /api/cases/{kind}/{id}/attachments (multipart/form-data: file, category). */
int api_attachments_upload(req *r)
{
    app *a = req_app(r);
    const def *d = defs_find(a->defs, DEF_PROCEDURE, req_param(r, "kind"));
    if (!d)
        return api_not_found(r, "程序类型");
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c || visible_case(r, c, d, "case:handle", id, "案件"))
        return FZ_OK;
    upload *u = arena_alloc(req_arena(r), sizeof(*u));
    if (!u)
        return api_store_error(r);
    memset(u, 0, sizeof(*u));
    u->fd = -1;
    u->d = d;
    u->case_id = id;
    u->max = (int64_t)a->cfg.upload_max_mb * 1024 * 1024;
    case_subject_kind(d, u->kind);
    snprintf(u->sid, sizeof(u->sid), "%lld", (long long)id);
    /* A declared length well over the cap (the multipart framing aside) is
     * refused before any of it is written; the body is still drained. */
    const char *cl = req_header(r, "Content-Length");
    if (cl && strtoll(cl, NULL, 10) > u->max + 64 * 1024)
        return too_large(r, u);
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0 || req_stream_form(r, on_part, on_end, u) != FZ_OK)
        return req_reply_error(r, 415, "unsupported_media_type", "请求体须为 multipart/form-data", NULL);
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/attachments", a->cfg.data);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/attachments/tmp", a->cfg.data);
    mkdir(dir, 0700);
    /* A random part as well: app nodes sharing attachments/ have their own pids. */
    unsigned tag = 0;
    if (getrandom(&tag, sizeof(tag), 0) != (ssize_t)sizeof(tag))
        tag = (unsigned)getpid();
    snprintf(u->tmp, sizeof(u->tmp), "%s/%d-%u-%08x.part", dir, (int)getpid(), atomic_fetch_add(&tmp_counter, 1), tag);
    u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    u->h = sm3_new();
    if (arena_defer(req_arena(r), upload_cleanup, u) != FZ_OK) {
        upload_cleanup(u);
        return api_store_error(r);
    }
    if (u->fd < 0 || !u->h) {
        if (u->fd < 0)
            u->tmp[0] = '\0';
        upload_cleanup(u);
        return req_reply_error(r, 507, "insufficient_storage", "无法创建附件临时文件", NULL);
    }
    return FZ_OK;
}

/* GET /api/cases/{kind}/{id}/attachments */
int api_attachments_list(req *r)
{
    app *a = req_app(r);
    const def *d = defs_find(a->defs, DEF_PROCEDURE, req_param(r, "kind"));
    if (!d)
        return api_not_found(r, "程序类型");
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c || visible_case(r, c, d, "case:view", id, "案件"))
        return FZ_OK;
    char kind[64], sid[24];
    case_subject_kind(d, kind);
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    return req_reply_json(r, 200, json_pack("{s:o}", "rows", attach_list(c, kind, sid)));
}

/* GET /api/attachments/{id}: the file, if the caller may view its case. */
int api_attachments_get(req *r)
{
    app *a = req_app(r);
    int64_t id;
    if (api_path_id(r, "id", &id))
        return FZ_OK;
    store_conn *c = api_reader(r);
    if (!c)
        return FZ_OK;
    char kind[64], sid[24], hex[SM3_HEX_LEN + 1];
    json_t *o = attach_get(c, id, kind, sid, hex);
    if (!o)
        return api_not_found(r, "附件");
    char name[ATTACH_NAME_MAX + 8], mime[128];
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(o, "name")));
    snprintf(mime, sizeof(mime), "%s", json_string_value(json_object_get(o, "mime")));
    json_decref(o);
    const def *d = strncmp(kind, "case:", 5) == 0 ? defs_find(a->defs, DEF_PROCEDURE, kind + 5) : NULL;
    char *end = NULL;
    long long cid = strtoll(sid, &end, 10);
    if (!d || !end || *end)
        return api_not_found(r, "附件");
    if (visible_case(r, c, d, "case:view", cid, "附件"))
        return FZ_OK;
    char path[1300];
    attach_path(a->cfg.data, hex, path, sizeof(path));
    return req_reply_stored_file(r, path, mime, name);
}
