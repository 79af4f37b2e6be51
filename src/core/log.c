/* log.c: leveled messages and access lines (see log.h).
 * The only mutable globals in core/: set once before threads start. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int g_level = LOG_INFO;
static int g_msg_fd = 2;
static int g_access_fd = 2;

void log_setup(int level, int msg_fd, int access_fd)
{
    g_level = level;
    g_msg_fd = msg_fd;
    g_access_fd = access_fd;
}

int log_level_parse(const char *s)
{
    static const char *names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < g_level || level >= LOG_OFF)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tags[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(g_msg_fd, line, len);
    (void)w;
}

void log_access(const char *line, unsigned long len)
{
    struct iovec iov[2] = {{(void *)line, len}, {"\n", 1}};
    ssize_t w = writev(g_access_fd, iov, 2);
    (void)w;
}
