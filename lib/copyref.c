/* copyref.c - PUBLIC_ID/PRINT, parsed and written (see copyref.h). */
#include "copyref.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum pd_result pd_copyref_parse(const char *s, struct pd_copyref *out)
{
  if (s == NULL)
    return PD_E_INVALID;
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ')
    n--;
  const char *slash = memchr(s, '/', n);
  if (slash == NULL || slash == s || memchr(slash + 1, '/', n - (size_t)(slash + 1 - s)) != NULL)
    return PD_E_INVALID;
  size_t idlen = (size_t)(slash - s);
  if (idlen >= sizeof(out->public_id))
    return PD_E_INVALID;
  for (size_t i = 0; i < idlen; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (!(isalnum(ch) || ch == '_' || ch == '#' || ch == '-'))
      return PD_E_INVALID;
    out->public_id[i] = (char)toupper(ch);
  }
  out->public_id[idlen] = '\0';
  const char *p = slash + 1, *end = s + n;
  if (p < end && *p == '#')
    p++;
  if (p == end || end - p > 12)
    return PD_E_INVALID;
  int64_t v = 0;
  for (; p < end; p++) {
    if (*p < '0' || *p > '9')
      return PD_E_INVALID;
    v = v * 10 + (*p - '0');
  }
  if (v < 1)
    return PD_E_INVALID;
  out->print_no = v;
  return PD_OK;
}

void pd_copyref_format(const char *public_id, int64_t print_no, char out[static PD_COPYREF_SIZE])
{
  snprintf(out, PD_COPYREF_SIZE, "%.31s/%02lld", public_id, (long long)print_no);
}
