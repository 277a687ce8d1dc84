/* storage.h - where rendered card PNGs and the source art they were drawn from live.  Three
 * backends behind one interface (STORAGE):
 *   local    CARDS_DIR, which `popdeck serve` publishes at GET /cards/<name>.png;
 *   s3       S3-compatible object storage, URLs under CDN_URL (else S3_ENDPOINT/S3_BUCKET);
 *   discord  CARDS_DIR, unpublished; each message that shows a card attaches its file, and the
 *            card's URL is attachment://<name> (the follow-up workers resolve it).
 * Source art is stored beside the cards as art/<name>, which no route publishes. */
#ifndef PD_STORAGE_H
#define PD_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

#include "config.h"

/* "TAYL_19#03" -> "TAYL_19-03.png" ('#' cannot stand in a URL path unescaped).  A card whose
 * picture changed is a new file, because cards are served as immutable: revision 2 and up
 * give "TAYL_19-03-r2.png". */
enum pd_result pd_storage_card_name(const char *public_id, int revision, char *out, size_t outlen);
/* Only [A-Za-z0-9_-]{1,64}.png: no slashes, no dots before the extension, no traversal. */
bool pd_storage_name_ok(const char *name);
/* Writes dir/name atomically (a temporary file renamed into place); creates dir. */
enum pd_result pd_storage_local_put(const char *dir, const char *name, const void *data,
                                    size_t len);
/* Reads dir/name (malloc'd).  PD_E_NOTFOUND for a bad or missing name; at most max bytes. */
enum pd_result pd_storage_local_get(const char *dir, const char *name, size_t max, void **data,
                                    size_t *len);

/* The URL a player's client loads the card name from, per backend. */
void pd_storage_card_url(const struct pd_config *c, const char *name, char *out, size_t outlen);
/* The file an attachment:// URL names, or NULL when url is not one for a valid card name. */
const char *pd_storage_attachment_name(const char *url);

/* Stores data as name ("X.png" for a card, "art/X.png" for source art) in the configured
 * backend.  err gets a short reason on failure. */
enum pd_result pd_storage_put(const struct pd_config *c, const char *name, const void *data,
                              size_t len, char *err, size_t errlen);

#endif
