/* storage.h - where rendered card PNGs live.  The local backend is a directory that
 * `popdeck serve` publishes at GET /cards/<name>.png. */
#ifndef PD_STORAGE_H
#define PD_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

/* "TAYL_19#03" -> "TAYL_19-03.png" ('#' cannot stand in a URL path unescaped). */
enum pd_result pd_storage_card_name(const char *public_id, char *out, size_t outlen);
/* Only [A-Za-z0-9_-]{1,64}.png: no slashes, no dots before the extension, no traversal. */
bool pd_storage_name_ok(const char *name);
/* Writes dir/name atomically (a temporary file renamed into place); creates dir. */
enum pd_result pd_storage_local_put(const char *dir, const char *name, const void *data, size_t len);
/* Reads dir/name (malloc'd).  PD_E_NOTFOUND for a bad or missing name; at most max bytes. */
enum pd_result pd_storage_local_get(const char *dir, const char *name, size_t max, void **data, size_t *len);

#endif
