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

/* Where the writer's lines go ("catalog:   URL refused: ..."): NULL prints them, as the
 * commands always have (stdout, or stderr for an error); the job runner logs them instead. */
struct pd_catalog_say {
  void (*line)(void *arg, bool error, const char *text);
  void *arg;
};

struct pd_catalog {
  const struct pd_config *cfg; /* own_cfg (pd_catalog_open) or the caller's (open_cfg) */
  struct pd_config own_cfg;
  bool owns_cfg;
  struct pd_catalog_say say;
  /* Called once an artist's pictures are downloaded and decided, before its transaction
   * (a job reports it as a step); NULL: nothing. */
  void (*downloaded)(void *arg, const char *artist, size_t images);
  void *downloaded_arg;
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
  /* Stock only (the stock refill): new images are stored and make no card; a draw makes cards
   * from them later (reuse versus create, server/draw.c).  An era with no card at all still gets
   * its first five. */
  bool stock_only;
};

/* Configuration (need as for pd_cli_config), renderer, rarity config and database; on a
 * problem prints one line and returns false (pd_catalog_close is still to be called). */
bool pd_catalog_open(struct pd_catalog *c, unsigned need);
/* The same from a configuration already loaded (cfg is borrowed and must outlive c): a running
 * server's job runner, which must not read the environment again.  On a problem err says why
 * and the result is not PD_OK (pd_catalog_close is still to be called). */
enum pd_result pd_catalog_open_cfg(struct pd_catalog *c, const struct pd_config *cfg, char *err,
                                   size_t errlen);
void pd_catalog_close(struct pd_catalog *c);

/* A card's stored source art ("art/<phash>.png") back from storage: CARDS_DIR/art locally, the
 * bucket's URL for S3.  reason says why it cannot be read. */
enum pd_result pd_catalog_load_art(const struct pd_config *cfg, const char *name, gdImagePtr *art,
                                   char *reason, size_t reasonlen);

/* Draws public_id (a permanent card, or an event's temporary one) again with its current rarity
 * from its source art, as a new file revision (image_rev + 1), and points the card at it.
 * Renders of one card are serialized (an advisory lock), so two at once make two revisions,
 * never one file written twice.  *rev and url get the new revision and URL; PD_E_NOTFOUND when
 * no card has that id, another failure with err saying why. */
enum pd_result pd_catalog_rerender(struct pd_catalog *c, const char *public_id, int *rev, char *url,
                                   size_t urllen, char *err, size_t errlen);

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
