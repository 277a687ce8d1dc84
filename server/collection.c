/* collection.c - collection pages and their buttons. */
#include "collection.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardview.h"
#include "db_users.h"
#include "reply.h"
#include "utf8.h"

static const char rarity_codes[] = "crelm"; /* common rare epic legendary mythic */
static const char sort_codes[] = "nra";     /* newest rarity artist */

static void b36(int64_t v, char *out, size_t len)
{
  char tmp[16];
  size_t n = 0;
  uint64_t u = (uint64_t)v;
  do {
    tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[u % 36];
    u /= 36;
  } while (u > 0 && n < sizeof(tmp));
  for (size_t i = 0; i < n && i + 1 < len; i++)
    out[i] = tmp[n - 1 - i];
  out[n < len ? n : len - 1] = '\0';
}

PD_STATIC void button_id(const struct pd_list_view *v, int page, bool back, int64_t k1, int64_t k2,
                         char *out, size_t len)
{
  char viewer[16], owner[16], artist[16], era[16], pg[8], a[16], b[16];
  enum pd_rarity rar;
  char rc = '-';
  if (v->q.rarity != NULL && pd_rarity_parse(v->q.rarity, &rar) == PD_OK)
    rc = rarity_codes[rar];
  b36(strtoll(v->viewer, NULL, 10), viewer, sizeof(viewer));
  b36(v->q.owner, owner, sizeof(owner));
  b36(v->q.artist_id, artist, sizeof(artist));
  b36(v->q.era_id, era, sizeof(era));
  b36(page, pg, sizeof(pg));
  b36(k1, a, sizeof(a));
  b36(k2, b, sizeof(b));
  snprintf(out, len, "mycards:%s:%s:%s:%s:%c:%c:%s:%c:%s:%s", viewer, owner, artist, era, rc,
           sort_codes[v->q.sort], pg, back ? 'p' : 'n', a, b);
}

/* One base-36 field of a button id, as the unsigned 64-bit pattern b36 wrote (so negative
 * keys, the ids of event cards, come back as they went).  False when it does not fit. */
static bool from_b36(const char *s, uint64_t *out)
{
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 36);
  if (errno != 0 || end == s || *end != '\0')
    return false;
  *out = v;
  return true;
}

/* Every number in a custom_id is bounded before it is used: a forged button ("page zik0zj" is
 * INT_MAX) must be refused, never overflow page + 1 or wrap an id. */
PD_STATIC bool parse_button(const char *id, struct pd_list_view *v)
{
  char viewer[16], owner[16], artist[16], era[16], pg[8], a[16], b[16], rc, sc, dir;
  uint64_t nviewer, nowner, nartist, nera, npage, k1, k2;
  int used = 0;
  if (sscanf(id,
             "mycards:%15[0-9a-z]:%15[0-9a-z]:%15[0-9a-z]:%15[0-9a-z]:%c:%c:%7[0-9a-z]:%c:%15[0-9a-"
             "z]:%15[0-9a-z]%n",
             viewer, owner, artist, era, &rc, &sc, pg, &dir, a, b, &used) != 10 ||
      id[used] != '\0')
    return false;
  const char *r = strchr(rarity_codes, rc), *s = strchr(sort_codes, sc);
  if ((rc != '-' && r == NULL) || s == NULL || (dir != 'n' && dir != 'p'))
    return false;
  if (!from_b36(viewer, &nviewer) || !from_b36(owner, &nowner) || !from_b36(artist, &nartist) ||
      !from_b36(era, &nera) || !from_b36(pg, &npage) || !from_b36(a, &k1) || !from_b36(b, &k2))
    return false;
  /* Discord ids and our row ids are positive and below 2^63; pages start at 1. */
  if (nviewer == 0 || nviewer > INT64_MAX || nowner == 0 || nowner > INT64_MAX ||
      nartist > INT64_MAX || nera > INT64_MAX || npage < 1 || npage > PD_LIST_MAX_PAGE)
    return false;
  memset(v, 0, sizeof(*v));
  snprintf(v->viewer, sizeof(v->viewer), "%llu", (unsigned long long)nviewer);
  v->q.owner = (int64_t)nowner;
  v->q.artist_id = (int64_t)nartist;
  v->q.era_id = (int64_t)nera;
  v->q.rarity = rc == '-' ? NULL : pd_rarity_name((enum pd_rarity)(r - rarity_codes));
  v->q.sort = (enum pd_sort)(s - sort_codes);
  v->page = (int)npage;
  v->q.backward = dir == 'p';
  v->q.k1 = (int64_t)k1;
  v->q.k2 = (int64_t)k2;
  /* Page 1 is the start, whichever way it was reached. */
  v->q.has_cursor = v->page > 1;
  if (v->page <= 1)
    v->q.backward = false;
  return true;
}

