/* fieldcrypt.c: personal-data fields at rest (SM4-CTR + HMAC-SM3 through
 * core/sm.h) under the keys in DIR/fazhi.key, and the display masks for
 * phone numbers, ID numbers and names (see fieldcrypt.h). */
#include "engine/fieldcrypt.h"
#include "core/status.h"

#include <openssl/crypto.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_BYTES 64
#define KEY_HEX (2 * KEY_BYTES)

_Static_assert(SM4_KEY_LEN + SM3_LEN <= KEY_BYTES, "key file layout");

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads up to cap bytes; one more than the file may hold is enough to see
 * that it is too long. Returns the count or -1. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    return (ssize_t)n;
}

/* 128 hex digits, then nothing or one '\n'. */
static int parse_key_text(const char *buf, size_t n, unsigned char raw[KEY_BYTES])
{
    if (!(n == KEY_HEX || (n == KEY_HEX + 1 && buf[KEY_HEX] == '\n')))
        return FZ_INVALID;
    for (size_t i = 0; i < KEY_BYTES; i++) {
        int hi = hex_value(buf[2 * i]), lo = hex_value(buf[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FZ_INVALID;
        raw[i] = (unsigned char)(hi << 4 | lo);
    }
    return FZ_OK;
}

int fieldcrypt_load(const char *dir, field_keys *k, char *err, size_t errlen)
{
    char path[PATH_MAX];
    memset(k, 0, sizeof(*k));
    int pn = snprintf(path, sizeof(path), "%s/fazhi.key", dir);
    if (pn < 0 || (size_t)pn >= sizeof(path)) {
        set_err(err, errlen, "数据目录路径过长");
        return FZ_INVALID;
    }
    /* O_NONBLOCK so a FIFO planted at the path cannot hang startup; it is
     * refused below as not a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) {
            set_err(err, errlen, "密钥文件 %s 不存在（由 fazhi init 创建）", path);
            return FZ_NOTFOUND;
        }
        set_err(err, errlen, "无法读取密钥文件 %s：%s", path, strerror(errno));
        return FZ_ERR;
    }
    /* fstat on the open descriptor: the file checked is the file read. */
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "无法读取密钥文件 %s：%s", path, strerror(errno));
        close(fd);
        return FZ_ERR;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "密钥文件 %s 不是普通文件", path);
        close(fd);
        return FZ_INVALID;
    }
    if (st.st_mode & 077) {
        set_err(err, errlen, "密钥文件 %s 权限过宽（当前 %04o，应为 0600）", path,
                (unsigned)(st.st_mode & 07777));
        close(fd);
        return FZ_INVALID;
    }
    char buf[KEY_HEX + 2];
    unsigned char raw[KEY_BYTES];
    ssize_t n = read_all(fd, buf, sizeof(buf));
    int saved = errno;
    close(fd);
    int rc;
    if (n < 0) {
        set_err(err, errlen, "无法读取密钥文件 %s：%s", path, strerror(saved));
        rc = FZ_ERR;
    } else if (parse_key_text(buf, (size_t)n, raw) != FZ_OK) {
        set_err(err, errlen, "密钥文件 %s 格式错误：应为 128 个十六进制数字（可带一个换行）",
                path);
        rc = FZ_INVALID;
    } else {
        memcpy(k->enc, raw, SM4_KEY_LEN);
        memcpy(k->mac, raw + SM4_KEY_LEN, SM3_LEN);
        rc = FZ_OK;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

int fieldcrypt_seal(const field_keys *k, const char *text, size_t len, unsigned char **blob,
                    size_t *bloblen)
{
    if (!blob || !bloblen)
        return FZ_INVALID;
    *blob = NULL;
    *bloblen = 0;
    if (!k || (!text && len))
        return FZ_INVALID;
    /* SM4-CTR in core/sm.c runs through an int length. */
    if (len > (size_t)INT_MAX - SM_SEAL_OVERHEAD)
        return FZ_NOMEM;
    unsigned char *b = malloc(len + SM_SEAL_OVERHEAD);
    if (!b)
        return FZ_NOMEM;
    if (sm_seal(k->enc, k->mac, text ? text : "", len, b) != FZ_OK) {
        free(b);
        return FZ_ERR;
    }
    *blob = b;
    *bloblen = len + SM_SEAL_OVERHEAD;
    return FZ_OK;
}

int fieldcrypt_open(const field_keys *k, const unsigned char *blob, size_t bloblen, char **text)
{
    if (!text)
        return FZ_INVALID;
    *text = NULL;
    if (!k || !blob || bloblen < SM_SEAL_OVERHEAD || bloblen > INT_MAX)
        return FZ_INVALID;
    size_t len = bloblen - SM_SEAL_OVERHEAD;
    char *t = malloc(len + 1);
    if (!t)
        return FZ_NOMEM;
    int rc = sm_open(k->enc, k->mac, blob, bloblen, t);
    if (rc != FZ_OK) {
        OPENSSL_cleanse(t, len + 1);
        free(t);
        return rc;
    }
    t[len] = '\0';
    *text = t;
    return FZ_OK;
}

/* ---- masks ------------------------------------------------------------------- */

/* Keeps head and tail characters only while at least MASK_MIN_HIDDEN stay
 * hidden; then the tail alone; else nothing. A non-ASCII input (not a phone
 * or ID number) is masked whole, byte by byte, so no character is split. */
#define MASK_MIN_HIDDEN 4

static void mask_keep(const char *in, char *out, size_t head, size_t tail)
{
    size_t n = strlen(in);
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] >= 0x80)
            ascii = 0;
    if (!ascii || n < head + tail + MASK_MIN_HIDDEN)
        head = 0;
    if (!ascii || n < tail + MASK_MIN_HIDDEN)
        tail = 0;
    for (size_t i = 0; i < n; i++)
        out[i] = i < head || i >= n - tail ? in[i] : '*';
    out[n] = '\0';
}

void mask_phone(const char *in, char *out)
{
    mask_keep(in, out, 3, 4);
}

void mask_idcard(const char *in, char *out)
{
    mask_keep(in, out, 6, 4);
}

/* Length of the well-formed UTF-8 character at s, or 0 (bad or cut short by
 * the NUL: the loop stops at the first byte that is not a continuation). */
static size_t utf8_char_len(const unsigned char *s)
{
    size_t k;
    uint32_t min;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        k = 2, min = 0x80;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        k = 3, min = 0x800;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        k = 4, min = 0x10000;
    else
        return 0;
    uint32_t cp = s[0] & (0x7f >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k;
}

void mask_name(const char *in, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    if (s[0]) {
        size_t k = utf8_char_len(s);
        if (k == 0) {
            out[o++] = '*';
            i = 1;
        } else {
            memcpy(out, in, k);
            o = i = k;
        }
    }
    /* One '*' per character: every byte that does not continue a sequence
     * starts one, so a stray or broken byte costs a '*' and never more. */
    for (; s[i]; i++)
        if ((s[i] & 0xc0) != 0x80)
            out[o++] = '*';
    out[o] = '\0';
}
