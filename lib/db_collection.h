/* db_collection.h - a player's collection, one template a row with its copies and print
 * numbers, paged by keyset (the sort key of the row a page starts after, never OFFSET): a
 * page costs the same whatever the size of user_cards.  Also lookups for the filters and
 * autocomplete, and the privacy switch. */
#ifndef PD_DB_COLLECTION_H
#define PD_DB_COLLECTION_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"
#include "db_packs.h"

enum pd_sort { PD_SORT_NEWEST = 0, PD_SORT_RARITY, PD_SORT_ARTIST, PD_SORT_COUNT };
/* "newest", "rarity", "artist"; parse gives PD_E_INVALID for anything else. */
const char *pd_sort_name(enum pd_sort s);
enum pd_result pd_sort_parse(const char *s, enum pd_sort *out);

struct pd_list_query {
  int64_t owner;      /* users.id */
  int64_t artist_id;  /* 0: any */
  int64_t era_id;     /* 0: any */
  const char *rarity; /* NULL or "": any */
  enum pd_sort sort;
  bool backward; /* the page before the cursor */
  bool has_cursor;
  int64_t k1, k2; /* the cursor: a row's sort key */
};

struct pd_list_row {
  char public_id[16];
  char artist[128]; /* names cut on a character boundary, with "…" (utf8.h) */
  char era[128];
  char rarity[16];
  int64_t copies;
  char prints[96]; /* "#3, #7" (cut with "…" when long) */
  bool temporary;  /* an event card, until it expires */
  bool retired;    /* its artist was retired by the monthly prune */
  int64_t k1, k2;  /* this row's sort key */
};

/* Up to max rows of the page in display order; *more says whether rows follow in the
 * direction asked. */
enum pd_result pd_db_collection_page(struct pd_db *db, const struct pd_list_query *q,
                                     struct pd_list_row *rows, size_t max, size_t *n, bool *more);
/* Owned copies and distinct cards. */
enum pd_result pd_db_collection_counts(struct pd_db *db, int64_t owner, int64_t *copies,
                                       int64_t *distinct);

/* An artist by exact name (case-insensitive), else the only one starting with it; 0 if none. */
enum pd_result pd_db_artist_lookup(struct pd_db *db, const char *name, int64_t *artist_id,
                                   char *canon, size_t len);
/* An era: "e:<id>" from autocomplete, or a name (within artist_id when not 0); 0 if none. */
enum pd_result pd_db_era_lookup(struct pd_db *db, const char *value, int64_t artist_id,
                                int64_t *era_id, char *canon, size_t len);

enum pd_result pd_db_privacy_set(struct pd_db *db, int64_t user_id, bool private_);
enum pd_result pd_db_privacy_get(struct pd_db *db, int64_t user_id, bool *private_);

/* Autocomplete: up to 25 choices {"name", "value"} matching typed (prefix or inside the
 * words, case-insensitive), most relevant first. */
enum pd_result pd_db_suggest_artists(struct pd_db *db, const char *typed, json_t **choices);
enum pd_result pd_db_suggest_eras(struct pd_db *db, const char *typed, json_t **choices);
enum pd_result pd_db_suggest_cards(struct pd_db *db, const char *typed, json_t **choices);

struct pd_card_view {
  struct pd_card_info card;
  int64_t owners; /* players holding a copy */
  char mine[200]; /* the viewer's print numbers, "#3, #7", or "" */
  char era_start[16];
};
/* One card by public id, with the viewer's (users.id) copies.  PD_E_NOTFOUND if none. */
enum pd_result pd_db_card_view(struct pd_db *db, const char *public_id, int64_t viewer,
                               struct pd_card_view *out);

/* Running cooldowns {command: until (Unix s)} and today's used free allotments {what: n}. */
enum pd_result pd_db_cooldowns(struct pd_db *db, int64_t user_id, json_t **until,
                               json_t **free_used);

#endif
