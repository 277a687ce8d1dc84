/* catalog.h - writes artists, eras, their images and rendered cards into the catalog; the
 * one path behind `popdeck seed demo`, `popdeck ingest artist` and `popdeck sync`.
 *
 * An artist is given as JSON:
 *   {"name", "is_group", "mbid"?, "spotify_id"?,
 *    "members": ["Name" | {"name", "role"}],
 *    "eras": [{"name", "start": "YYYY-MM-DD",
 *              "candidates": [{"url", "keyword", "kind"?, "text"?, "tags"?, "date"?,
 * "license"?}]}]} Eras are in release order; each ends the day before the next begins, the newest
 * after a year. Candidate images are downloaded (at most INGEST_CONCURRENCY at once) before the
 * database is touched, then the artist is written in one transaction:
 *   - a candidate already stored or refused before is not downloaded again;
 *   - one that is unusable, a near-duplicate of any catalog image, or dated outside every era
 *     of the artist is refused, with the reason in image_rejections;
 *   - a photo dated inside another era's window goes to that era;
 *   - "kind" (the source's own word: an album cover is a cover) wins over the classifier;
 *   - a kept image's art is stored as art/<phash>.png.
 * Cards: an era with new images gets each of its five rarities from one of them (red carpet
 * photos become legendary more often: the choice is weighted by the kind multipliers of
 * assets/rarity.json); cards drawn from generated art are redrawn from them, keeping their
 * public ids, as a new file revision; every other new image becomes one card whose rarity is
 * drawn from its kind's reweighted distribution.  An era with no image at all gets generated
 * art and five cards.  Nothing is done twice: a second run adds nothing. */
#ifndef PD_CATALOG_H
#define PD_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "fetch_pool.h"
#include "image_fetch.h"
#include "rarity.h"
#include "render.h"

struct pd_catalog {
  struct pd_config cfg;
  struct pd_db *db;
  struct pd_renderer *renderer;
  struct pd_rarity_config *rarity;
  int fetch_concurrency;
  struct pd_image_limits image_limits; /* INGEST_MAX_PIXELS, INGEST_ALLOWED_NETWORKS */
  struct pd_netlist allowed_networks;
  struct pd_fetch_limits fetch_limits; /* INGEST_CONCURRENCY, INGEST_PIXEL_BUDGET */
  int artists_added, eras_added, images_added, images_refused;
  int cards_rendered, cards_replaced, cards_kept;
  int artists_removed; /* skipped: an admin removed them (purge_artist) */
};

/* Configuration (need as for pd_cli_config), renderer, rarity config and database; on a
 * problem prints one line and returns false (pd_catalog_close is still to be called). */
bool pd_catalog_open(struct pd_catalog *c, unsigned need);
void pd_catalog_close(struct pd_catalog *c);

/* Writes one artist as above.  On failure nothing of the artist is kept.  An artist an admin
 * removed (purge_artist) is not written again: it is skipped with a line saying so, counted in
 * artists_removed, and PD_OK (a reseed or sync goes on with the others); bringing it back is a
 * deliberate act, not a side effect of the chart. */
enum pd_result pd_catalog_add_artist(struct pd_catalog *c, json_t *artist);

/* "Taylor Swift 1989 concert", "... live", "... photoshoot", "... mv", "... red carpet",
 * "... press photo": the searches that find an era's pictures. */
#define PD_ERA_KEYWORDS 6
extern const char *const pd_era_keyword_suffix[PD_ERA_KEYWORDS];

#endif
