/* pd.c - result names and the monotonic clock. */
#include "pd.h"

#include <time.h>

const char *pd_result_str(enum pd_result r)
{
  switch (r) {
  case PD_OK:
    return "ok";
  case PD_E_NOMEM:
    return "out of memory";
  case PD_E_INVALID:
    return "invalid input";
  case PD_E_NOTFOUND:
    return "not found";
  case PD_E_CONFLICT:
    return "conflict";
  case PD_E_CHECK:
    return "check violated";
  case PD_E_TOOBIG:
    return "too big";
  case PD_E_DB_SOFT:
    return "database retry needed";
  case PD_E_DB_DOWN:
    return "database unreachable";
  case PD_E_DB_HARD:
    return "database error";
  case PD_E_UPSTREAM:
    return "upstream failure";
  case PD_E_IO:
    return "i/o error";
  case PD_E_INTERNAL:
    return "internal error";
  case PD_E_USER:
    return "the player's mistake";
  case PD_E_HOLD:
    return "gems on hold for a debt";
  }
  return "unknown result";
}

int64_t pd_now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
