/* app.h: the running application, shared by every request (read-only after
 * start, except for the store's own synchronised state). */
#ifndef FZ_APP_H
#define FZ_APP_H

#include <stdint.h>

#include "engine/config.h"
#include "engine/defs.h"
#include "engine/fieldcrypt.h"
#include "store/store.h"

struct app {
    config cfg;
    store *st;
    int64_t started_ms;
    int threads;          /* resolved worker count */
    field_keys keys;      /* personal-data encryption keys (DIR/fazhi.key) */
    defs *defs;           /* validated definitions (never NULL while serving) */
};

#endif
