/* status.h: the closed set of return codes used across fazhi.
 * Every function that can fail returns one of these (0 on success);
 * callers check and return early. */
#ifndef FZ_STATUS_H
#define FZ_STATUS_H

enum {
    FZ_OK = 0,
    FZ_ERR = -1,       /* internal or I/O failure */
    FZ_NOTFOUND = -2,  /* no such object */
    FZ_INVALID = -3,   /* bad input; the caller explains which field */
    FZ_CONFLICT = -4,  /* state does not allow the operation */
    FZ_NOMEM = -5,     /* allocation failed or a size cap was hit */
    FZ_UNAVAIL = -6    /* the store or another dependency is not available */
};

#endif
