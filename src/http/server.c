/* server.c: libmicrohttpd in epoll mode with a thread pool; the request
 * lifecycle (body capped and fully read before any response is queued, so
 * keep-alive survives), dispatch through the router, the req_* functions
 * handlers use (api/req.h), security headers, and the access log. */
#include "http/server.h"
#include "http/router.h"
#include "http/static.h"
#include "api/app.h"
#include "api/metrics.h"
#include "api/guard.h"
#include "api/routes.h"
#include "core/log.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CSP "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " \
            "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

typedef struct hdr {
    const char *name, *value;
    struct hdr *next;
} hdr;

struct req {
    arena a;
    app *app;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    int route;
    route_params params;
    char *body;
    size_t body_len, body_cap, body_max;
    int too_large;
    int replied;
    int status;
    size_t resp_len;
    int64_t t0_us;
    hdr *headers;
    http_server *srv;
    const struct principal *principal;
    req_then_fn then;       /* set while a write job is pending */
    void *then_ctx;
    int write_pending;
    int write_rc;
    atomic_int write_done;  /* set by the writer thread before resuming */
    /* Streaming routes (api_route_streams): the handler ran after the
     * headers; the body goes through the post processor to part(). */
    int stream;
    int in_body;            /* before the final call: replies are held */
    int discard;            /* the rest of the body is read and dropped */
    int closing;            /* the request ended early: ignore parts */
    struct MHD_PostProcessor *pp;
    req_part_fn part;
    req_end_fn end;
    void *sctx;
    struct MHD_Response *held; /* reply queued while the body was still coming */
};

struct http_server {
    struct MHD_Daemon *d;
    app *app;
    atomic_int suspended;   /* connections waiting for a write job */
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- req_* (api/req.h) ---- */

app *req_app(req *r) { return r->app; }
arena *req_arena(req *r) { return &r->a; }
const char *req_method(req *r) { return r->method; }
const char *req_path(req *r) { return r->path; }

const char *req_param(req *r, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < r->params.n; i++)
        if (r->params.name_lens[i] == n && memcmp(r->params.names[i], name, n) == 0)
            return arena_strndup(&r->a, r->params.values[i], r->params.value_lens[i]);
    return NULL;
}

const char *req_query(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Behind a trusted reverse proxy (config trusted_proxies), the client is the
 * last address the proxy appended to X-Forwarded-For; anything else in the
 * header came from the client and is not believed. NULL: use the peer. */
static const char *forwarded_for(req *r, const char *peer)
{
    const char *list = r->app->cfg.trusted_proxies;
    if (!*list || !*peer)
        return NULL;
    int trusted = 0;
    size_t pl = strlen(peer);
    for (const char *p = list; *p && !trusted;) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t n = strcspn(p, ", ");
        trusted = n == pl && strncmp(p, peer, n) == 0;
        p += n;
    }
    const char *xff = trusted ? req_header(r, "X-Forwarded-For") : NULL;
    if (!xff)
        return NULL;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char ip[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " ");
    unsigned char bin[16];
    if (n == 0 || n >= sizeof(ip))
        return NULL;
    memcpy(ip, last, n);
    ip[n] = '\0';
    if (inet_pton(AF_INET, ip, bin) != 1 && inet_pton(AF_INET6, ip, bin) != 1)
        return NULL;
    return arena_strdup(&r->a, ip);
}

const char *req_client_ip(req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return "";
    char *buf = arena_alloc(&r->a, INET6_ADDRSTRLEN);
    if (!buf)
        return "";
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, INET6_ADDRSTRLEN);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, INET6_ADDRSTRLEN);
    const char *fwd = forwarded_for(r, buf);
    return fwd ? fwd : buf;
}

