/* static.c: UI file serving with ETag revalidation, pre-gzipped variants,
 * long caching for content-hashed files under /assets/, and SPA fallback. */
#include "http/static.h"
#include "http/assets.h"
#include "http/server.h"
#include "core/sm.h"
#include "core/status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char NOT_BUILT[] =
    "<!doctype html><meta charset=utf-8><title>fazhi</title>"
    "<p>界面尚未构建：请在源码目录运行 <code>make</code>（需要 Node.js 与 npm）。API 仍可使用。</p>";

static int wants_gzip(req *r)
{
    const char *ae = req_header(r, "Accept-Encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

static int has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strchr(slash ? slash : path, '.') != NULL;
}

static void cache_headers(req *r, const char *path)
{
    if (strncmp(path, "/assets/", 8) == 0)
        req_add_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    else
        req_add_header(r, "Cache-Control", "no-cache");
}

static void serve_embedded(req *r, const char *path)
{
    if (fz_asset_count == 0) {
        req_send(r, 503, "text/html; charset=utf-8", NOT_BUILT, sizeof(NOT_BUILT) - 1, 0);
        return;
    }
    const asset *a = assets_find(path);
    if (!a && !has_extension(path))
        a = assets_find("/index.html");
    if (!a) {
        req_reply_error(r, 404, "not_found", "请求的文件不存在", NULL);
        return;
    }
    cache_headers(r, a->path);
    req_add_header(r, "ETag", a->etag);
    req_add_header(r, "Vary", "Accept-Encoding");
    const char *inm = req_header(r, "If-None-Match");
    if (inm && strcmp(inm, a->etag) == 0) {
        req_send(r, 304, NULL, "", 0, 0);
        return;
    }
    if (a->gz && wants_gzip(r)) {
        req_add_header(r, "Content-Encoding", "gzip");
        req_send(r, 200, a->mime, a->gz, a->gz_len, 0);
        return;
    }
    req_send(r, 200, a->mime, a->data, a->len, 0);
}

/* Dev mode: read from disk, refusing anything that resolves outside root. */
static void serve_dir(req *r, const char *ui_dir, const char *path)
{
    char root[PATH_MAX], want[PATH_MAX + 1024], real[PATH_MAX], file[PATH_MAX + 16];
    if (!realpath(ui_dir, root)) {
        req_reply_error(r, 500, "internal", "ui_dir 不存在", NULL);
        return;
    }
    size_t rootlen = strlen(root);
    snprintf(want, sizeof(want), "%s%s", root, path);
    struct stat sb;
    int inside = realpath(want, real) && strncmp(real, root, rootlen) == 0 &&
                 (real[rootlen] == '/' || real[rootlen] == '\0');
    if (inside && stat(real, &sb) == 0 && S_ISREG(sb.st_mode)) {
        snprintf(file, sizeof(file), "%s", real);
    } else if (!has_extension(path)) {
        snprintf(file, sizeof(file), "%s/index.html", root);
    } else {
        req_reply_error(r, 404, "not_found", "请求的文件不存在", NULL);
        return;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        req_reply_error(r, 404, "not_found", "请求的文件不存在", NULL);
        return;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? arena_alloc(req_arena(r), (size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        req_reply_error(r, 500, "internal", "读取文件失败", NULL);
        return;
    }
    fclose(f);
    req_add_header(r, "Cache-Control", "no-cache");
    req_send(r, 200, assets_mime(file), buf, (size_t)n, 1);
}

void static_serve(req *r, const char *ui_dir)
{
    const char *path = req_path(r);
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (ui_dir && *ui_dir)
        serve_dir(r, ui_dir, path);
    else
        serve_embedded(r, path);
}
