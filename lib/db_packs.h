/* db_packs.h - drawing cards from the catalog, opened packs and their exactly-once pick,
 * minted copies with their print numbers, and free daily allotments. */
#ifndef PD_DB_PACKS_H
#define PD_DB_PACKS_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"
#include "rarity.h"

/* How many cards a player in guild (NULL in DMs) may draw of each rarity. */
enum pd_result pd_db_rarity_counts(struct pd_db *db, const char *guild,
                                   int64_t counts[PD_RARITY_COUNT]);
/* The card at position index (0-based, id order) among the drawable ones of a rarity in guild
 * (NULL in DMs): every permanent card (id > 0), and the temporary cards of events running now
 * (id < 0) that are global or guild's own. */
enum pd_result pd_db_template_at(struct pd_db *db, const char *guild, enum pd_rarity r,
                                 int64_t index, int64_t *template_id);

/* Uses one of today's (UTC) free allotments of what ("pack:standard-3", "draw"): *free says
 * whether one was left (of per_day) and is now used. */
enum pd_result pd_db_free_use(struct pd_db *db, int64_t user_id, const char *what, int per_day,
                              bool *free);

struct pd_card_info {
  int64_t template_id;
  char public_id[16];
  char artist[256]; /* names cut on a character boundary, with "…" (utf8.h) */
  char era[256];
  char rarity[16];
  char image_url[512];
  int64_t copies;     /* copies_created */
  bool temporary;     /* an event's card (template_id < 0) */
  int64_t expires_at; /* Unix s, for a temporary card; 0 otherwise */
  bool retired;       /* its artist was retired by the monthly prune: no longer drawn */
  /* Who took the card's photo and under which licence, when it is a freely licensed photo
   * (Wikimedia Commons): CC BY and CC BY-SA require the credit wherever the picture is shown.
   * licence[0] == '\0' when there is nothing to credit (covers, generated art). */
  struct pd_photo_credit {
    char author[256]; /* plain text; "" when the file names none */
    char licence[64]; /* LicenseShortName: "CC BY-SA 4.0", "Public domain" */
    char page[512];   /* the file's page at the source */
    bool required;    /* the licence requires attribution */
  } credit;
};
/* The cards for ids, in the order of ids, with their photo credits.  PD_E_NOTFOUND when one is
 * missing. */
enum pd_result pd_db_cards_info(struct pd_db *db, const int64_t *ids, size_t n,
                                struct pd_card_info *out);

/* Records an opened pack; expires after expiry_s.  currency NULL when free. */
enum pd_result pd_db_pack_insert(struct pd_db *db, int64_t user_id, const char *pack,
                                 const int64_t *template_ids, const char *const *rarities, size_t n,
                                 const char *currency, int64_t amount, int64_t expiry_s,
                                 int64_t *pack_id);

struct pd_pack_row {
  int64_t id;
  char opener[24]; /* the opener's Discord id */
  int64_t user_id;
  char pack[32];
  bool picked;
  int picked_index;
  bool expired;
  int64_t template_ids[8];
  size_t n;
};
/* Locks the pack row for the pick.  PD_E_NOTFOUND when there is no such pack. */
enum pd_result pd_db_pack_lock(struct pd_db *db, int64_t pack_id, struct pd_pack_row *out);
enum pd_result pd_db_pack_pick(struct pd_db *db, int64_t pack_id, int index, int64_t user_card_id);

/* A new copy of a card for a player: copies_created goes up by one and the copy gets that
 * number as its print number.  A negative template_id is an event's temporary card (minus its
 * temp_card_templates id, as drawn): the copy is temporary and expires with the card. */
enum pd_result pd_db_card_mint(struct pd_db *db, int64_t user_id, int64_t template_id,
                               const char *source, int64_t *user_card_id, int64_t *print_no);

/* The credit columns of a card query (all_cards t): author, licence, page, required. */
#define PD_CARD_CREDIT_COLS                                                                        \
  "ci.license->>'artist', ci.license->>'short_name', ci.license->>'page',"                         \
  " coalesce((ci.license->>'attribution_required')::boolean, false)"
#define PD_CARD_CREDIT_JOIN                                                                        \
  "LEFT JOIN card_templates ct ON ct.id = t.id LEFT JOIN era_images ci ON ci.id = "                \
  "ct.source_image_id"                                                                             \
  " AND ci.license->>'source' = 'Wikimedia Commons'"
/* Reads those four columns, starting at col, into out. */
void pd_db_credit_from(const PGresult *r, int row, int col, struct pd_photo_credit *out);

/* Marks up to limit open packs past their time 'expired' (FOR UPDATE SKIP LOCKED, so a pick
 * racing it either wins or finds the pack expired); *n gets how many. */
enum pd_result pd_db_packs_expire(struct pd_db *db, int limit, int64_t *n);

/* The events running now that players in guild see (the global ones, and guild's own; NULL in
 * DMs: the global ones only), as [{"name", "boosts": {rarity: multiplier}}] (caller owns). */
enum pd_result pd_db_active_events(struct pd_db *db, const char *guild, json_t **events);

#endif
