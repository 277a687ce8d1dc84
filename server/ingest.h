/* ingest.h - ingesting artists from MusicBrainz (and the pictures Cover Art Archive, Spotify and
 * Wikimedia Commons have of them) into the catalog: one artist, or Last.fm's chart and the
 * artists similar to it.  One path behind `popdeck ingest` / `popdeck sync` (ingest.c) and the
 * admin jobs of the same names (admin_jobs.c): nothing here prints.  Both are idempotent (the
 * catalog writer adds nothing twice), so a job resumed after a crash may simply run again. */
#ifndef PD_INGEST_H
#define PD_INGEST_H

#include <stdbool.h>

#include "catalog.h"

/* What the work tells as it goes. */
struct pd_ingest_report {
  /* A line for a person ("ingest: Taylor Swift (...), 6 eras"): the commands print it (to
   * stderr when error), a job logs it.  Never NULL. */
  void (*line)(void *arg, bool error, const char *text);
  /* done of total, with a short text ("12/34 artists: Taylor Swift"); NULL when nobody follows.
   * Returns false to stop the work (the job was taken over, or the server is stopping). */
  bool (*progress)(void *arg, int done, int total, const char *text);
  void *arg;
};

/* The steps of one artist's ingest as progress counts them: MusicBrainz lookup, eras, images,
 * cards. */
#define PD_INGEST_STEPS 4

/* One artist by name.  PD_E_NOTFOUND when MusicBrainz has no match or no studio album,
 * PD_E_CONFLICT when progress asked to stop; err says why. */
enum pd_result pd_ingest_artist(struct pd_catalog *cat, const char *name,
                                const struct pd_ingest_report *rep, char *err, size_t errlen);

/* Last.fm's artists similar to seeds (three each; an array of names), each ingested: the
 * weekly sync gives the most collected artists, and only the similar ones not among them are
 * new.  Without seeds (NULL or empty: `popdeck sync`, /admin sync), Last.fm's top chart artists
 * and three similar to each.  One that cannot be ingested is skipped, counted in *skipped.
 * Needs LASTFM_API_KEY (PD_E_INVALID without it).  Progress counts artists.  MusicBrainz's one
 * request a second is kept by its client, as for every ingest. */
enum pd_result pd_ingest_sync(struct pd_catalog *cat, json_t *seeds,
                              const struct pd_ingest_report *rep, int *skipped, char *err,
                              size_t errlen);

/* More photos for one era of an artist already in the catalog: eras is every era of the artist
 * as the catalog has them ([{name, start, end}]), target the one Wikimedia Commons is searched
 * for (per_search results a search), so that a photo dated in another era's window goes there as
 * an ingest would send it.  The new ones are stored as stock (pd_catalog.stock_only), which
 * makes no card.  PD_E_INVALID without COMMONS_API_BASE. */
enum pd_result pd_ingest_refill(struct pd_catalog *cat, const char *artist, json_t *eras,
                                size_t target, int per_search, const struct pd_ingest_report *rep,
                                char *err, size_t errlen);

/* The demo catalog (ASSETS_DIR/catalog/demo.json) as `popdeck seed demo` writes it (seed.c):
 * its first limit artists, every one when limit < 0.  Progress counts artists; an artist that
 * cannot be written stops it (the ones before it stay), err naming it. */
enum pd_result pd_seed_demo(struct pd_catalog *cat, long limit, const struct pd_ingest_report *rep,
                            char *err, size_t errlen);

#endif
