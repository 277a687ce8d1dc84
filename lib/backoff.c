/* backoff.c - retry arithmetic for follow-up sends. */
#include "backoff.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define MAX_WAIT_MS (15 * 60 * 1000)

int64_t pd_backoff_ms(unsigned attempt, int64_t base_ms, int64_t max_ms, uint32_t rnd)
{
  int64_t cap = base_ms;
  for (unsigned i = 0; i < attempt && cap < max_ms; i++)
    cap *= 2;
  if (cap > max_ms)
    cap = max_ms;
  int64_t half = cap / 2;
  /* rnd / 2^32 scaled onto [half, cap] */
  return half + (int64_t)(((uint64_t)rnd * (uint64_t)(cap - half + 1)) >> 32);
}

static int64_t seconds_to_ms(double s)
{
  if (!(s >= 0) || isinf(s))
    return -1;
  double ms = ceil(s * 1000.0);
  if (ms < 1)
    ms = 1;
  if (ms > MAX_WAIT_MS)
    ms = MAX_WAIT_MS;
  return (int64_t)ms;
}

static double header_seconds(const char *h)
{
  if (h == NULL)
    return -1;
  char *end = NULL;
  errno = 0;
  double v = strtod(h, &end);
  if (errno != 0 || end == h)
    return -1;
  while (*end == ' ')
    end++;
  return *end == '\0' ? v : -1;
}

int64_t pd_backoff_rate_limit_ms(double retry_after_s, const char *reset_after_hdr,
                                 const char *retry_after_hdr)
{
  int64_t ms = seconds_to_ms(retry_after_s);
  if (ms < 0)
    ms = seconds_to_ms(header_seconds(reset_after_hdr));
  if (ms < 0)
    ms = seconds_to_ms(header_seconds(retry_after_hdr));
  return ms < 0 ? 1000 : ms;
}

enum pd_send_verdict pd_backoff_verdict(long status)
{
  if (status >= 200 && status < 300)
    return PD_SEND_DONE;
  if (status == 429)
    return PD_SEND_RATE_LIMIT;
  if (status == 0 || status >= 500)
    return PD_SEND_RETRY;
  return PD_SEND_GIVE_UP;
}
