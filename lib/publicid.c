/* publicid.c - public card ids: codes from artist and era names, format, parse, next free id. */
#include "publicid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Base letters for U+00C0..U+017F, 32 per row.  '.' is not a letter (× and ÷),
 * '*' a letter with a two-letter spelling (see two_letter). */
static const char latin_c0_17f[] = "AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY**"  /* U+00C0 */
                                   "AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY*Y"  /* U+00E0 */
                                   "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGG"  /* U+0100 */
                                   "GGGGHHHHIIIIIIIIII**JJKKKLLLLLLL"  /* U+0120 */
                                   "LLLNNNNNNNNNOOOOOO**RRRRRRSSSSSS"  /* U+0140 */
                                   "SSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS"; /* U+0160 */

_Static_assert(sizeof(latin_c0_17f) == 0x17F - 0xC0 + 2, "one letter per code point");

/* Vietnamese: U+1EA0..U+1EF9. */
static const char latin_1ea0_1ef9[] = "AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEE" /* U+1EA0 */
                                      "EEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOO" /* U+1EC0 */
                                      "OOOOUUUUUUUUUUUUUUYYYYYYYY";      /* U+1EE0 */

_Static_assert(sizeof(latin_1ea0_1ef9) == 0x1EF9 - 0x1EA0 + 2, "one letter per code point");

static const struct {
  long cp;
  const char *ascii;
} two_letter[] = {
    {0xC6, "AE"},   {0xE6, "AE"},  {0xDE, "TH"},  {0xFE, "TH"},  {0xDF, "SS"},
    {0x1E9E, "SS"}, {0x132, "IJ"}, {0x133, "IJ"}, {0x152, "OE"}, {0x153, "OE"},
};

/* Latin Extended-B letters in common use: Vietnamese horned O and U, Romanian S and T. */
static const struct {
  long cp;
  char ascii;
} extra[] = {
    {0x1A0, 'O'}, {0x1A1, 'O'}, {0x1AF, 'U'}, {0x1B0, 'U'},
    {0x218, 'S'}, {0x219, 'S'}, {0x21A, 'T'}, {0x21B, 'T'},
};

/* One UTF-8 character at s: returns the bytes it takes (at least 1) and sets *cp, or -1
 * for a malformed, overlong or surrogate sequence (which then takes one byte). */
static size_t utf8_next(const unsigned char *s, long *cp)
{
  *cp = -1;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len;
  long min;
  long v;
  if (s[0] >= 0xC2 && s[0] <= 0xDF) {
    len = 2, min = 0x80, v = s[0] & 0x1F;
  } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
    len = 3, min = 0x800, v = s[0] & 0x0F;
  } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
    len = 4, min = 0x10000, v = s[0] & 0x07;
  } else {
    return 1;
  }
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
      return 1;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 1;
  *cp = v;
  return len;
}

/* The ASCII spelling of cp for an id code: "" when it contributes nothing. */
static const char *ascii_of(long cp, char buf[2])
{
  buf[0] = '\0';
  buf[1] = '\0';
  if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
    buf[0] = (char)cp;
  else if (cp >= 'a' && cp <= 'z')
    buf[0] = (char)(cp - 'a' + 'A');
  else if (cp >= 0xC0 && cp <= 0x17F)
    buf[0] = latin_c0_17f[cp - 0xC0];
  else if (cp >= 0x1EA0 && cp <= 0x1EF9)
    buf[0] = latin_1ea0_1ef9[cp - 0x1EA0];
  else if (cp == 0x1E9E)
    buf[0] = '*';
  for (size_t i = 0; i < PD_ARRAY_LEN(extra); i++)
    if (extra[i].cp == cp)
      buf[0] = extra[i].ascii;
  if (buf[0] == '*') {
    for (size_t i = 0; i < PD_ARRAY_LEN(two_letter); i++)
      if (two_letter[i].cp == cp)
        return two_letter[i].ascii;
    buf[0] = '\0';
  }
  if (buf[0] == '.')
    buf[0] = '\0';
  return buf;
}

/* The first width code characters of name, padded with 'X'. */
static void code_of(const char *name, size_t width, char *out)
{
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)name;
  while (*s != '\0' && n < width) {
    long cp;
    s += utf8_next(s, &cp);
    char buf[2];
    for (const char *a = ascii_of(cp, buf); *a != '\0' && n < width; a++)
      out[n++] = *a;
  }
  while (n < width)
    out[n++] = 'X';
  out[width] = '\0';
}

enum pd_result pd_publicid_codes(const char *artist, const char *era, struct pd_publicid *out)
{
  if (artist == NULL || era == NULL || out == NULL)
    return PD_E_INVALID;
  code_of(artist, 4, out->art);
  code_of(era, 2, out->era);
  out->n = 0;
  return PD_OK;
}

static bool is_code_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_code(const char *s, size_t width)
{
  for (size_t i = 0; i < width; i++)
    if (!is_code_char(s[i]))
      return false;
  return s[width] == '\0';
}

enum pd_result pd_publicid_format(const struct pd_publicid *id, char out[static PD_PUBLICID_SIZE])
{
  if (id == NULL || !is_code(id->art, 4) || !is_code(id->era, 2) || id->n < 1 ||
      id->n > PD_PUBLICID_MAX_N)
    return PD_E_INVALID;
  snprintf(out, PD_PUBLICID_SIZE, "%s_%s#%02d", id->art, id->era, id->n);
  return PD_OK;
}

