/* buf.c - see buf.h.  Growth doubles (from 64 bytes) but never past the cap plus its NUL, so a
 * buffer capped at 64 KiB never holds more than 64 KiB + 1. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define MIN_ALLOC 64

void pd_buf_init(struct pd_buf *b, size_t max)
{
  b->p = NULL;
  b->len = 0;
  b->alloc = 0;
  b->max = max < (size_t)-1 ? max : (size_t)-1 - 1; /* room for the NUL always countable */
}

/* Makes room for len + add bytes and the NUL, or says why not; changes nothing on failure. */
static enum pd_result reserve(struct pd_buf *b, size_t add)
{
  if (add > b->max || b->len > b->max - add)
    return PD_E_TOOBIG;
  size_t need = b->len + add + 1; /* cannot overflow: max is below SIZE_MAX */
  if (need <= b->alloc)
    return PD_OK;
  size_t cap = b->alloc > 0 ? b->alloc : MIN_ALLOC;
  while (cap < need && cap <= (size_t)-1 / 2)
    cap *= 2;
  if (cap < need)
    cap = need;
  if (cap > b->max + 1)
    cap = b->max + 1;
  char *g = realloc(b->p, cap);
  if (g == NULL)
    return PD_E_NOMEM;
  b->p = g;
  b->alloc = cap;
  return PD_OK;
}

enum pd_result pd_buf_add(struct pd_buf *b, const void *data, size_t len)
{
  enum pd_result rc = reserve(b, len);
  if (rc != PD_OK)
    return rc;
  if (len > 0)
    memcpy(b->p + b->len, data, len);
  b->len += len;
  b->p[b->len] = '\0';
  return PD_OK;
}

enum pd_result pd_buf_addf(struct pd_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return PD_E_INVALID;
  enum pd_result rc = reserve(b, (size_t)n);
  if (rc != PD_OK)
    return rc;
  va_start(ap, fmt);
  int m = vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  if (m != n) {
    b->p[b->len] = '\0'; /* the old contents, as they were */
    return PD_E_INVALID;
  }
  b->len += (size_t)n;
  return PD_OK;
}

const char *pd_buf_str(const struct pd_buf *b)
{
  return b->p != NULL ? b->p : "";
}

char *pd_buf_take(struct pd_buf *b, size_t *len)
{
  char *p = b->p;
  if (len != NULL)
    *len = b->len;
  pd_buf_init(b, b->max);
  return p;
}

void pd_buf_reset(struct pd_buf *b)
{
  b->len = 0;
  if (b->p != NULL)
    b->p[0] = '\0';
}

void pd_buf_free(struct pd_buf *b)
{
  if (b == NULL)
    return;
  free(b->p);
  pd_buf_init(b, b->max);
}

bool pd_buf_cut_utf8(struct pd_buf *b, size_t max_bytes)
{
  if (b->len <= max_bytes)
    return false;
  b->len = pd_utf8_prefix(b->p, max_bytes);
  b->p[b->len] = '\0';
  return true;
}
