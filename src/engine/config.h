/* config.h: server configuration.
 *
 * Precedence, lowest to highest: built-in defaults, DIR/fazhi.conf
 * (`key = value` lines, `#` comments), environment (FAZHI_<KEY>, upper case),
 * command-line flags (--key value, '-' or '_' alike). An unknown key or a bad
 * value in the file, the environment or a flag is an error naming the key. */
#ifndef FZ_CONFIG_H
#define FZ_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "core/sm.h"

typedef struct config {
    char data[1024];       /* data directory */
    char store[1024];      /* "" (SQLite in data), "sqlite:DIR" or "postgresql://..." */
    char listen[128];      /* host:port */
    int threads;           /* HTTP worker threads; 0 = four per core */
    char region_code[16];  /* this county's 12-digit code: the event ledger */
    long max_body_kb;      /* request body cap for JSON APIs */
    long upload_max_mb;    /* attachment upload cap */
    int conn_timeout_s;    /* idle/slow client timeout */
    int conn_limit;        /* simultaneous connections */
    int commit_batch_max;  /* jobs per group commit; 1 = one commit per write */
    char log_level[8];
    char access_log[1024]; /* "stderr", "off" or a file path */
    char ui_dir[1024];     /* serve the UI from this directory instead of the embedded copy */
    int cookie_secure;     /* mark the session cookie Secure (behind TLS) */
    char trusted_proxies[256]; /* comma-separated peer addresses whose X-Forwarded-For is believed */
    int auth_cache_ms;     /* how long a session's identity is cached; 0 = off */
    char defs[1024];       /* definitions directory (procedures, catalogs, indicators) */
    int training_hours_required; /* 执法人员 yearly training hours (engine/officers.c) */
    int cert_expiry_warn_days;   /* an 执法证 expiring within this many days is flagged */
    char file_digest[SM3_HEX_LEN + 1]; /* SM3 of fazhi.conf as read ("" if none) */
} config;

void config_defaults(config *c);
/* Sets one key from text; returns 0, or -1 with a Chinese reason in err. */
int config_set(config *c, const char *key, const char *value, char *err, size_t errlen);
/* Reads DIR/fazhi.conf if present. Errors name the file, line and key. */
int config_load_file(config *c, const char *dir, char *err, size_t errlen);
/* Applies FAZHI_<KEY> variables for every known key (FAZHI_DATA included). */
int config_load_env(config *c, char *err, size_t errlen);
/* Prints every key with its default and meaning (for --help). */
void config_help(FILE *out);
/* Writes a commented default fazhi.conf for `fazhi init`. */
int config_write_default(const config *c, const char *path, char *err, size_t errlen);
/* Is the key known? (for flag parsing) */
int config_known(const char *key);

#endif
