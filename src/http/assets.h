/* assets.h: the UI files embedded into the binary. The table is generated at
 * build time from ui/dist by tools/gen_assets.c into build/assets.c, sorted
 * by path. Everything is static const data. */
#ifndef FZ_ASSETS_H
#define FZ_ASSETS_H

#include <stddef.h>

typedef struct asset {
    const char *path;          /* "/index.html", "/assets/index-abc.js" */
    const char *mime;
    const unsigned char *data;
    size_t len;
    const unsigned char *gz;   /* gzip variant or NULL when it would not be smaller */
    size_t gz_len;
    const char *etag;          /* quoted, from the SM3 of the bytes */
} asset;

extern const asset fz_assets[];
extern const size_t fz_asset_count;

/* Binary search by path; NULL when absent. */
const asset *assets_find(const char *path);
/* MIME type for a file name by extension; "application/octet-stream" otherwise. */
const char *assets_mime(const char *path);

#endif
