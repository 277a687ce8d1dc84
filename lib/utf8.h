/* utf8.h - cutting text to a size without breaking a character.  Names reach PopDeck from
 * MusicBrainz, Spotify, Commons and Discord in any script; a cut in the middle of a multi-byte
 * character is not UTF-8, which jansson (and so Discord) refuses.  Every helper here cuts on a
 * character boundary and marks the cut with "…". */
#ifndef PD_UTF8_H
#define PD_UTF8_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* The mark a cut leaves (U+2026, three bytes). */
#define PD_UTF8_ELLIPSIS "\xE2\x80\xA6"

/* The length of the longest prefix of s, at most max bytes, that ends on a character boundary
 * (before a lead byte or at the end).  s need not be NUL-terminated past max. */
size_t pd_utf8_prefix(const char *s, size_t max);

/* Copies src into dst (cap bytes with the NUL).  When src does not fit it is cut on a character
 * boundary and ends with "…" (when cap leaves room for it).  Returns true when it was cut. */
bool pd_utf8_copy(char *dst, size_t cap, const char *src);

/* snprintf into dst, but a result that does not fit is cut as pd_utf8_copy cuts.  Returns true
 * when it was cut (or the format failed, leaving ""). */
bool pd_utf8_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool pd_utf8_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Cuts s (in a buffer of cap bytes) in place to at most max_chars code points, the "…" among
 * them (left out when the buffer has no room for its three bytes).  Returns true when cut. */
bool pd_utf8_clip(char *s, size_t cap, size_t max_chars);

/* src copied into dst as pd_utf8_copy does, then clipped to max_chars code points; returns dst,
 * for use as a printf argument: "No artist called \"%s\"", pd_utf8_short(b, sizeof(b), name, 80).
 */
const char *pd_utf8_short(char *dst, size_t cap, const char *src, size_t max_chars);

#endif