enum pd_result pd_list_answer(struct pd_ctx *ctx, struct pd_db *db, struct pd_list_view *v,
                              const char *filter_text)
{
  struct pd_list_row rows[PD_LIST_PAGE];
  size_t n = 0;
  bool more = false;
  int64_t copies = 0, distinct = 0;
  char *text = NULL, title[1100], footer[200];
  size_t len = 0;
  enum pd_result rc = pd_db_collection_page(db, &v->q, rows, PD_LIST_PAGE, &n, &more);
  if (rc == PD_OK)
    rc = pd_db_collection_counts(db, v->q.owner, &copies, &distinct);
  if (rc != PD_OK)
    return rc;
  if (n == 0 && v->page == 1) {
    if (copies == 0 && v->own)
      return pd_ctx_user_error(
          ctx,
          "Your collection is empty. Open a pack with /openpack (the first ones each day are free) "
          "or /draw a card.");
    if (copies == 0)
      return pd_ctx_user_error(ctx, "%s has no cards yet.", v->owner_name);
    return pd_ctx_user_error(ctx, "No cards match %s. Try /mycards without filters.", filter_text);
  }
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return PD_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "`%s` **%s — %s** · %s%s%s", rows[i].public_id, rows[i].artist, rows[i].era,
            pd_rarity_label(rows[i].rarity), rows[i].temporary ? " · event card" : "",
            rows[i].retired ? " · retired" : "");
    if (rows[i].copies > 1)
      fprintf(f, " · ×%lld (%s)\n", (long long)rows[i].copies, rows[i].prints);
    else
      fprintf(f, " · %s\n", rows[i].prints);
  }
  if (fclose(f) != 0) {
    free(text);
    return PD_E_NOMEM;
  }
  if (v->own)
    pd_utf8_fmt(title, sizeof(title), "Your collection%s%s", filter_text[0] ? ": " : "",
                filter_text);
  else
    pd_utf8_fmt(title, sizeof(title), "%s's collection%s%s", v->owner_name,
                filter_text[0] ? ": " : "", filter_text);
  pd_utf8_clip(title, sizeof(title), PD_EMBED_TITLE_MAX);
  snprintf(footer, sizeof(footer), "Page %d · %lld cards, %lld different · sorted by %s", v->page,
           (long long)copies, (long long)distinct, pd_sort_name(v->q.sort));
  bool has_prev = v->page > 1, has_next = v->q.backward ? true : more;
  char prev_id[200], next_id[200]; /* at most 100 bytes are ever written: see button_id */
  button_id(v, v->page - 1, true, n > 0 ? rows[0].k1 : 0, n > 0 ? rows[0].k2 : 0, prev_id,
            sizeof(prev_id));
  button_id(v, v->page + 1, false, n > 0 ? rows[n - 1].k1 : 0, n > 0 ? rows[n - 1].k2 : 0, next_id,
            sizeof(next_id));
  json_t *data =
      json_pack("{s:[{s:s, s:s, s:i, s:{s:s}}], s:[{s:i, s:[{s:i, s:i, s:s, s:s, s:b}, {s:i, s:i, "
                "s:s, s:s, s:b}]}]}",
                "embeds", "title", title, "description", text, "color", PD_COLOR_BRAND, "footer",
                "text", footer, "components", "type", 1, "components", "type", 2, "style", 2,
                "label", "Previous", "custom_id", prev_id, "disabled", !has_prev, "type", 2,
                "style", 2, "label", "Next", "custom_id", next_id, "disabled", !has_next);
  free(text);
  return pd_ctx_reply(ctx, data);
}

