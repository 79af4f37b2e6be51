/* log.h: process-wide logging to stderr (or a file), one line per call.
 * Lines are written with a single write(2) so threads do not interleave. */
#ifndef FZ_LOG_H
#define FZ_LOG_H

enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3, LOG_OFF = 4 };

/* Sets the minimum level and the file descriptors for messages and access lines.
 * Call once at start-up, before threads start. */
void log_setup(int level, int msg_fd, int access_fd);
/* Parses "debug|info|warn|error|off"; returns -1 when unknown. */
int log_level_parse(const char *s);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes one pre-formatted line (a JSON access record) plus a newline. */
void log_access(const char *line, unsigned long len);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
