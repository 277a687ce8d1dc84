/* db_market.h - market listings: putting a copy up for sale, locking a listing to buy or take
 * it back, the /market pages by keyset (two index ranges merged: the global listings and this
 * server's, sql/012), suggestions for /buy and /unlist, the expiry sweep, and a card's sale
 * history for /viewcard.  Money and copies move through db_ledger.h and db_copies.h. */
#ifndef PD_DB_MARKET_H
#define PD_DB_MARKET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "copyref.h"
#include "db.h"
#include "db_copies.h"

struct pd_listing {
  int64_t id;
  int64_t copy_id; /* user_cards.id */
  int64_t seller_id;
  int64_t buyer_id; /* 0 until sold */
  int64_t card_id;
  int64_t price;
  int64_t print_no;
  char seller_discord[24];
  char currency[8]; /* notes, discs, gems */
  char scope[8];    /* server, global */
  char guild_id[24];
  char status[12];    /* active, sold, unlisted, expired, cancelled */
  int64_t expires_at; /* Unix s */
  bool expired;       /* past expires_at (the sweep may not have closed it yet) */
  bool copy_expired;  /* a temporary copy past its own expiry (event_end cancels the listing) */
  char public_id[32];
  char artist[128]; /* cut on a character boundary */
  char era[128];
  char rarity[16];
  int64_t rarity_order; /* 0 mythic ... 4 common */
  char ref[PD_COPYREF_SIZE];
};

/* Lists the seller's copy c (already moved to 'listed') at price in currency, scope "server"
 * (guild is where) or "global", for days.  *id and *expires_at (Unix s) get the listing. */
enum pd_result pd_db_listing_insert(struct pd_db *db, const struct pd_copy *c, int64_t price,
                                    const char *currency, const char *scope, const char *guild,
                                    int64_t days, int64_t *id, int64_t *expires_at);
/* The listing, locked FOR UPDATE until the transaction ends.  PD_E_NOTFOUND when none. */
enum pd_result pd_db_listing_lock(struct pd_db *db, int64_t id, struct pd_listing *out);
/* Closes an active listing as status ("sold" with buyer and op, "unlisted" or "cancelled"
 * with 0s).  PD_E_CONFLICT when it is no longer active.  Close it before its copy leaves
 * 'listed': the database holds the copy there while the listing is active. */
enum pd_result pd_db_listing_close(struct pd_db *db, int64_t id, const char *status,
                                   int64_t buyer_id, int64_t op_id);

enum pd_market_sort { PD_MSORT_CHEAPEST = 0, PD_MSORT_NEWEST, PD_MSORT_RARITY, PD_MSORT_COUNT };
/* "cheapest", "newest", "rarity"; parse gives PD_E_INVALID for anything else. */
const char *pd_market_sort_name(enum pd_market_sort s);
enum pd_result pd_market_sort_parse(const char *s, enum pd_market_sort *out);

struct pd_market_query {
  const char *guild;    /* where the page is shown; NULL in DMs (global listings only) */
  int64_t artist_id;    /* 0: any */
  const char *rarity;   /* NULL: any */
  const char *currency; /* NULL: any */
  const char *scope;    /* NULL: both; "server": this server's only; "global": global only */
  enum pd_market_sort sort;
  bool backward; /* the page before the cursor */
  bool has_cursor;
  int64_t k[3]; /* the cursor: a row's sort key (pd_market_key) */
};
/* A row's sort key for q's sort. */
void pd_market_key(enum pd_market_sort s, const struct pd_listing *l, int64_t k[3]);
/* Up to max active, unexpired listings visible per q, in display order; *more says whether
 * rows follow in the direction asked. */
enum pd_result pd_db_market_page(struct pd_db *db, const struct pd_market_query *q,
                                 struct pd_listing *rows, size_t max, size_t *n, bool *more);

/* Autocomplete: up to 25 {"name", "value"} choices, cheapest first.  seller 0: the listings
 * visible in guild (NULL in DMs) among the cheapest few hundred, matching typed (listing id,
 * copy, artist or era); seller > 0: that player's own active listings, wherever they are. */
enum pd_result pd_db_market_suggest(struct pd_db *db, const char *guild, int64_t seller,
                                    const char *typed, json_t **choices);

/* The sweep: closes up to limit active listings past their expiry as 'expired' (rows another
 * transaction holds are skipped) and returns their copies to 'free'.  *n gets how many. */
enum pd_result pd_db_market_expire(struct pd_db *db, int limit, int64_t *n);

struct pd_sale {
  int64_t price;
  char currency[8];
  int64_t at; /* Unix s */
};
/* A card's last (up to 5) sales, newest first, and its cheapest listing visible in guild
 * (*has_cheapest false when none). */
enum pd_result pd_db_market_card(struct pd_db *db, int64_t card_id, const char *guild,
                                 struct pd_sale sales[5], size_t *nsales,
                                 struct pd_listing *cheapest, bool *has_cheapest);

#endif