const char *req_cookie(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const struct principal *req_principal(req *r)
{
    return r->principal;
}

void req_set_principal(req *r, const struct principal *p)
{
    r->principal = p;
}

const char *req_body(req *r, size_t *len)
{
    *len = r->body_len;
    return r->body ? r->body : "";
}

void req_add_header(req *r, const char *name, const char *value)
{
    hdr *h = arena_alloc(&r->a, sizeof(*h));
    if (!h)
        return;
    h->name = arena_strdup(&r->a, name);
    h->value = arena_strdup(&r->a, value);
    h->next = r->headers;
    r->headers = h;
}

static void add_common_headers(req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    for (hdr *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
}

/* Queues resp, or holds it while a streaming body is still being read (a
 * response queued early makes MHD close the connection). */
static int queue(req *r, int status, struct MHD_Response *resp)
{
    if (r->in_body) {
        r->held = resp;
        r->discard = 1;
        return FZ_OK;
    }
    int ok = MHD_queue_response(r->conn, (unsigned)status, resp) == MHD_YES;
    MHD_destroy_response(resp);
    return ok ? FZ_OK : FZ_ERR;
}

/* Queues a response whose bytes are either copied (copy=1) or static. */
int req_send(req *r, int status, const char *ctype, const void *body, size_t len, int copy)
{
    if (r->replied) {
        log_error("http: second reply for %s %s ignored", r->method, r->path);
        return FZ_ERR;
    }
    /* The database went away during this request: whatever the handler made
     * of a failed read (not found, not allowed...), the answer is 503. */
    static const char unavail[] = "{\"error\":{\"code\":\"store_unavailable\","
                                  "\"message\":\"数据库暂时不可用，请稍后重试\"}}";
    if (status < 500 && store_thread_lost()) {
        status = 503;
        ctype = "application/json; charset=utf-8";
        body = unavail;
        len = sizeof(unavail) - 1;
        copy = 0;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return FZ_NOMEM;
    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    add_common_headers(r, resp);
    r->replied = 1;
    r->status = status;
    r->resp_len = len;
    return queue(r, status, resp);
}

static int send_file(req *r, const char *path, const char *content_type, const char *filename,
                     const char *fallback, int unlink_after)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (unlink_after)
        unlink(path);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return req_reply_error(r, 500, "internal", unlink_after ? "导出文件不可读" : "文件不可读", NULL);
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!resp) {
        close(fd);
        return FZ_NOMEM;
    }
    /* RFC 6266: an ASCII fallback plus the UTF-8 name percent-encoded. */
    strbuf cd = STRBUF_INIT;
    strbuf_printf(&cd, "attachment; filename=\"%s\"; filename*=UTF-8''", fallback);
    for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
            *p == '-' || *p == '_')
            strbuf_putc(&cd, (char)*p);
        else
            strbuf_printf(&cd, "%%%02X", *p);
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    if (strbuf_ok(&cd))
        MHD_add_response_header(resp, "Content-Disposition", cd.data);
    strbuf_free(&cd);
    req_add_header(r, "Cache-Control", "no-store");
    add_common_headers(r, resp);
    r->replied = 1;
    r->status = 200;
    r->resp_len = (size_t)sb.st_size;
    return queue(r, 200, resp);
}

int req_reply_file(req *r, const char *path, const char *content_type, const char *filename)
{
    return send_file(r, path, content_type, filename, "export", 1);
}

int req_reply_stored_file(req *r, const char *path, const char *content_type, const char *filename)
{
    return send_file(r, path, content_type, filename, "attachment", 0);
}

int req_reply_text(req *r, int status, const char *content_type, const char *body, size_t len)
{
    return req_send(r, status, content_type, body, len, 1);
}

int req_reply_json(req *r, int status, json_t *json)
{
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text)
        return req_send(r, 500, "application/json; charset=utf-8",
                        "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\"}}", 58, 0);
    int rc = req_reply_json_text(r, status, text, strlen(text));
    free(text);
    return rc;
}

int req_reply_json_text(req *r, int status, const char *text, size_t len)
{
    req_add_header(r, "Cache-Control", "no-store");
    return req_send(r, status, "application/json; charset=utf-8", text, len, 1);
}

int req_reply_error(req *r, int status, const char *code, const char *message, json_t *fields)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (err && fields)
        json_object_set_new(err, "fields", fields);
    else
        json_decref(fields);
    return req_reply_json(r, status, json_pack("{s:o}", "error", err));
}

