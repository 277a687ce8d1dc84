/* copyref.h - how players write one owned copy: PUBLIC_ID/PRINT, e.g. TAYL_19#03/12 (the
 * card TAYL_19#03, copy #12).  Autocomplete offers these; players may also type them. */
#ifndef PD_COPYREF_H
#define PD_COPYREF_H

#include <stddef.h>
#include <stdint.h>

#include "pd.h"

#define PD_COPYREF_SIZE 48 /* a public id (temporary cards' are longer), '/', a print number */

struct pd_copyref {
  char public_id[32];
  int64_t print_no; /* >= 1 */
};

/* Reads "TAYL_19#03/12" (surrounding spaces, lowercase letters, "#12" or leading zeros after
 * the slash are accepted).  PD_E_INVALID for anything else. */
enum pd_result pd_copyref_parse(const char *s, struct pd_copyref *out);
/* Writes "PUBLIC_ID/NN" (the print number with at least two digits). */
void pd_copyref_format(const char *public_id, int64_t print_no, char out[static PD_COPYREF_SIZE]);

#endif
