/* db_catalog.h - artists, eras, era images and card templates. */
#ifndef PD_DB_CATALOG_H
#define PD_DB_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"

/* Each returns the row id in *id and whether this call created it in *created. */
enum pd_result pd_db_artist_upsert(struct pd_db *db, const char *name, bool is_group, int64_t *id,
                                   bool *created);
/* Records the MusicBrainz id once (an existing one is kept). */
enum pd_result pd_db_artist_set_mbid(struct pd_db *db, int64_t artist_id, const char *mbid);
/* Records the Spotify id once. */
enum pd_result pd_db_artist_set_spotify(struct pd_db *db, int64_t artist_id,
                                        const char *spotify_id);
/* Merges the keys of metadata (borrowed) into artists.metadata. */
enum pd_result pd_db_artist_merge_metadata(struct pd_db *db, int64_t artist_id, json_t *metadata);
/* role NULL is "member". */
enum pd_result pd_db_member_link(struct pd_db *db, int64_t group_id, int64_t member_id,
                                 const char *role);
/* keywords is a NULL-terminated list; dates are YYYY-MM-DD or NULL. */
enum pd_result pd_db_era_upsert(struct pd_db *db, int64_t artist_id, const char *name,
                                const char *start, const char *end, const char *const *keywords,
                                int64_t *id, bool *created);
struct pd_db_image {
  int64_t era_id;
  const char *source_url;
  const char *kind; /* era_images.kind */
  int width, height;
  const char *phash;       /* 16 hex digits */
  json_t *license;         /* borrowed; NULL for none */
  const char *storage_url; /* where the source art is kept, or NULL */
  double confidence;       /* < 0 for none */
  const char *era_match;   /* pd_era_match_name, or NULL */
  const char *keyword;     /* the search that found it, or NULL */
};
enum pd_result pd_db_image_upsert(struct pd_db *db, const struct pd_db_image *im, int64_t *id,
                                  bool *created);
/* Whether an image from source_url is already stored, or was refused before. */
enum pd_result pd_db_image_known(struct pd_db *db, const char *source_url, bool *known);
/* The id of a stored image whose pHash is within max_distance bits of phash, or 0. */
enum pd_result pd_db_image_near_dup(struct pd_db *db, const char *phash, int max_distance,
                                    int64_t *dup_id);
/* Records why a candidate image was refused. */
enum pd_result pd_db_image_reject(struct pd_db *db, int64_t era_id, const char *source_url,
                                  const char *reason);
/* Whether the artist of this exact name was removed by an admin (purge_artist, sql/016). */
enum pd_result pd_db_artist_removed(struct pd_db *db, const char *name, bool *removed);
/* How many card templates an era has (removed ones too: an era whose cards an admin removed
 * does not get generated ones in their place). */
enum pd_result pd_db_era_template_count(struct pd_db *db, int64_t era_id, int64_t *n);
/* The public id of the template made from (image, rarity), or PD_E_NOTFOUND. */
enum pd_result pd_db_template_find(struct pd_db *db, int64_t image_id, const char *rarity,
                                   char public_id[16]);
enum pd_result pd_db_publicid_taken(struct pd_db *db, const char *public_id, bool *taken);
enum pd_result pd_db_template_insert(struct pd_db *db, const char *public_id, int64_t artist_id,
                                     int64_t era_id, const char *rarity, const char *image_url,
                                     int64_t image_id);

struct pd_db_template_ref {
  int64_t id;
  char public_id[16];
  char rarity[16];
  int image_rev;
};
/* Up to max of the era's cards still drawn from generated art, locked for update. */
enum pd_result pd_db_era_generated_templates(struct pd_db *db, int64_t era_id,
                                             struct pd_db_template_ref *out, size_t max, size_t *n);
/* Points a card at another image and its newly rendered file. */
enum pd_result pd_db_template_repoint(struct pd_db *db, int64_t template_id, int64_t image_id,
                                      const char *image_url, int image_rev);

struct pd_template_view {
  char public_id[16];
  char artist[256];
  char era[256];
  char rarity[16];
  char kind[16];
  char art[128]; /* stored source art ("art/<phash>.png"), "" for generated art */
  int image_rev;
};
enum pd_result pd_db_template_view(struct pd_db *db, const char *public_id,
                                   struct pd_template_view *out);

#endif