static void json_release(void *p)
{
    json_decref(p);
}

json_t *req_json_body(req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        req_reply_error(r, 415, "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）",
                        NULL);
        return NULL;
    }
    if (r->body_len == 0) {
        req_reply_error(r, 400, "bad_json", "请求体为空，须为 JSON 对象", NULL);
        return NULL;
    }
    if (!utf8_valid(r->body, r->body_len) || memchr(r->body, 0, r->body_len)) {
        req_reply_error(r, 400, "bad_utf8", "请求体不是有效的 UTF-8 编码", NULL);
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        char msg[300];
        snprintf(msg, sizeof(msg), "JSON 格式错误：第 %d 行第 %d 列：%s", e.line, e.column, e.text);
        json_t *err = json_pack("{s:s, s:s, s:i, s:i}", "code", "bad_json", "message", msg, "line",
                                e.line, "column", e.column);
        req_reply_json(r, 400, json_pack("{s:o}", "error", err));
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        req_reply_error(r, 400, "bad_json", "请求体须为 JSON 对象", NULL);
        return NULL;
    }
    if (arena_defer(&r->a, json_release, j) != FZ_OK) {
        json_decref(j);
        req_reply_error(r, 503, "internal", "服务器内存不足", NULL);
        return NULL;
    }
    return j;
}

/* ---- asynchronous writes ---- */

/* Writer thread: the job is durable (or failed); wake the connection. */
static void on_write_done(void *arg, int rc)
{
    req *r = arg;
    http_server *srv = r->srv;
    r->write_rc = rc;
    atomic_store(&r->write_done, 1);
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&srv->suspended, 1);
}

int req_write(req *r, store_write_fn fn, void *ctx, req_then_fn then)
{
    r->then = then;
    r->then_ctx = ctx;
    r->write_pending = 1;
    atomic_store(&r->write_done, 0);
    atomic_fetch_add(&r->srv->suspended, 1);
    /* Suspend before queueing, so the completion can never resume a
     * connection that is not yet suspended. */
    MHD_suspend_connection(r->conn);
    int rc = store_write_async(r->app->st, fn, ctx, on_write_done, r);
    if (rc != FZ_OK) {
        MHD_resume_connection(r->conn);
        atomic_fetch_sub(&r->srv->suspended, 1);
        r->write_pending = 0;
    }
    return rc;
}

/* ---- streaming bodies ---- */

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    req *r = cls;
    if (r->closing || r->discard || r->replied)
        return MHD_NO;
    if (r->part(r, r->sctx, key ? key : "", filename, data, (size_t)off, size) != FZ_OK) {
        r->discard = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

int req_stream_form(req *r, req_part_fn part, req_end_fn end, void *ctx)
{
    if (!r->stream || r->pp)
        return FZ_ERR;
    r->pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, r);
    if (!r->pp)
        return FZ_INVALID;
    r->part = part;
    r->end = end;
    r->sctx = ctx;
    return FZ_OK;
}

static void stream_body(req *r, const char *data, size_t n)
{
    if (r->discard || r->replied || !r->pp)
        return;
    if (MHD_post_process(r->pp, data, n) != MHD_YES)
        r->discard = 1;
}

/* The final call of a streaming request: flush the parser, then end() or
 * the reply held since the body started. */
static void stream_finish(req *r)
{
    r->in_body = 0;
    if (r->pp) {
        struct MHD_PostProcessor *pp = r->pp;
        r->pp = NULL;
        if (MHD_destroy_post_processor(pp) != MHD_YES && !r->replied && !r->discard)
            r->discard = 1;
    }
    if (r->held) {
        struct MHD_Response *resp = r->held;
        r->held = NULL;
        queue(r, r->status, resp);
        return;
    }
    if (r->replied)
        return;
    if (r->discard || !r->end) {
        req_reply_error(r, 400, "bad_multipart", "请求体不是有效的 multipart/form-data", NULL);
        return;
    }
    req_end_fn end = r->end;
    r->end = NULL;
    end(r, r->sctx);
    if (!r->replied && !r->write_pending)
        req_reply_error(r, 500, "internal", "服务器内部错误：处理程序未返回结果", NULL);
}

