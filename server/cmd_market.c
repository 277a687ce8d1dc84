/* cmd_market.c - /market [artist] [rarity] [currency] [scope] [sort]: the listings visible
 * here (this server's and the global ones; in a DM the global ones), ten a page, cheapest
 * first unless asked otherwise, with a Buy menu (buy:page, see cmd_buy.c) and Previous/Next
 * buttons only the player who asked may use.  Pages are keyset pages, as /mycards' are; the
 * buttons carry the whole view in their custom_id (base-36 numbers):
 *   market:<viewer>:<artist>:<rarity>:<currency>:<scope>:<sort>:<page>:<dir>:<k1>:<k2>:<k3>
 * so any instance can answer them, and the guild is the one the button is pressed in. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "db_collection.h"
#include "market.h"
#include "rarity.h"
#include "reply.h"
#include "utf8.h"

#define MARKET_PAGE 10
#define MARKET_MAX_PAGE 1000000

static const char rarity_codes[] = "crelm"; /* common rare epic legendary mythic */
static const char currency_codes[] = "ndg"; /* notes discs gems */
static const char *const currency_names[] = {"notes", "discs", "gems"};
static const char scope_codes[] = "sg"; /* server global */
static const char *const scope_names[] = {"server", "global"};
static const char sort_codes[] = "cnr"; /* cheapest newest rarity */

struct market_view {
  char viewer[24];
  struct pd_market_query q;
  int page;
};

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

static bool from_b36(const char *s, int64_t *out)
{
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 36);
  if (errno != 0 || end == s || *end != '\0' || v > INT64_MAX)
    return false;
  *out = (int64_t)v;
  return true;
}

/* The code of name among names (n of them), '-' for NULL. */
static char code_of(const char *name, const char *const *names, const char *codes, size_t n)
{
  for (size_t i = 0; name != NULL && i < n; i++)
    if (strcmp(name, names[i]) == 0)
      return codes[i];
  return '-';
}

/* At most 91 bytes: every number is at most 13 base-36 digits. */
static void button_id(const struct market_view *v, int page, bool back, const int64_t k[3],
                      char *out, size_t len)
{
  char viewer[16], artist[16], pg[16], a[16], b[16], c[16];
  enum pd_rarity r;
  char rc = '-';
  if (v->q.rarity != NULL && pd_rarity_parse(v->q.rarity, &r) == PD_OK)
    rc = rarity_codes[r];
  b36(strtoll(v->viewer, NULL, 10), viewer, sizeof(viewer));
  b36(v->q.artist_id, artist, sizeof(artist));
  b36(page, pg, sizeof(pg));
  b36(k[0], a, sizeof(a));
  b36(k[1], b, sizeof(b));
  b36(k[2], c, sizeof(c));
  snprintf(out, len, "market:%s:%s:%c:%c:%c:%c:%s:%c:%s:%s:%s", viewer, artist, rc,
           code_of(v->q.currency, currency_names, currency_codes, 3),
           code_of(v->q.scope, scope_names, scope_codes, 2), sort_codes[v->q.sort], pg,
           back ? 'p' : 'n', a, b, c);
}

/* Every number is bounded before use: a forged button must be refused, never wrap. */
static bool parse_button(const char *id, struct market_view *v)
{
  char viewer[16], artist[16], pg[16], a[16], b[16], c[16], rc, cc, scc, sc, dir;
  int64_t nviewer, nartist, npage, k[3];
  int used = 0;
  if (sscanf(id,
             "market:%15[0-9a-z]:%15[0-9a-z]:%c:%c:%c:%c:%15[0-9a-z]:%c:%15[0-9a-z]:%15[0-9a-z]:"
             "%15[0-9a-z]%n",
             viewer, artist, &rc, &cc, &scc, &sc, pg, &dir, a, b, c, &used) != 11 ||
      id[used] != '\0')
    return false;
  const char *r = strchr(rarity_codes, rc), *cu = strchr(currency_codes, cc),
             *s = strchr(scope_codes, scc), *so = strchr(sort_codes, sc);
  if ((rc != '-' && r == NULL) || (cc != '-' && cu == NULL) || (scc != '-' && s == NULL) ||
      so == NULL || rc == '\0' || cc == '\0' || scc == '\0' || sc == '\0' ||
      (dir != 'n' && dir != 'p'))
    return false;
  if (!from_b36(viewer, &nviewer) || !from_b36(artist, &nartist) || !from_b36(pg, &npage) ||
      !from_b36(a, &k[0]) || !from_b36(b, &k[1]) || !from_b36(c, &k[2]))
    return false;
  if (nviewer == 0 || npage < 1 || npage > MARKET_MAX_PAGE)
    return false;
  memset(v, 0, sizeof(*v));
  snprintf(v->viewer, sizeof(v->viewer), "%lld", (long long)nviewer);
  v->q.artist_id = nartist;
  v->q.rarity = rc == '-' ? NULL : pd_rarity_name((enum pd_rarity)(r - rarity_codes));
  v->q.currency = cc == '-' ? NULL : currency_names[cu - currency_codes];
  v->q.scope = scc == '-' ? NULL : scope_names[s - scope_codes];
  v->q.sort = (enum pd_market_sort)(so - sort_codes);
  v->page = (int)npage;
  v->q.backward = dir == 'p' && v->page > 1;
  v->q.has_cursor = v->page > 1;
  memcpy(v->q.k, k, sizeof(k));
  return true;
}

