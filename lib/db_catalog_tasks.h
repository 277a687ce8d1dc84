/* db_catalog_tasks.h - the catalog's periodic tasks (server/catalog_tasks.c) and the draw's reuse
 * versus create (server/draw.c): the most collected artists, retiring artists, eras short of
 * unused images, and cards made from one (sql/026). */
#ifndef PD_DB_CATALOG_TASKS_H
#define PD_DB_CATALOG_TASKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "rarity.h"

/* Names of the limit artists with the most copies owned now (neither removed nor retired), the
 * most first; an empty array when nobody owns a card.  Caller owns *names. */
enum pd_result pd_db_most_collected(struct pd_db *db, int limit, json_t **names);

/* One artist the prune measures. */
struct pd_db_prune_artist {
  int64_t id;
  char name[256];
  bool retired;
};
/* Up to max artists (not removed) with id > after, in id order. */
enum pd_result pd_db_prune_batch(struct pd_db *db, int64_t after, struct pd_db_prune_artist *out,
                                 size_t max, size_t *n);
/* Records what the prune measured (metadata.prune, a JSON object) and retires the artist (why
 * not NULL) or brings it back (why NULL).  *changed says whether its state changed. */
enum pd_result pd_db_prune_set(struct pd_db *db, int64_t artist_id, json_t *measured,
                               const char *why, bool *changed);

/* An era whose unused images (stored, not generated, no card made from them) are fewer than
 * wanted. */
struct pd_db_refill_era {
  int64_t era_id;
  char artist[256];
  json_t *eras;  /* owned: every era of the artist, [{name, start, end}] in release order */
  size_t target; /* the index of this era in eras */
  int64_t unused;
};
/* Up to max such eras of drawable artists, the ones checked least recently first.  Free each
 * one's eras (json_decref). */
enum pd_result pd_db_refill_eras(struct pd_db *db, int64_t wanted, struct pd_db_refill_era *out,
                                 size_t max, size_t *n);
/* Marks the era as looked at now. */
enum pd_result pd_db_refill_checked(struct pd_db *db, int64_t era_id);

/* The era and artist of a drawable card, and how many cards of its rarity the era has. */
struct pd_db_draw_era {
  int64_t era_id, artist_id;
  char artist[256], era[256];
  int64_t stock;
};
/* PD_E_NOTFOUND for an event's temporary card (template_id < 0) or one that is gone. */
enum pd_result pd_db_draw_era(struct pd_db *db, int64_t template_id, struct pd_db_draw_era *out);

/* Up to max unused images of the era, locked for this transaction (images another draw holds
 * are skipped): ids and kinds. */
struct pd_db_unused_image {
  int64_t id;
  char kind[16];
};
enum pd_result pd_db_unused_images(struct pd_db *db, int64_t era_id, struct pd_db_unused_image *out,
                                   size_t max, size_t *n);

/* A card made by a draw from image_id, image_rev 0 until the worker draws it (sql/026).  *id is 0
 * when the image already has a card of that rarity (a draw that raced this one). */
enum pd_result pd_db_draw_template_create(struct pd_db *db, const char *public_id,
                                          const struct pd_db_draw_era *era, const char *rarity,
                                          const char *image_url, int64_t image_id, int64_t *id);

#endif
