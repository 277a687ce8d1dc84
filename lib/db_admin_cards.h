/* db_admin_cards.h - statements of the admin's card operations (admin_cards.c): a card's rarity
 * and its owners told in one statement, and the soft removal of cards (sql/016) with what it
 * takes from players: listings cancelled, copies gone, owners counted for their refunds.
 *
 * A set of cards is given as a bigint[] literal of all_cards ids ("{12,-3}": permanent cards by
 * id, temporary ones as minus their id), made by pd_db_card_ids. */
#ifndef PD_DB_ADMIN_CARDS_H
#define PD_DB_ADMIN_CARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct pd_admin_card {
  int64_t id; /* all_cards.id: negative for a temporary card */
  char public_id[32];
  char rarity[16];
  char artist[128]; /* cut on a character boundary */
  char era[128];
  int64_t artist_id;
  bool temporary;
};

/* The card (permanent first, else temporary) of public_id that is not removed, its template row
 * locked FOR UPDATE.  PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_admin_card_lock(struct pd_db *db, const char *public_id,
                                     struct pd_admin_card *out);

/* Sets the card's rarity (a permanent card keeps the one it was made as in made_as), and the
 * rarity of its active listings (market_listings copies it for /market's sort and filter).
 * *listings gets how many listings changed. */
enum pd_result pd_db_admin_card_set_rarity(struct pd_db *db, int64_t card_id, const char *rarity,
                                           int64_t *listings);

/* Queues one direct message of text to every player holding a copy of the card (any state but
 * 'gone', not expired), in one statement; *n gets how many. */
enum pd_result pd_db_admin_card_dm_owners(struct pd_db *db, int64_t card_id,
                                          const char *application_id, const char *text,
                                          const char *ref, int64_t *n);

/* The artist, locked FOR UPDATE: its name and whether it was removed.  PD_E_NOTFOUND when no
 * artist has that id. */
enum pd_result pd_db_admin_artist_lock(struct pd_db *db, int64_t artist_id, char name[128],
                                       bool *removed);
/* The artist's cards that are not removed, permanent and temporary (their rows locked FOR
 * UPDATE), as all_cards ids into *ids (caller frees), *n how many. */
enum pd_result pd_db_admin_artist_cards(struct pd_db *db, int64_t artist_id, int64_t **ids,
                                        size_t *n);

/* "{1,2,-3}" for ids[0..n): a malloc'd string, NULL when out of memory. */
char *pd_db_card_ids(const int64_t *ids, size_t n);

/* One owner's copies of a set of cards, by rarity. */
struct pd_removal_owner {
  int64_t user_id;
  char discord_id[24];
  int64_t copies;          /* every copy not gone (expired temporary ones too) */
  int64_t refundable[5];   /* of those, the ones a player still has, by pd_rarity */
  int64_t listed, trading; /* copies in escrow now */
};
/* The owners of copies of the cards, in users.id order (caller frees *owners). */
enum pd_result pd_db_removal_owners(struct pd_db *db, const char *ids,
                                    struct pd_removal_owner **owners, size_t *n);
/* How many active listings and open trades hold copies of the cards. */
enum pd_result pd_db_removal_escrow(struct pd_db *db, const char *ids, int64_t *listings,
                                    int64_t *trades);
/* Cancels every active listing of the cards, and only then frees their copies; *n gets how
 * many. */
enum pd_result pd_db_removal_cancel_listings(struct pd_db *db, const char *ids, int64_t *n);
/* The open trades offering a copy of the cards, in id order (up to cap into trade_ids, and into
 * card_public_ids[i] the public id of one such card); *n how many there are. */
enum pd_result pd_db_removal_trades(struct pd_db *db, const char *ids, int64_t *trade_ids,
                                    char (*card_public_ids)[32], size_t cap, size_t *n);
/* Every free or locked copy of the cards goes: owners is [{"u": users.id, "op": operation or
 * null}], each owner's moves (to nobody) under their operation (a new one for null).  *n gets
 * how many copies went. */
enum pd_result pd_db_removal_gone(struct pd_db *db, const char *ids, json_t *owners, int64_t *n);
/* How many copies of the cards are not gone (0 once a removal is complete). */
enum pd_result pd_db_removal_left(struct pd_db *db, const char *ids, int64_t *n);
/* Marks the cards removed (removed_at now). */
enum pd_result pd_db_removal_mark(struct pd_db *db, const char *ids);
/* Marks the artist, its eras and their images removed. */
enum pd_result pd_db_removal_mark_artist(struct pd_db *db, int64_t artist_id);

#endif