static enum pd_result answer_page(struct pd_ctx *ctx, struct pd_db *db, struct market_view *v,
                                  const char *filter_text)
{
  struct pd_listing rows[MARKET_PAGE];
  size_t n = 0;
  bool more = false;
  char *text = NULL, title[400], footer[200], artist[60], era[60];
  size_t len = 0;
  v->q.guild = ctx->ix->guild_id;
  enum pd_result rc = pd_db_market_page(db, &v->q, rows, MARKET_PAGE, &n, &more);
  if (rc != PD_OK)
    return rc;
  if (n == 0 && v->page == 1)
    return pd_ctx_user_error(ctx,
                             "Nothing %s is for sale %s right now. List one of your copies with "
                             "/sell.",
                             filter_text[0] ? "like that" : "",
                             ctx->ix->guild_id != NULL ? "here" : "on the global market");
  json_t *options = json_array();
  FILE *f = open_memstream(&text, &len);
  if (f == NULL || options == NULL) {
    json_decref(options);
    if (f != NULL)
      fclose(f);
    free(text);
    return PD_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    const struct pd_listing *l = &rows[i];
    char price[48], label[100], desc[100], value[24];
    pd_market_price(l->price, l->currency, price, sizeof(price));
    pd_utf8_short(artist, sizeof(artist), l->artist, 40);
    pd_utf8_short(era, sizeof(era), l->era, 40);
    fprintf(f, "`#%lld` **%s** %s — %s · %s · print #%lld · by <@%s> · **%s** · ends <t:%lld:R>\n",
            (long long)l->id, l->ref, artist, era, pd_rarity_label(l->rarity),
            (long long)l->print_no, l->seller_discord, price, (long long)l->expires_at);
    pd_utf8_fmt(label, sizeof(label), "#%lld · %s · %s", (long long)l->id, l->ref, price);
    pd_utf8_fmt(desc, sizeof(desc), "%s — %s · %s", artist, era, pd_rarity_label(l->rarity));
    snprintf(value, sizeof(value), "%lld", (long long)l->id);
    json_array_append_new(
        options, json_pack("{s:s, s:s, s:s}", "label", label, "value", value, "description", desc));
  }
  if (fclose(f) != 0) {
    free(text);
    json_decref(options);
    return PD_E_NOMEM;
  }
  pd_utf8_fmt(title, sizeof(title), "Market%s%s%s",
              ctx->ix->guild_id != NULL ? " — this server and global" : " — global",
              filter_text[0] ? ": " : "", filter_text);
  pd_utf8_clip(title, sizeof(title), PD_EMBED_TITLE_MAX);
  snprintf(footer, sizeof(footer), "Page %d · sorted by %s · pick one in the menu to buy it",
           v->page, pd_market_sort_name(v->q.sort));
  bool has_prev = v->page > 1, has_next = v->q.backward ? true : more;
  int64_t first[3] = {0, 0, 0}, last[3] = {0, 0, 0};
  if (n > 0) {
    pd_market_key(v->q.sort, &rows[0], first);
    pd_market_key(v->q.sort, &rows[n - 1], last);
  }
  char prev_id[128], next_id[128];
  button_id(v, v->page - 1, true, first, prev_id, sizeof(prev_id));
  button_id(v, v->page + 1, false, last, next_id, sizeof(next_id));
  /* A later page can come out empty (its listings sold meanwhile): no menu then, since a
   * select needs at least one option. */
  json_t *rows_j = json_array();
  if (n > 0)
    json_array_append_new(rows_j, json_pack("{s:i, s:[{s:i, s:s, s:s, s:O}]}", "type", 1,
                                            "components", "type", 3, "custom_id", "buy:page",
                                            "placeholder", "Buy one of these", "options", options));
  json_decref(options);
  json_array_append_new(
      rows_j, json_pack("{s:i, s:[{s:i, s:i, s:s, s:s, s:b}, {s:i, s:i, s:s, s:s, s:b}]}", "type",
                        1, "components", "type", 2, "style", 2, "label", "Previous", "custom_id",
                        prev_id, "disabled", !has_prev, "type", 2, "style", 2, "label", "Next",
                        "custom_id", next_id, "disabled", !has_next));
  json_t *data = json_pack("{s:[{s:s, s:s, s:i, s:{s:s}}], s:o}", "embeds", "title", title,
                           "description", n > 0 ? text : "Nothing more here: these sold meanwhile.",
                           "color", PD_COLOR_BRAND, "footer", "text", footer, "components", rows_j);
  free(text);
  return pd_ctx_reply(ctx, data);
}