/* ---- lifecycle ---- */

static void req_free(req *r)
{
    r->closing = 1;
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    if (r->held)
        MHD_destroy_response(r->held);
    arena_free(&r->a);
    free(r->body);
    free(r);
}

static int body_append(req *r, const char *data, size_t n)
{
    if (r->too_large)
        return 0;
    if (n > r->body_max - r->body_len) {
        r->too_large = 1;
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *p = realloc(r->body, cap);
        if (!p)
            return -1;
        r->body = p;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static int is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
           strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 ||
           strcmp(path, "/metrics") == 0;
}

static void dispatch(req *r)
{
    if (r->stream) {
        stream_finish(r);
        return;
    }
    if (r->too_large) {
        char msg[128];
        snprintf(msg, sizeof(msg), "请求体超过上限 %ld KB", r->app->cfg.max_body_kb);
        req_reply_error(r, 413, "payload_too_large", msg, NULL);
        return;
    }
    if (!utf8_valid(r->path, strlen(r->path))) {
        req_reply_error(r, 400, "bad_utf8", "请求路径不是有效的 UTF-8 编码", NULL);
        return;
    }
    int status = 404;
    char allow[64];
    r->route = router_match(r->method, r->path, &r->params, &status, allow, sizeof(allow));
    if (r->route >= 0) {
        if (api_guard(r, &api_routes[r->route]) != FZ_OK)
            return; /* the guard replied: 401, 403 or 503 */
        api_routes[r->route].fn(r);
        if (!r->replied && !r->write_pending)
            req_reply_error(r, 500, "internal", "服务器内部错误：处理程序未返回结果", NULL);
        return;
    }
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (status == 404 && get && !is_api_path(r->path)) {
        static_serve(r, r->app->cfg.ui_dir);
        return;
    }
    if (status == 405) {
        req_add_header(r, "Allow", allow);
        req_reply_error(r, 405, "method_not_allowed", "该地址不支持此请求方法", NULL);
        return;
    }
    req_reply_error(r, 404, "not_found", "请求的地址不存在", NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *upload_data, size_t *upload_data_size, void **con_cls);

/* Each call runs in one read scope (store_read_scope): the reads of a
 * handler share one snapshot, and a continuation after a write starts a
 * new one that sees it. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    store_read_scope(1);
    enum MHD_Result res = handle(cls, conn, url, method, upload_data, upload_data_size, con_cls);
    store_read_scope(0);
    return res;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    http_server *srv = cls;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        arena_init(&r->a, 4096);
        store_thread_reset();
        r->t0_us = now_us();
        r->app = srv->app;
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->route = -1;
        r->srv = srv;
        r->body_max = (size_t)srv->app->cfg.max_body_kb * 1024;
        *con_cls = r;
        /* A streaming route runs its guard and handler now, before the
         * body: the handler registers where the body goes; any reply is
         * held until the body has been read. */
        if (utf8_valid(url, strlen(url))) {
            int status = 404;
            char allow[64];
            int route = router_match(method, url, &r->params, &status, allow, sizeof(allow));
            if (route >= 0 && api_route_streams(&api_routes[route])) {
                r->route = route;
                r->stream = 1;
                r->in_body = 1;
                if (api_guard(r, &api_routes[route]) == FZ_OK)
                    api_routes[route].fn(r);
                if (!r->replied && !r->pp)
                    req_reply_error(r, 500, "internal", "服务器内部错误：处理程序未返回结果", NULL);
                /* A refusal goes out at once when the client waits for
                 * "100 Continue" (it then never sends the body) or the
                 * declared body is absurdly large (the connection closes). */
                const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
                const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
                if (r->held && ((expect && strcasecmp(expect, "100-continue") == 0) ||
                                (cl && strtoull(cl, NULL, 10) / 64 > (uint64_t)srv->app->cfg.upload_max_mb << 20))) {
                    struct MHD_Response *resp = r->held;
                    r->held = NULL;
                    r->in_body = 0;
                    queue(r, r->status, resp);
                }
                return MHD_YES;
            }
        }
        /* A declared length over the cap is answered before the body when
         * the client waits for "100 Continue" (it then never sends it), or
         * when the body is absurdly large (the connection closes). Otherwise
         * the body is read and discarded so the 413 keeps keep-alive. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > r->body_max) {
            r->too_large = 1;
            const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
            if ((expect && strcasecmp(expect, "100-continue") == 0) ||
                strtoull(cl, NULL, 10) / 64 > r->body_max)
                dispatch(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size && r->stream) {
        stream_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (body_append(r, upload_data, *upload_data_size))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->write_pending) {
        if (!atomic_load(&r->write_done))
            return MHD_YES; /* woken early; the writer resumes us again */
        r->write_pending = 0;
        r->then(r, r->then_ctx, r->write_rc);
        if (!r->replied)
            req_reply_error(r, 500, "internal", "服务器内部错误：处理程序未返回结果", NULL);
        return MHD_YES;
    }
    if (!r->replied || (r->stream && r->in_body))
        dispatch(r);
    return r->replied || r->write_pending ? MHD_YES : MHD_NO;
}

