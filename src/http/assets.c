/* assets.c: lookup in the generated asset table. */
#include "http/assets.h"

#include <string.h>

const asset *assets_find(const char *path)
{
    size_t lo = 0, hi = fz_asset_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, fz_assets[mid].path);
        if (c == 0)
            return &fz_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
