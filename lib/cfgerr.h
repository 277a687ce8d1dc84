/* cfgerr.h - the one-line errors of the JSON config loaders (packs.c, missions.c, rarity.c):
 * "assets/packs.json: packs[2].size: must be a whole number from 1 to 5". */
#ifndef PD_CFGERR_H
#define PD_CFGERR_H

#include <jansson.h>
#include <stddef.h>

#include "pd.h"

/* Where a loader writes its error; origin (the file, may be NULL) prefixes the line. */
struct pd_cfgerr {
  char *buf;
  size_t len;
  const char *origin;
};

/* Writes "origin: " and the formatted text into e; always PD_E_INVALID. */
enum pd_result pd_cfg_fail(const struct pd_cfgerr *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether every key of obj (which must be an object) is one of allowed (NULL-terminated) or
 * "_comment"; path names obj in the error ("" for the root). */
enum pd_result pd_cfg_known_keys(json_t *obj, const char *path, const char *const *allowed,
                                 const struct pd_cfgerr *e);

#endif
