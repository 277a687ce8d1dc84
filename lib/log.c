/* log.c - structured logging and reference ids. */
#include "log.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void pd_ref_new(char out[PD_REF_LEN + 1])
{
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int i = 0; i < PD_REF_LEN; i++)
    out[i] = alphabet[randombytes_uniform(32)];
  out[PD_REF_LEN] = '\0';
}

void pd_log_time(char out[32])
{
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void pd_log(const char *level, const char *msg, json_t *fields)
{
  char when[32];
  json_t *line = json_object();
  if (line == NULL) {
    json_decref(fields);
    return;
  }
  pd_log_time(when);
  json_object_set_new(line, "time", json_string(when));
  json_object_set_new(line, "level", json_string(level));
  if (msg != NULL)
    json_object_set_new(line, "msg", json_string(msg));
  if (fields != NULL)
    json_object_update(line, fields);
  json_decref(fields);
  char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  json_decref(line);
  if (s == NULL)
    return;
  size_t n = strlen(s);
  s[n] = '\n'; /* overwrite the NUL: the buffer is written by length */
  ssize_t w = write(STDERR_FILENO, s, n + 1);
  (void)w;
  free(s);
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
  char buf[1024];
  vsnprintf(buf, sizeof(buf), fmt, ap);
  pd_log(level, buf, NULL);
}

void pd_log_info(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vlog("info", fmt, ap);
  va_end(ap);
}

void pd_log_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vlog("error", fmt, ap);
  va_end(ap);
}
