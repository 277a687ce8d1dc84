/* buf.h - one growable byte buffer with a hard size cap (curl's dynbuf).  Every place that
 * collects bytes of unknown length (an HTTP body, a libcurl answer, a PNG being written) uses
 * it, so each has a cap set once at init, and an append past it fails cleanly instead of each
 * place checking its own way. */
#ifndef PD_BUF_H
#define PD_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

struct pd_buf {
  char *p;      /* the bytes, always NUL-terminated; NULL until something is added */
  size_t len;   /* bytes held, the NUL not counted */
  size_t alloc; /* bytes allocated at p */
  size_t max;   /* the hard cap on len */
};

/* An empty buffer that will hold at most max bytes (plus the NUL it keeps).  Allocates nothing. */
void pd_buf_init(struct pd_buf *b, size_t max);

/* Appends len bytes.  Past the cap it returns PD_E_TOOBIG, and PD_E_NOMEM when allocation fails;
 * either way the buffer is left exactly as it was. */
enum pd_result pd_buf_add(struct pd_buf *b, const void *data, size_t len);

/* Appends printf output, all of it or (PD_E_TOOBIG, PD_E_NOMEM, PD_E_INVALID for a format that
 * fails) none of it. */
enum pd_result pd_buf_addf(struct pd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The contents as a string: "" when nothing was added. */
const char *pd_buf_str(const struct pd_buf *b);

/* Hands the bytes to the caller, who frees them; *len (when not NULL) gets their count.
 * Returns NULL when nothing was added.  The buffer is empty afterwards, its cap unchanged. */
char *pd_buf_take(struct pd_buf *b, size_t *len);

/* Empties the buffer but keeps its allocation and cap, for reuse. */
void pd_buf_reset(struct pd_buf *b);

/* Frees the bytes; the buffer is empty afterwards.  b may be NULL. */
void pd_buf_free(struct pd_buf *b);

/* Shortens the contents to at most max_bytes, cut on a UTF-8 character boundary so the result
 * is never half a character.  Returns true when anything was cut. */
bool pd_buf_cut_utf8(struct pd_buf *b, size_t max_bytes);

#endif
