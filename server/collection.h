/* collection.h - the collection listing /mycards and /inventory share: ten cards a page with
 * Previous/Next buttons only the player who asked can use, paged by keyset.  The buttons
 * carry the whole view in their custom_id (base-36 numbers):
 *   mycards:<viewer>:<owner>:<artist>:<era>:<rarity>:<sort>:<page>:<dir>:<k1>:<k2>
 * so any instance can answer them. */
#ifndef PD_COLLECTION_H
#define PD_COLLECTION_H

#include "commands.h"
#include "db_collection.h"

#define PD_LIST_PAGE 10
/* The last page a button may ask for: ten million distinct cards. */
#define PD_LIST_MAX_PAGE 1000000

struct pd_list_view {
  char viewer[24]; /* Discord id of the player who asked */
  char owner_name[128];
  bool own; /* viewer's own collection */
  struct pd_list_query q;
  int page; /* 1-based */
};

/* The listing message for view (filters named in filter_text, "" for none). */
enum pd_result pd_list_answer(struct pd_ctx *ctx, struct pd_db *db, struct pd_list_view *v,
                              const char *filter_text);
/* A Previous/Next press ("mycards:..."): checks the presser, answers with the page (type 7). */
enum pd_result pd_list_button(struct pd_ctx *ctx);
/* Autocomplete of the artist and era options. */
enum pd_result pd_list_autocomplete(struct pd_ctx *ctx);
#ifdef PD_UNITTEST
/* The custom_id of the button to page (back: the page before keys k1, k2). */
void button_id(const struct pd_list_view *v, int page, bool back, int64_t k1, int64_t k2, char *out,
               size_t len);
/* A button's custom_id into v; false for anything button_id would not have written. */
bool parse_button(const char *id, struct pd_list_view *v);
#endif
/* Reads the artist, era and rarity options into v->q; a name that matches nothing answers
 * the player (PD_E_USER).  filter_text gets a readable summary. */
enum pd_result pd_list_filters(struct pd_ctx *ctx, struct pd_db *db, struct pd_list_view *v,
                               char *filter_text, size_t len);

#endif
