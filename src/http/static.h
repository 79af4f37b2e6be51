/* static.h: serves the web UI: the embedded table (http/assets.h) or, in
 * dev mode, a directory on disk; unknown paths without an extension get
 * index.html (single-page-app fallback). */
#ifndef FZ_STATIC_H
#define FZ_STATIC_H

#include "api/req.h"

/* ui_dir: "" for the embedded assets, else a directory to serve from. */
void static_serve(req *r, const char *ui_dir);

#endif
