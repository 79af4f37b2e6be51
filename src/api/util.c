/* util.c: handler helpers (see util.h). */
#include "api/util.h"
#include "core/parse.h"
#include "core/status.h"
#include "core/validate.h"

#include <stdio.h>
#include <string.h>

int api_invalid(req *r, const char *key, const char *label, const char *reason)
{
    char msg[300];
    snprintf(msg, sizeof(msg), "%s（%s）：%s", label, key, reason);
    req_reply_error(r, 400, "validation_failed", msg, json_pack("{s:s}", key, reason));
    return FZ_INVALID;
}

int api_store_error(req *r)
{
    req_reply_error(r, 503, "store_unavailable", "数据库暂时不可用，请稍后重试", NULL);
    return FZ_ERR;
}

int api_not_found(req *r, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "%s不存在", what);
    req_reply_error(r, 404, "not_found", msg, NULL);
    return FZ_NOTFOUND;
}

int api_path_id(req *r, const char *name, int64_t *out)
{
    const char *v = req_param(r, name);
    if (!v || parse_i64(v, 1, INT64_MAX, out) != FZ_OK)
        return api_invalid(r, name, "路径参数", "应为正整数");
    return FZ_OK;
}

int api_query_int(req *r, const char *name, int64_t min, int64_t max, int64_t dflt, int64_t *out)
{
    const char *v = req_query(r, name);
    *out = dflt;
    if (!v || !*v)
        return FZ_OK;
    if (parse_i64(v, min, max, out) != FZ_OK) {
        char reason[96];
        snprintf(reason, sizeof(reason), "应为 %lld 到 %lld 之间的整数", (long long)min, (long long)max);
        return api_invalid(r, name, "查询参数", reason);
    }
    return FZ_OK;
}

int api_paging(req *r, int64_t *page, int64_t *size)
{
    if (api_query_int(r, "page", 1, 1000000, 1, page) || api_query_int(r, "size", 1, 500, 20, size))
        return FZ_INVALID;
    return FZ_OK;
}

int api_query_text(req *r, const char *name, const char **out)
{
    const char *v = req_query(r, name);
    *out = v ? v : "";
    if (!utf8_valid(*out, strlen(*out)))
        return api_invalid(r, name, "查询参数", "不是有效的 UTF-8 编码");
    return FZ_OK;
}

int api_only_keys(req *r, const json_t *body, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                ok = 1;
        if (!ok)
            return api_invalid(r, key, "未知字段", "未知字段");
    }
    return FZ_OK;
}

int api_text(req *r, const json_t *body, const char *key, const char *label, int required, int maxlen,
             const char **out)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return api_invalid(r, key, label, "必填");
        return FZ_OK;
    }
    if (!json_is_string(v))
        return api_invalid(r, key, label, "须为文本");
    const char *s = json_string_value(v);
    size_t chars = 0;
    utf8_count(s, strlen(s), &chars);
    if (required && chars == 0)
        return api_invalid(r, key, label, "必填");
    if ((int)chars > maxlen) {
        char reason[64];
        snprintf(reason, sizeof(reason), "最多 %d 个字符", maxlen);
        return api_invalid(r, key, label, reason);
    }
    *out = s;
    return FZ_OK;
}

int api_int(req *r, const json_t *body, const char *key, const char *label, int required, int64_t min,
            int64_t max, int64_t *out, int *present)
{
    json_t *v = json_object_get(body, key);
    if (present)
        *present = v != NULL && !json_is_null(v);
    if (!v || json_is_null(v))
        return required ? api_invalid(r, key, label, "必填") : FZ_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char reason[96];
        snprintf(reason, sizeof(reason), "应为 %lld 到 %lld 之间的整数", (long long)min, (long long)max);
        return api_invalid(r, key, label, reason);
    }
    *out = json_integer_value(v);
    return FZ_OK;
}

const principal *api_who(req *r)
{
    return req_principal(r);
}

store_conn *api_reader(req *r)
{
    store_conn *c = store_reader(req_app(r)->st);
    if (!c)
        api_store_error(r);
    return c;
}
