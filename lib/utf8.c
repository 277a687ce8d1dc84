/* utf8.c - cuts on character boundaries (see utf8.h). */
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS_LEN (sizeof(PD_UTF8_ELLIPSIS) - 1)

static bool continuation(unsigned char c)
{
  return (c & 0xC0) == 0x80;
}

size_t pd_utf8_prefix(const char *s, size_t max)
{
  size_t n = strnlen(s, max);
  if (n < max)
    return n; /* the whole string fits */
  /* s[max] is the first byte left out: back up while it continues a character. */
  while (n > 0 && continuation((unsigned char)s[n]))
    n--;
  return n;
}

/* Writes the first n bytes of src, then the ellipsis if cut and it fits, into dst. */
static void put_cut(char *dst, size_t cap, const char *src, size_t len)
{
  if (cap == 0)
    return;
  if (len < cap) {
    memmove(dst, src, len);
    dst[len] = '\0';
    return;
  }
  size_t room = cap > ELLIPSIS_LEN + 1 ? cap - 1 - ELLIPSIS_LEN : cap - 1;
  size_t keep = pd_utf8_prefix(src, room);
  memmove(dst, src, keep);
  if (cap > ELLIPSIS_LEN + 1) {
    memcpy(dst + keep, PD_UTF8_ELLIPSIS, ELLIPSIS_LEN);
    keep += ELLIPSIS_LEN;
  }
  dst[keep] = '\0';
}

bool pd_utf8_copy(char *dst, size_t cap, const char *src)
{
  size_t len = strlen(src);
  put_cut(dst, cap, src, len);
  return len >= cap;
}

bool pd_utf8_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
  va_list again;
  char *whole = NULL;
  if (cap == 0)
    return true;
  va_copy(again, ap);
  int n = vsnprintf(dst, cap, fmt, ap);
  if (n >= 0 && (size_t)n < cap) {
    va_end(again);
    return false;
  }
  /* It did not fit: format it whole once more, then cut that on a boundary. */
  n = n < 0 ? -1 : vasprintf(&whole, fmt, again);
  va_end(again);
  if (n < 0) {
    dst[0] = '\0';
    return true;
  }
  put_cut(dst, cap, whole, (size_t)n);
  free(whole);
  return true;
}

bool pd_utf8_fmt(char *dst, size_t cap, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  bool cut = pd_utf8_vfmt(dst, cap, fmt, ap);
  va_end(ap);
  return cut;
}

bool pd_utf8_clip(char *s, size_t cap, size_t max_chars)
{
  size_t chars = 0, at = 0, keep = 0;
  for (; s[at] != '\0'; at++) {
    if (continuation((unsigned char)s[at]))
      continue;
    if (chars + 1 == max_chars)
      keep = at; /* where the ellipsis goes if more than max_chars follow */
    if (++chars > max_chars)
      break;
  }
  if (chars <= max_chars)
    return false;
  /* at is where the first character past the limit starts.  The ellipsis takes the last
   * place, if the buffer has room for its three bytes there. */
  if (max_chars > 0 && keep + ELLIPSIS_LEN < cap) {
    memcpy(s + keep, PD_UTF8_ELLIPSIS, ELLIPSIS_LEN);
    s[keep + ELLIPSIS_LEN] = '\0';
  } else {
    s[at] = '\0';
  }
  return true;
}

const char *pd_utf8_short(char *dst, size_t cap, const char *src, size_t max_chars)
{
  pd_utf8_copy(dst, cap, src != NULL ? src : "");
  pd_utf8_clip(dst, cap, max_chars);
  return dst;
}
