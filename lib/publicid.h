/* publicid.h - the card ids players see and type: <ART4>_<ER2>#<NN>, e.g. TAYL_19#03. */
#ifndef PD_PUBLICID_H
#define PD_PUBLICID_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

#define PD_PUBLICID_LEN 10  /* "TAYL_19#03" */
#define PD_PUBLICID_SIZE 16 /* buffer size callers pass; room to spare */
#define PD_PUBLICID_MAX_N 99

struct pd_publicid {
  char art[5]; /* 4 of A-Z 0-9 */
  char era[3]; /* 2 of A-Z 0-9 */
  int n;       /* 1..99 */
};

/* The codes for an artist and an era (n is set to 0).  Each name is read as UTF-8; Latin
 * letters with accents become their base letter (é -> E, ø -> O, ñ -> N, å -> A; Æ -> AE,
 * Œ -> OE, ß -> SS, Þ -> TH, Ĳ -> IJ; Latin-1, Latin Extended-A and Vietnamese), ASCII
 * letters are uppercased, digits kept, and everything else skipped: spaces, punctuation,
 * symbols, other scripts, invalid UTF-8.  The first 4 (artist) or 2 (era) characters are
 * kept, padded with 'X': "IU" -> IUXX, "(G)I-DLE" -> GIDL, "1989" -> 19, "÷" -> XX.
 * PD_E_INVALID when a name is NULL; an empty name is all X. */
enum pd_result pd_publicid_codes(const char *artist, const char *era, struct pd_publicid *out);

/* Writes "ART4_ER#NN".  PD_E_INVALID unless the codes are A-Z/0-9 of the right length and
 * 1 <= n <= 99. */
enum pd_result pd_publicid_format(const struct pd_publicid *id, char out[static PD_PUBLICID_SIZE]);

/* pd_publicid_codes then pd_publicid_format. */
enum pd_result pd_publicid_make(const char *artist, const char *era, int n,
                                char out[static PD_PUBLICID_SIZE]);

/* ^[A-Z0-9]{4}_[A-Z0-9]{2}#[0-9]{2}$ with NN from 01 to 99 (00 is never issued).
 * Strict: lowercase, spaces or a trailing newline are rejected. */
bool pd_publicid_valid(const char *s);

/* Splits a valid id; PD_E_INVALID (out untouched) otherwise. */
enum pd_result pd_publicid_parse(const char *s, struct pd_publicid *out);

/* Picks the first free id for prefix->art and prefix->era (prefix->n is ignored):
 *  1. NN 01, 02, ... 99 with the era's own code;
 *  2. when all 99 are taken, the era code's first character is kept and the second runs
 *     through 0-9 then A-Z (skipping the original): "MI" -> M0, M1, ..., M9, MA, MB, ...;
 *     then the first character runs through 0-9, A-Z (skipping the original), each with the
 *     second through 0-9, A-Z.  Each code again tries NN 01..99.
 * Fallback codes may be some other era's own code; that is fine because taken() is asked
 * about every candidate, so a taken id is never returned.  taken(arg, id) must say whether
 * id is in use (for every era of the artist, and for deleted ids that must not come back).
 * PD_E_CONFLICT when all 36 * 36 * 99 ids for the artist code are taken; PD_E_INVALID for
 * a bad prefix or NULL callback. */
enum pd_result pd_publicid_next(const struct pd_publicid *prefix,
                                bool (*taken)(void *arg, const char *id), void *arg,
                                char out[static PD_PUBLICID_SIZE]);

/* pd_publicid_next over an array of ids in use (e.g. SELECT public_id ... LIKE 'TAYL\_%').
 * Invalid ids and other artist codes in the array are ignored.  Linear in ntaken. */
enum pd_result pd_publicid_next_in(const struct pd_publicid *prefix, const char *const *taken,
                                   size_t ntaken, char out[static PD_PUBLICID_SIZE]);

#endif
