/* log.h - one JSON object per line on stderr: request lines and events. */
#ifndef PD_LOG_H
#define PD_LOG_H

#include <jansson.h>

/* Length of a reference id, without its NUL. */
#define PD_REF_LEN 8

/* A short random id a user can quote, e.g. "K7QX2M9D" (Crockford base32, no I/L/O/U). */
void pd_ref_new(char out[PD_REF_LEN + 1]);

/* Writes fields (stolen: the call takes the reference) as one line, adding "time"
 * and "level".  Safe from any thread; a line is written with one write(2). */
void pd_log(const char *level, const char *msg, json_t *fields);

/* printf-style convenience for events without structured fields. */
void pd_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pd_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Formats the current UTC time as RFC 3339 with milliseconds. */
void pd_log_time(char out[32]);

#endif