enum pd_result pd_list_button(struct pd_ctx *ctx)
{
  struct pd_list_view v;
  struct pd_db *db = NULL;
  if (!parse_button(ctx->ix->custom_id, &v))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made. Run /mycards again.");
  if (strcmp(v.viewer, ctx->ix->user.id) != 0)
    return pd_ctx_user_error(
        ctx, "These buttons belong to <@%s>. Run /mycards to page through your own cards.",
        v.viewer);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  struct pd_player viewer;
  rc = pd_db_user_get(db, v.viewer, &viewer);
  if (rc != PD_OK && rc != PD_E_NOTFOUND)
    return rc;
  v.own = rc == PD_OK && viewer.id == v.q.owner;
  snprintf(v.owner_name, sizeof(v.owner_name), "This player");
  if (!v.own) {
    bool private_ = false;
    rc = pd_db_privacy_get(db, v.q.owner, &private_);
    if (rc != PD_OK)
      return rc;
    if (private_)
      return pd_ctx_user_error(ctx, "This collection was made private since you opened it.");
  }
  ctx->update = true;
  return pd_list_answer(ctx, db, &v, "");
}

enum pd_result pd_list_filters(struct pd_ctx *ctx, struct pd_db *db, struct pd_list_view *v,
                               char *filter_text, size_t len)
{
  const char *artist = pd_interaction_option_str(ctx->ix, "artist");
  const char *era = pd_interaction_option_str(ctx->ix, "era");
  const char *rarity = pd_interaction_option_str(ctx->ix, "rarity");
  const char *sort = pd_interaction_option_str(ctx->ix, "sort");
  /* Each part is a name as the catalog spells it (cut on a character boundary when long), and
   * the summary is put together once, cut the same way: no offset arithmetic to wrap. */
  char artist_name[300] = "", era_name[300] = "", shown[400];
  const char *rarity_name = "";
  enum pd_rarity r;
  filter_text[0] = '\0';
  if (artist != NULL) {
    enum pd_result rc =
        pd_db_artist_lookup(db, artist, &v->q.artist_id, artist_name, sizeof(artist_name));
    if (rc != PD_OK)
      return rc;
    if (v->q.artist_id == 0)
      return pd_ctx_user_error(
          ctx, "No artist called \"%s\" in PopDeck. Pick one from the suggestions as you type.",
          pd_utf8_short(shown, sizeof(shown), artist, 80));
  }
  if (era != NULL) {
    enum pd_result rc =
        pd_db_era_lookup(db, era, v->q.artist_id, &v->q.era_id, era_name, sizeof(era_name));
    if (rc != PD_OK)
      return rc;
    if (v->q.era_id == 0)
      return pd_ctx_user_error(
          ctx, "No era called \"%s\"%s. Pick one from the suggestions as you type.",
          pd_utf8_short(shown, sizeof(shown), era, 80), artist != NULL ? " for that artist" : "");
  }
  /* rarity and sort are among the table's choices: the dispatcher checked them. */
  if (rarity != NULL) {
    if (pd_rarity_parse(rarity, &r) != PD_OK)
      return PD_E_INVALID;
    v->q.rarity = pd_rarity_name(r);
    rarity_name = pd_rarity_label(v->q.rarity);
  }
  if (sort != NULL && pd_sort_parse(sort, &v->q.sort) != PD_OK)
    return PD_E_INVALID;
  pd_utf8_fmt(filter_text, len, "%s%s%s%s%s", artist_name,
              artist_name[0] && era_name[0] ? ", " : "", era_name,
              (artist_name[0] || era_name[0]) && rarity_name[0] ? ", " : "", rarity_name);
  return PD_OK;
}

enum pd_result pd_list_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix), *choices = NULL;
  const char *name = json_string_value(json_object_get(focused, "name"));
  const char *typed = json_string_value(json_object_get(focused, "value"));
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  if (name != NULL && strcmp(name, "artist") == 0)
    rc = pd_db_suggest_artists(db, typed, &choices);
  else if (name != NULL && strcmp(name, "era") == 0)
    rc = pd_db_suggest_eras(db, typed, &choices);
  else
    choices = json_array();
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