enum pd_result cmd_market(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct market_view v;
  char artist_name[300] = "", shown[120], filter_text[400];
  memset(&v, 0, sizeof(v));
  snprintf(v.viewer, sizeof(v.viewer), "%s", ctx->ix->user.id);
  v.page = 1;
  const char *artist = pd_interaction_option_str(ctx->ix, "artist");
  const char *rarity = pd_interaction_option_str(ctx->ix, "rarity");
  const char *sort = pd_interaction_option_str(ctx->ix, "sort");
  enum pd_rarity r;
  /* rarity, currency, scope and sort are among the table's choices: the dispatcher checked. */
  v.q.currency = pd_interaction_option_str(ctx->ix, "currency");
  v.q.scope = pd_interaction_option_str(ctx->ix, "scope");
  if (rarity != NULL) {
    if (pd_rarity_parse(rarity, &r) != PD_OK)
      return PD_E_INVALID;
    v.q.rarity = pd_rarity_name(r);
  }
  if (sort != NULL && pd_market_sort_parse(sort, &v.q.sort) != PD_OK)
    return PD_E_INVALID;
  if (v.q.scope != NULL && strcmp(v.q.scope, "server") == 0 && ctx->ix->guild_id == NULL)
    return pd_ctx_user_error(ctx, "A direct message has no server listings: only global ones. Run "
                                  "/market without scope, or in a server.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  if (artist != NULL) {
    rc = pd_db_artist_lookup(db, artist, &v.q.artist_id, artist_name, sizeof(artist_name));
    if (rc != PD_OK)
      return rc;
    if (v.q.artist_id == 0)
      return pd_ctx_user_error(
          ctx, "No artist called \"%s\" in PopDeck. Pick one from the suggestions as you type.",
          pd_utf8_short(shown, sizeof(shown), artist, 80));
  }
  pd_utf8_fmt(filter_text, sizeof(filter_text), "%s%s%s%s%s%s%s", artist_name,
              artist_name[0] && v.q.rarity ? ", " : "",
              v.q.rarity != NULL ? pd_rarity_label(v.q.rarity) : "",
              (artist_name[0] || v.q.rarity) && v.q.currency ? ", " : "",
              v.q.currency != NULL ? pd_market_currency_label(v.q.currency) : "",
              (artist_name[0] || v.q.rarity || v.q.currency) && v.q.scope ? ", " : "",
              v.q.scope != NULL ? (strcmp(v.q.scope, "server") == 0 ? "server only" : "global only")
                                : "");
  return answer_page(ctx, db, &v, filter_text);
}

enum pd_result cmd_market_button(struct pd_ctx *ctx)
{
  struct market_view v;
  struct pd_db *db = NULL;
  if (!parse_button(ctx->ix->custom_id, &v))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made. Run /market again.");
  if (strcmp(v.viewer, ctx->ix->user.id) != 0)
    return pd_ctx_user_error(
        ctx, "These buttons belong to <@%s>. Run /market to page through it yourself.", v.viewer);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  ctx->update = true;
  return answer_page(ctx, db, &v, "");
}

enum pd_result cmd_market_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix), *choices = NULL;
  const char *name = json_string_value(json_object_get(focused, "name"));
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  if (name != NULL && strcmp(name, "artist") == 0)
    rc = pd_db_suggest_artists(db, json_string_value(json_object_get(focused, "value")), &choices);
  else
    choices = json_array();
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