static void log_access_line(req *r, int64_t dur_us)
{
    if (strcmp(r->app->cfg.access_log, "off") == 0)
        return;
    strbuf b = STRBUF_INIT;
    char ts[32];
    time_format_rfc3339(time_now_ms(), ts);
    strbuf_printf(&b, "{\"ts\":\"%s\",\"method\":\"%s\",\"path\":", ts, r->method);
    json_t *p = json_string(r->path);
    char *ps = p ? json_dumps(p, JSON_ENCODE_ANY) : NULL;
    strbuf_puts(&b, ps ? ps : "\"<invalid utf-8>\"");
    free(ps);
    json_decref(p);
    strbuf_printf(&b, ",\"route\":\"%s\",\"status\":%d,\"bytes\":%zu,\"dur_us\":%lld,\"ip\":\"%s\"}",
                  r->route >= 0 ? api_routes[r->route].name : "other", r->status, r->resp_len,
                  (long long)dur_us, req_client_ip(r));
    if (strbuf_ok(&b))
        log_access(b.data, b.len);
    strbuf_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req *r = *con_cls;
    if (!r)
        return;
    int64_t dur = now_us() - r->t0_us;
    metrics_record(r->route, r->replied ? r->status : 499, dur);
    log_access_line(r, dur);
    req_free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    log_warn("libmicrohttpd: %s", buf);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return FZ_INVALID;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int port = (int)strtol(colon + 1, NULL, 10);
    memset(ss, 0, sizeof(*ss));
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? FZ_OK : FZ_INVALID;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *v6 = 0;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? FZ_OK : FZ_INVALID;
}

http_server *http_start(app *a, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    int v6 = 0;
    if (parse_listen(a->cfg.listen, &ss, &v6) != FZ_OK) {
        snprintf(err, errlen, "监听地址无效：%s", a->cfg.listen);
        return NULL;
    }
    http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return NULL;
    srv->app = a;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
                     (v6 ? MHD_USE_IPv6 : 0);
    srv->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)a->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)a->cfg.conn_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)a->cfg.conn_limit,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (!srv->d) {
        snprintf(err, errlen, "无法在 %s 上监听（端口被占用或地址不可用）", a->cfg.listen);
        free(srv);
        return NULL;
    }
    return srv;
}

void http_stop(http_server *srv)
{
    if (!srv)
        return;
    /* Stop accepting, then let connections waiting on the writer finish:
     * MHD must not be stopped while a connection is suspended. */
    MHD_socket fd = MHD_quiesce_daemon(srv->d);
    for (int i = 0; i < 1000 && atomic_load(&srv->suspended) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(srv->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(srv);
}