enum pd_result pd_publicid_make(const char *artist, const char *era, int n,
                                char out[static PD_PUBLICID_SIZE])
{
  struct pd_publicid id;
  enum pd_result rc = pd_publicid_codes(artist, era, &id);
  if (rc != PD_OK)
    return rc;
  id.n = n;
  return pd_publicid_format(&id, out);
}

bool pd_publicid_valid(const char *s)
{
  if (s == NULL)
    return false;
  for (size_t i = 0; i < PD_PUBLICID_LEN; i++) {
    bool ok;
    if (i == 4)
      ok = s[i] == '_';
    else if (i == 7)
      ok = s[i] == '#';
    else if (i >= 8)
      ok = s[i] >= '0' && s[i] <= '9';
    else
      ok = is_code_char(s[i]); /* also false at an early NUL */
    if (!ok)
      return false;
  }
  return s[PD_PUBLICID_LEN] == '\0' && !(s[8] == '0' && s[9] == '0');
}

enum pd_result pd_publicid_parse(const char *s, struct pd_publicid *out)
{
  if (out == NULL || !pd_publicid_valid(s))
    return PD_E_INVALID;
  memcpy(out->art, s, 4);
  out->art[4] = '\0';
  memcpy(out->era, s + 5, 2);
  out->era[2] = '\0';
  out->n = (s[8] - '0') * 10 + (s[9] - '0');
  return PD_OK;
}

/* ---- next free id ---- */

#define CODE_CHARS 36 /* 0-9 then A-Z: the fallback order */

static int code_index(char c)
{
  return c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
}

static char code_char(int i)
{
  return (char)(i < 10 ? '0' + i : 'A' + i - 10);
}

/* The rank-th era code to try (0 <= rank < 36 * 36), in the order pd_publicid_next documents. */
static void era_candidate(const char era[3], int rank, char out[3])
{
  int first = code_index(era[0]), second = code_index(era[1]);
  int f, s;
  if (rank == 0) {
    f = first, s = second;
  } else if (rank < CODE_CHARS) {
    f = first, s = rank - 1 < second ? rank - 1 : rank; /* 0-9 A-Z without the original */
  } else {
    int r = rank - CODE_CHARS;
    f = r / CODE_CHARS, s = r % CODE_CHARS;
    if (f >= first)
      f++; /* without the original first character */
  }
  out[0] = code_char(f);
  out[1] = code_char(s);
  out[2] = '\0';
}

enum pd_result pd_publicid_next(const struct pd_publicid *prefix,
                                bool (*taken)(void *arg, const char *id), void *arg,
                                char out[static PD_PUBLICID_SIZE])
{
  if (prefix == NULL || taken == NULL || !is_code(prefix->art, 4) || !is_code(prefix->era, 2))
    return PD_E_INVALID;
  struct pd_publicid id;
  memcpy(id.art, prefix->art, sizeof(id.art));
  for (int rank = 0; rank < CODE_CHARS * CODE_CHARS; rank++) {
    era_candidate(prefix->era, rank, id.era);
    for (id.n = 1; id.n <= PD_PUBLICID_MAX_N; id.n++) {
      char candidate[PD_PUBLICID_SIZE];
      if (pd_publicid_format(&id, candidate) != PD_OK)
        return PD_E_INTERNAL;
      if (!taken(arg, candidate)) {
        memcpy(out, candidate, PD_PUBLICID_SIZE);
        return PD_OK;
      }
    }
  }
  return PD_E_CONFLICT;
}

/* One bit per (era code, NN) for one artist code. */
struct taken_set {
  char art[5];
  unsigned char bits[CODE_CHARS * CODE_CHARS * (PD_PUBLICID_MAX_N + 1) / 8 + 1];
};

static size_t taken_bit(const struct pd_publicid *id)
{
  return ((size_t)code_index(id->era[0]) * CODE_CHARS + (size_t)code_index(id->era[1])) *
             (PD_PUBLICID_MAX_N + 1) +
         (size_t)id->n;
}

static bool in_taken_set(void *arg, const char *s)
{
  const struct taken_set *set = arg;
  struct pd_publicid id;
  if (pd_publicid_parse(s, &id) != PD_OK || strcmp(id.art, set->art) != 0)
    return false;
  size_t bit = taken_bit(&id);
  return (set->bits[bit / 8] >> (bit % 8)) & 1;
}

enum pd_result pd_publicid_next_in(const struct pd_publicid *prefix, const char *const *taken,
                                   size_t ntaken, char out[static PD_PUBLICID_SIZE])
{
  enum pd_result rc = PD_E_INVALID;
  struct taken_set *set = NULL;
  if (prefix == NULL || (taken == NULL && ntaken > 0) || !is_code(prefix->art, 4))
    goto out;
  rc = PD_E_NOMEM;
  set = calloc(1, sizeof(*set));
  if (set == NULL)
    goto out;
  memcpy(set->art, prefix->art, sizeof(set->art));
  for (size_t i = 0; i < ntaken; i++) {
    struct pd_publicid id;
    if (pd_publicid_parse(taken[i], &id) != PD_OK || strcmp(id.art, set->art) != 0)
      continue;
    size_t bit = taken_bit(&id);
    set->bits[bit / 8] |= (unsigned char)(1u << (bit % 8));
  }
  rc = pd_publicid_next(prefix, in_taken_set, set, out);
out:
  free(set);
  return rc;
}
